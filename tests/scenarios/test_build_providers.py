"""Building providers: where each works (one, some or every region) and who leads.

On the new-Kreis fixture (five Sozialräume Nord, Ost, Süd, West, Mitte; see
:mod:`tests.fixtures.new_kreis`), whose providers a variant replaces, extending the
fixture by path.
"""

from __future__ import annotations

from pathlib import Path

from scenarios import load_scenario
from tests.fixtures import new_kreis
from tests.scenarios.helpers import load_error, raises, variant


def _provider(name: str, role: str = "sozialraumtraeger", **where) -> dict:
    return {
        "name": name,
        "role": role,
        "staff_fte": {"value": 5.0, "unit": "FTE", "assumption": "Test"},
        "reserves": {"value": 10000.0, "unit": "EUR", "assumption": "Test"},
        **where,
    }


STATIONARY = _provider("Heime", "stationaer")


def _kreis(tmp_path: Path, name: str, *providers: dict) -> Path:
    """A variant of the new Kreis with these providers (and the stationary market)."""
    return variant(
        tmp_path, name, str(new_kreis.STATUS_QUO), {"providers": [*providers, STATIONARY]}
    )


def test_providers_in_some_regions_reach_the_engine_parameters():
    params = load_scenario(new_kreis.STATUS_QUO).params
    specs = {p.name: p for p in params.providers}
    for name, served in new_kreis.SERVED.items():
        spec = specs[name]
        if len(served) > 1:
            assert (spec.region, spec.regions) == (None, served)
        else:
            assert (spec.region, spec.regions) == (served[0], ())
    assert params.region_names == new_kreis.REGIONS


def test_a_sozialraumtraeger_active_everywhere_may_lead_several_regions(tmp_path):
    path = _kreis(
        tmp_path,
        "x",
        _provider("A", lead_regions=["Nord", "Ost"]),
        _provider("B", regions=["Süd", "West"]),
        _provider("C", region="Mitte"),
    )
    p = load_scenario(path).params
    assert p.providers[0].region is None and p.providers[0].regions == ()
    assert p.providers[0].lead_regions == ("Nord", "Ost")
    assert p.providers[1].regions == ("Süd", "West")


def test_lead_regions_must_exist_and_have_one_leader(tmp_path):
    err = raises(_kreis(tmp_path, "x", _provider("A", lead_regions=["Atlantis"])))
    assert err.field == "providers.A.lead_regions"
    assert "unbekannte Region „Atlantis“" in err.message
    err = raises(
        _kreis(
            tmp_path,
            "y",
            _provider("A", lead_regions=["Nord", "Ost"]),
            _provider("B", region="Ost"),
        )
    )
    assert err.field == "providers.B.region"
    assert "Region „Ost“ wird schon von „A“ geleitet" in err.message
    err = raises(
        _kreis(
            tmp_path,
            "z",
            _provider("A", regions=["Nord", "Ost"]),
            _provider("B", regions=["Ost", "Süd"], lead_regions=["Ost"]),
        )
    )
    assert err.field == "providers.B.lead_regions"
    assert "wird schon von „A“ geleitet" in err.message
    assert err.line is not None


def test_two_sozialraumtraeger_in_one_region_the_first_leads(tmp_path):
    """Without lead_regions the first listed Sozialraumträger of a region leads it, as
    with ``region``: no error."""
    path = _kreis(
        tmp_path,
        "x",
        _provider("A", regions=["Nord", "Ost"]),
        _provider("B", regions=["Ost", "Süd", "West", "Mitte"]),
    )
    assert [p.name for p in load_scenario(path).params.providers] == ["A", "B", "Heime"]


def test_unknown_region_in_regions_names_the_item(tmp_path):
    err = raises(_kreis(tmp_path, "x", _provider("A", regions=["Nord", "Atlantis"])))
    assert "unbekannte Region „Atlantis“" in err.message
    assert "Nord, Ost, Süd, West, Mitte" in err.message


def test_every_leadership_problem_is_reported_at_once(tmp_path):
    err = load_error(
        _kreis(
            tmp_path,
            "x",
            _provider("A", lead_regions=["Nord", "Atlantis"]),
            _provider("B", lead_regions=["Nord"]),
        )
    )
    messages = [p.message for p in err.problems()]
    assert len(messages) == 2
    assert "unbekannte Region „Atlantis“" in messages[0]
    assert "Region „Nord“ wird schon von „A“ geleitet" in messages[1]
    assert len(err.cli_line().splitlines()) == 2


def test_lead_regions_only_for_a_sozialraumtraeger_without_region(tmp_path):
    err = raises(_kreis(tmp_path, "x", _provider("A", region="Nord", lead_regions=["Nord"])))
    assert "ohne region" in err.message
    err = raises(_kreis(tmp_path, "y", _provider("A", "ambulant", lead_regions=["Nord"])))
    assert "nur ein Sozialraumträger" in err.message
