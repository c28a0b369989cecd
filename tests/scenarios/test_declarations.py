"""Levers, uncertainties and outcomes: declared in the scenario file, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios import load_scenario
from scenarios.declarations import is_lever_path
from scenarios.errors import ScenarioError
from tests.scenarios.test_error_catalogue import Workspace

TREND = """  - parameter: need.trend_per_year
    label: "Bedarfstrend"
    distribution: uniform
    low: -0.02
    high: 0.04
    unit: need/year"""


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "szenarien"
    root.mkdir()
    return Workspace(root)


def test_status_quo_declares_levers_uncertainties_and_outcomes():
    sc = load_scenario("lueneburg-status-quo")
    levers = {lv.parameter for lv in sc.levers}
    assert {"budget.regional2_share", "incentive.scheme", "budget.allocation_key"} <= levers
    assert {"provider.fls_rate", "regions.*.direct_contact_share"} <= levers
    assert {u.parameter for u in sc.uncertainties} == {
        "need.trend_per_year",
        "projects.effect_mean",
        "provider.responsiveness",
        "recognition.report_rate_factor",
        "provider.savings_duration_cut",
        "provider.savings_intensity_cut",
        "provider.controlling_signal",
        "provider.per_hour_extension",
        "provider.pressure_full_overrun",
        "projects.proposals_per_region",
        "projects.cost_mean",
        "help_types.27_2.help_effect",
        "help_types.30.help_effect",
        "help_types.31.help_effect",
        "help_types.34.help_effect",
    }
    assert all(o.better in ("lower", "higher") for o in sc.outcomes)
    assert {o.metric for o in sc.outcomes} >= {"total_spent", "unmet_need_families"}


def test_variants_inherit_the_declarations():
    base = load_scenario("lueneburg-status-quo")
    variant = load_scenario("lueneburg-rb2-20-rueckbehalt")
    assert variant.levers == base.levers
    assert variant.uncertainties == base.uncertainties
    assert variant.outcomes == base.outcomes


@pytest.mark.parametrize(
    ("path", "lever"),
    [
        ("budget.regional2_share", True),
        ("incentive.retention_share", True),
        ("regions.Region 1.direct_contact_share", True),
        ("provider.fls_rate", True),
        ("provider.responsiveness", False),
        ("need.trend_per_year", False),
    ],
)
def test_lever_paths(path, lever):
    assert is_lever_path(path) is lever


def test_overrides_with_star_change_every_region():
    sc = load_scenario("lueneburg-status-quo", {"regions.*.direct_contact_share": 0.6})
    assert [r.direct_contact_share for r in sc.params.regions] == [0.6, 0.6, 0.6]
    assert sc.sha256 != load_scenario("lueneburg-status-quo").sha256


def test_override_errors_name_the_overrides_file(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario("lueneburg-status-quo", {"budget.regional2_share": 1.5}, overrides_file=sweep)
    assert Path(info.value.file) == sweep
    assert info.value.field == "budget.regional2_share"
    assert "zwischen 0 und 1" in info.value.message


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (
            ("  - {parameter: provider.fls_rate,", "  - {parameter: provider.responsiveness,"),
            "levers.4.parameter",
            "ist kein Hebel",
        ),
        (
            ("  - parameter: need.trend_per_year\n", "  - parameter: budget.regional2_share\n"),
            "uncertainties.0.parameter",
            "ist ein Hebel",
        ),
        (
            ("    high: 0.04\n    unit: need/year", "    high: 0.04\n    unit: share"),
            "uncertainties.0.unit",
            "passt nicht",
        ),
        (
            ("    low: -0.02\n    high: 0.04\n", "    low: 0.01\n    high: 0.04\n"),
            "uncertainties.0",
            "liegt nicht in der Spanne",
        ),
        (
            (
                "    distribution: triangular\n    low: 0.0\n    mode: 0.05\n",
                "    distribution: triangular\n    low: 0.0\n",
            ),
            "uncertainties.1.mode",
            "braucht mode",
        ),
        (
            ("{metric: total_spent,", "{metric: total_spend,"),
            "outcomes.0.metric",
            "unbekannte Kennzahl",
        ),
        (
            (
                "better: lower, over_years: sum}\n  - {metric: overspent",
                "better: kleiner, over_years: sum}\n  - {metric: overspent",
            ),
            "outcomes.0.better",
            "nicht erlaubt",
        ),
        (
            (
                '  - {parameter: "regions.*.direct_contact_share"',
                '  - {parameter: "regions.Region 9.direct_contact_share"',
            ),
            "levers.5.parameter",
            "unbekannte Region",
        ),
        (
            ("  - parameter: provider.responsiveness\n", "  - parameter: years\n"),
            "uncertainties.2.parameter",
            "Laufeinstellung",
        ),
        (
            (
                '§27 Abs. 2 (flexible Hilfe)"\n    distribution: uniform\n    low: 0.06\n',
                '§27 Abs. 2 (flexible Hilfe)"\n    distribution: uniform\n    low: 0.15\n',
            ),
            "uncertainties.10",
            "liegt nicht in der Spanne",
        ),
        (
            (
                "  - parameter: help_types.34.help_effect\n",
                "  - parameter: help_types.99.help_effect\n",
            ),
            "uncertainties.13.parameter",
            "gibt es in diesem Szenario nicht",
        ),
    ],
    ids=[
        "kein-hebel",
        "unsicherheit-ist-hebel",
        "falsche-einheit",
        "wert-ausserhalb-spanne",
        "dreieck-ohne-mode",
        "unbekannte-kennzahl",
        "unbekannte-richtung",
        "unbekannte-region",
        "laufeinstellung",
        "hilfeart-wert-aus-datei-ausserhalb-spanne",
        "unbekannte-hilfeart",
    ],
)
def test_declaration_errors(ws, edit, field, fragment):
    path = ws.scenario(edit)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert Path(err.file) == path
    assert err.field == field
    assert fragment in err.message
    assert err.line is not None


def test_title_is_not_inherited(ws):
    base = ws.scenario(
        (
            'title: "Lüneburg Status quo: alles gebundenes Budget, kein Anreizsystem"\n',
            "title: Basis kurz\n",
        ),
        name="basis",
    )
    assert load_scenario(base).title == "Basis kurz"
    plain = ws.variant("ohne", "basis.yaml")
    assert load_scenario(plain).title is None
    text = "name: mit\ntitle: Variante kurz\ndescription: Testvariante\nextends: basis.yaml\n"
    assert load_scenario(ws.write("mit.yaml", text)).title == "Variante kurz"


def _with_lever(tmp_path: Path, parameter: str, **lever) -> Path:
    from tests.scenarios.helpers import base_doc, write_scenario

    doc = base_doc()
    doc["levers"] = [lv for lv in doc["levers"] if lv["parameter"] != parameter]
    doc["levers"].append({"parameter": parameter, "label": "Test", **lever})
    return write_scenario(tmp_path, "wahl", doc)


@pytest.mark.parametrize(
    ("parameter", "choices", "where", "fragment"),
    [
        ("incentive.scheme", ["none", "lotterie"], ".choices.1", "Wert „lotterie“ ist nicht"),
        ("budget.allocation_key", ["population", "kopf"], ".choices.1", "Wert „kopf“ ist nicht"),
        ("provider.fls_rate", ["60", "90"], ".choices", "ist keine Auswahl"),
    ],
)
def test_lever_choices_must_be_allowed_values(tmp_path, parameter, choices, where, fragment):
    with pytest.raises(ScenarioError) as info:
        load_scenario(_with_lever(tmp_path, parameter, choices=choices))
    assert info.value.field.startswith("levers.") and info.value.field.endswith(where)
    assert fragment in info.value.message


def test_a_scheme_lever_without_choices_offers_every_registered_scheme(tmp_path):
    from model.incentives import scheme_names
    from scenarios.sections import IncentiveSection, allowed_values

    sc = load_scenario(_with_lever(tmp_path, "incentive.scheme"))
    (lever,) = [lv for lv in sc.levers if lv.parameter == "incentive.scheme"]
    assert lever.choices is None
    scheme, _ = IncentiveSection.document_fields()["scheme"]
    assert allowed_values(scheme) == scheme_names()
    shipped = load_scenario("lueneburg-status-quo").levers
    assert [lv.choices for lv in shipped if lv.parameter == "incentive.scheme"] == [None]
