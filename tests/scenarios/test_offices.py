"""Sozialraumbüros, the quota and the indicator file in scenario files.

The shipped Lüneburg status quo has ten offices with their Träger and the quota of
Vorlage 2025/124; every bad office, quota or indicator row gives one German line naming
file, field and (where known) line.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from scenarios import DATA_DIR, load_scenario
from scenarios.errors import ScenarioError
from scenarios.sozialraeume import load_indicators
from tests.scenarios.helpers import base_doc, raises, write_scenario

INDICATORS = DATA_DIR / "lueneburg_sozialraeume.csv"
NAMED = {
    "Gemeinde Amt Neuhaus": "Internationaler Bund (IB)",
    "Samtgemeinde Ostheide": "VSE",
    "Samtgemeinde Scharnebeck": "PädIn",
    "Samtgemeinde Ilmenau": "Caritasverband Lüneburg",
    "Samtgemeinde Amelinghausen": "Samtgemeinde Amelinghausen",
}
"""The Träger named in public sources."""


def test_shipped_status_quo_has_ten_offices_with_their_traeger():
    sc = load_scenario("lueneburg-status-quo")
    p = sc.params
    assert len(p.offices) == 10
    municipalities = [m.name for r in p.regions for m in r.municipalities]
    assert sorted(o.sozialraum for o in p.offices) == sorted(municipalities)
    prov = dict(p.provenance)
    roles = {s.name: s.role for s in p.providers}
    for o in p.offices:
        assert roles[o.provider] == "sozialraumtraeger"
        text = prov[f"offices.{o.name}.provider"]
        if o.sozialraum in NAMED:
            assert o.provider == NAMED[o.sozialraum] and text.startswith("Quelle: ")
        else:
            assert "nicht veröffentlicht" in o.provider
            assert text.startswith("Annahme: Träger nicht veröffentlicht")
    assert not any(s.name.startswith("Sozialraumträger Region") for s in p.providers)


def test_shipped_money_matches_the_vorlage_and_the_calibration():
    p = load_scenario("lueneburg-status-quo").params
    before = math.fsum(o.budget_before for o in p.offices)
    assert before + 203_000 == p.budget.sozialraum_funds  # Vorlage 2025/124 b)
    fixed = math.fsum(o.fixed_costs for o in p.offices)
    assert fixed == pytest.approx(p.counselling.fixed_share * p.budget.sozialraum_funds, abs=0.5)
    q = p.sozialraum_quota
    assert q is not None and q.start_year == 2026
    assert q.compensated == ("Stadt Bleckede", "Samtgemeinde Scharnebeck", "Gemeinde Adendorf")
    assert q.compensation_path == (1.0, 0.75, 0.5, 0.25, 0.0)


def test_indicators_differ_between_sozialraeume_and_carry_their_provenance():
    p = load_scenario("lueneburg-status-quo").params
    q = p.sozialraum_quota
    assert q is not None
    for k in q.index_weights:
        values = {q.indicators[o.sozialraum][k] for o in p.offices}
        assert len(values) >= 4, k  # no identical placeholder in every Sozialraum
    prov = dict(p.provenance)
    for o in p.offices:
        for k in q.index_weights:
            assert prov[f"sozialraeume.{o.sozialraum}.{k}"].startswith(("Quelle: ", "Annahme: "))


def test_other_kreise_have_no_offices():
    for name in ("ulm-status-quo", "celle-status-quo", "potsdam-mittelmark-status-quo"):
        p = load_scenario(name).params
        assert p.offices == () and p.sozialraum_quota is None


# ------------------------------------------------------------------ bad offices, quota


def _office(doc: dict, name: str) -> dict:
    return next(o for o in doc["offices"] if o["name"] == name)


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (
            lambda d: _office(d, "Sozialraumbüro Bleckede").update(sozialraum="Stadt Lüneburg"),
            "offices.Sozialraumbüro Bleckede.sozialraum",
            "keine Gemeinde einer Region",
        ),
        (
            lambda d: _office(d, "Sozialraumbüro Bleckede").update(sozialraum="Gemeinde Adendorf"),
            "offices.Sozialraumbüro Adendorf.sozialraum",
            "hat schon ein Büro („Sozialraumbüro Bleckede“)",
        ),
        (
            lambda d: _office(d, "Sozialraumbüro Bleckede").update(provider="Nordstern"),
            "offices.Sozialraumbüro Bleckede.provider",
            "nicht die Rolle sozialraumtraeger",
        ),
        (
            lambda d: _office(d, "Sozialraumbüro Bleckede").update(provider="Niemand e.V."),
            "offices.Sozialraumbüro Bleckede.provider",
            "kein Träger unter providers",
        ),
        (
            lambda d: d["sozialraum_quota"].update(compensated=["Stadt Lüneburg"]),
            "sozialraum_quota.compensated",
            "kein Sozialraum mit Büro",
        ),
        (
            lambda d: d.update(offices=[]),
            "sozialraum_quota",
            "braucht Büros",
        ),
        (
            lambda d: d.update(
                offices=[
                    o
                    for o in d["offices"]
                    if o["sozialraum"] != "Samtgemeinde Gellersen"
                    and o["sozialraum"]
                    not in ("Samtgemeinde Ilmenau", "Samtgemeinde Amelinghausen")
                ]
            ),
            "offices",
            "Region „Region 3“ hat kein Sozialraumbüro",
        ),
    ],
)
def test_bad_office_or_quota_names_the_field(tmp_path, edit, field, fragment):
    """Every problem is one line naming file and field (a change may cause several)."""
    doc = base_doc()
    edit(doc)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path, "x", doc))
    lines = str(info.value).splitlines()
    assert all(line.startswith("Fehler in ") for line in lines)
    assert any(f"Feld {field}: " in line and fragment in line for line in lines), lines


def test_office_needs_exactly_one_provenance_of_its_traeger(tmp_path):
    doc = base_doc()
    office = _office(doc, "Sozialraumbüro Bleckede")
    office["source"] = "irgendwo"
    err = raises(write_scenario(tmp_path, "x", doc))
    assert "entweder source (Quelle) oder assumption (Annahme)" in err.message


def test_compensation_path_is_shares(tmp_path):
    doc = base_doc()
    doc["sozialraum_quota"]["compensation_path"]["value"] = [1.0, 1.5]
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field.startswith("sozialraum_quota.compensation_path")
    assert "nicht zwischen 0 und 1" in err.message


def test_quota_weights_must_sum_to_one(tmp_path):
    doc = base_doc()
    doc["sozialraum_quota"]["index_weights"]["sgb2_share"]["value"] = 0.7
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "sozialraum_quota.index_weights"
    assert "100 %" in err.message


def test_quota_without_indicator_file(tmp_path):
    doc = base_doc()
    doc.pop("sozialraeume_file")
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "sozialraum_quota" and "sozialraeume_file" in err.message


# ------------------------------------------------------------------ the indicator file


def _with_csv(tmp_path: Path, text: str) -> Path:
    doc = base_doc()
    path = write_scenario(tmp_path, "x", doc)
    (tmp_path / "lueneburg_sozialraeume.csv").write_text(text, encoding="utf-8")
    return path


def test_shipped_indicator_file_loads():
    records = load_indicators(INDICATORS)
    assert len(records) == 10
    assert all(set(r) == {"sgb2_share", "single_parent_share"} for r in records.values())


@pytest.mark.parametrize(
    ("old", "new", "column", "fragment"),
    [
        (",sgb2_share,0.16,", ",sgb2_quote,0.16,", "indicator", "unbekannter Indikator"),
        (",sgb2_share,0.16,", ",sgb2_share,1.6,", "value", "nicht zwischen 0 und 1"),
        (",sgb2_share,0.16,", ",sgb2_share,viel,", "value", "keine Zahl"),
        (",sgb2_share,0.16,2023,", ",sgb2_share,0.16,23,", "year", "nicht zwischen 1900"),
        (
            "sozialraum,indicator,value,year,source",
            "ort,indicator,value,year,source",
            "sozialraum",
            "Spalte fehlt",
        ),
    ],
)
def test_bad_indicator_row_names_file_line_and_column(tmp_path, old, new, column, fragment):
    text = INDICATORS.read_text(encoding="utf-8")
    assert old in text
    path = _with_csv(tmp_path, text.replace(old, new, 1))
    err = raises(path)
    assert Path(err.file).name == "lueneburg_sozialraeume.csv"
    assert err.field == column and fragment in err.message
    assert err.line is not None


def test_duplicate_and_missing_indicator_values(tmp_path):
    lines = INDICATORS.read_text(encoding="utf-8").splitlines()
    err = raises(_with_csv(tmp_path / "a", "\n".join([*lines, lines[1]]) + "\n"))
    assert "doppelt" in err.message and err.field == "indicator"
    without = [ln for ln in lines if not ln.startswith("Stadt Bleckede,sgb2_share")]
    err = raises(_with_csv(tmp_path / "b", "\n".join(without) + "\n"))
    assert "„sgb2_share“ für „Stadt Bleckede“ fehlt" in err.message


def test_indicator_row_without_source(tmp_path):
    lines = INDICATORS.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",", 4)
    lines[1] = ",".join([*first[:4], ""])
    err = raises(_with_csv(tmp_path, "\n".join(lines) + "\n"))
    assert err.field == "source" and "Quelle" in err.message


def test_indicator_file_in_the_content_hash(tmp_path):
    a = load_scenario(_with_csv(tmp_path / "a", INDICATORS.read_text(encoding="utf-8")))
    changed = INDICATORS.read_text(encoding="utf-8").replace(",0.16,", ",0.17,", 1)
    b = load_scenario(_with_csv(tmp_path / "b", changed))
    assert a.sha256 != b.sha256
    assert a.params.sozialraum_quota != b.params.sozialraum_quota


def test_indicator_file_errors_are_scenario_errors(tmp_path):
    with pytest.raises(ScenarioError):
        load_indicators(tmp_path / "fehlt.csv")
