"""Building a scenario: names the schema cannot check alone, provenance, the content hash."""

import shutil

import pytest

from scenarios import DATA_DIR, list_scenarios, load_scenario
from tests.scenarios.helpers import (
    base_doc,
    csv_with,
    raises,
    regional_leads_doc,
    variant,
    write_scenario,
)

SHA256_CALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "c9afdeaa9bc8eb476c3f93a0b7b53f583e1c4e0c47054536d0d054b9e709d62a"
    ),
    "celle-status-quo": "06cfa961a6877aecf378caeff0efa1953bdd380276266ada9e00091f3dcb36aa",
    "lueneburg-rb2-10-keine": "d00482177ca2afc4e87e772905dade0e7134d95350501785f504747105fcdee5",
    "lueneburg-rb2-20-ausgleich": (
        "a0747a5f68e51d6d017068d1e5d19b914e3439a0cff3e14f6fe6666d8b6ffec9"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "33f98aae27e29e65cdaf6ef501503f639c3f63ff5c5dc1660b55403b0b8ad793"
    ),
    "lueneburg-rb2-20-gruppen": "36fb059ea1ec002e4cc18dafec7348e0d10c82d6520a20bc9db0e4fb92a27aa7",
    "lueneburg-rb2-20-keine": "dafc35aee30ef63f8fc1b52133a3d60cfa4a1cd396ecec993b040cef06620fd0",
    "lueneburg-rb2-20-pauschal": "9a1792df7b95fcd9ec6beaf088ae5d15b588348e1edbdb0829243d19057f1b2e",
    "lueneburg-rb2-20-rueckbehalt": (
        "9473795563ed94df6d80bf069f22102ae2022b8d155391f96bef2a1aab86e9e4"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "fa82d964eb9e7ed0f52bbe52224177831d9a7c6d3b7109b0332192f592050b14"
    ),
    "lueneburg-rb2-20-vorjahr": "b8fb001217e575f8dfb814ad232afc1fc965a13d770575b9fa85ff206689e6bf",
    "lueneburg-rb2-30-bonus-malus": (
        "3d9b7f7148003c0bf0b0a8181b051e3b0694a03410cff52da7935869f867451f"
    ),
    "lueneburg-status-quo": "3f425de2500c1560829fc0c05f778c0a039ffd0c9d3b321591b5eed09a5f3f2c",
    "potsdam-mittelmark-status-quo": (
        "c8f90245651cdf0461de1903518b1ff8422e4668f9a80e80830d6532583d8cd8"
    ),
    "ulm-status-quo": "8a747875ac1c4a18f877d80f361e135e1272687646d538d4585a6e31ceba0745",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "38c7f5245e5551673f83c61f5298edf25e21e13b76aedb4897eae7115e0c9286"
    ),
    "celle-status-quo": "526a2fa4faa2335fa63e942ce8444934e4f69633e9f757eff0a0952419a08683",
    "lueneburg-rb2-10-keine": "b23367458ebcda85423064861cd44e8d4d6d5320bf97aafc77f8f52794481c1a",
    "lueneburg-rb2-20-ausgleich": (
        "dce971c2cdba224a36e774cbb43eea70f9a8c152ebfc0888d4c08c086550757b"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "beaecbf5d45a1291f041887506754fa2d570710511a57ac7b9d0ad0af397658d"
    ),
    "lueneburg-rb2-20-gruppen": "22c26de8a32bea9a030f62c57e19e7324012c7f01caf1bf1adbf50c419935e13",
    "lueneburg-rb2-20-keine": "24e30a845476d641646972cdaa26a2b8a4c40a2cabcc03bbefaba06353463c52",
    "lueneburg-rb2-20-pauschal": "d6aeefdb7dbcd27acbfafaefcdb5d55e915902a95e7d5be4c2bd57b5c8d09534",
    "lueneburg-rb2-20-rueckbehalt": (
        "715ce08ab963a9a5d435032d375b987e4016681b34b8cae1b8daf381dcffeca1"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "61ed5cc575c3282ab4ed798e80b2c1b22b2374e6a0e71f9ced3f7b4030180939"
    ),
    "lueneburg-rb2-20-vorjahr": "3f01ed6ff4b741cd08d5d99a324e150a9b1367ccad56d6ab9a8a666a035acbbe",
    "lueneburg-rb2-30-bonus-malus": (
        "7c13b01822db3d03c13be42a8b869603f4514335f51bd993d3f814b16f7a56a0"
    ),
    "lueneburg-status-quo": "1a8eb1f1c3e198cea8bc75c223740cfd04f81012fae17ad78c2f6189fbef00a3",
    "potsdam-mittelmark-status-quo": (
        "0958384985fdc498d2e5edce295dba122c955b3cea0fe17df42b9a8d11da5a42"
    ),
    "ulm-status-quo": "93f8a8bb51650563a4703814ff815e897af6f11ecf6eeaa4dd91206a97a62d7e",
}
"""The same, loaded with ``calibrated=False`` (the values written in the files)."""


# ------------------------------------------------------------------ the content hash


def test_every_shipped_scenario_keeps_its_hash():
    """The split of the loader changed no hash: same files, same inputs, same sha256."""
    assert sorted(SHA256_CALIBRATED) == list_scenarios()
    for name, sha in SHA256_CALIBRATED.items():
        assert load_scenario(name).sha256 == sha, name
    for name, sha in SHA256_UNCALIBRATED.items():
        assert load_scenario(name, calibrated=False).sha256 == sha, name


def test_hash_follows_the_data_not_the_location(tmp_path):
    a = load_scenario(write_scenario(tmp_path / "a", "x", base_doc()))
    b = load_scenario(write_scenario(tmp_path / "b", "x", base_doc()))
    assert a.sha256 == b.sha256
    csv_with(tmp_path / "b", "Stadt Bleckede,9692,", "Stadt Bleckede,9693,")
    doc = base_doc()
    doc["municipalities_file"] = "gemeinden.csv"
    c = load_scenario(write_scenario(tmp_path / "b", "x", doc))
    assert c.sha256 != a.sha256


# ------------------------------------------------------------------ municipalities and help types


def test_unknown_municipality(tmp_path):
    doc = base_doc()
    doc["regions"][0]["municipalities"].append("Hansestadt Atlantis")
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "regions.Region 1.municipalities"
    assert "Hansestadt Atlantis" in err.message
    assert "lueneburg_municipalities.csv" in err.message
    assert err.line is not None


def test_a_municipality_row_may_carry_an_assumption_instead_of_a_source(tmp_path):
    csv = tmp_path / "lueneburg_municipalities.csv"
    shutil.copy(DATA_DIR / "lueneburg_municipalities.csv", csv)
    text = csv.read_text(encoding="utf-8").replace(
        '"dewiki.de-Spiegel der Wikipedia (Infobox, LSN-Fortschreibung), Stand 31.12.2023, '
        'https://dewiki.de/Lexikon/Amt_Neuhaus"',
        '"Annahme: geschätzt 2023"',
    )
    csv.write_text(text, encoding="utf-8")
    prov = dict(load_scenario(write_scenario(tmp_path, "x", base_doc())).provenance)
    assert prov["municipalities.Gemeinde Amt Neuhaus.population"] == "Annahme: geschätzt 2023"
    assert prov["municipalities.Stadt Bleckede.population"].startswith("Quelle: ")


def test_scenario_help_type_values_replace_the_file_values(tmp_path):
    doc = base_doc()
    doc.pop("calibration", None)
    doc["help_types"] = {
        "27_2": {"selection_weight": {"value": 0.25, "unit": "factor", "assumption": "Test"}},
        31: {
            "help_effect": {"value": 0.2, "unit": "need/month", "source": "Testquelle"},
            "need_min": {"value": 4.25, "unit": "need", "assumption": "Test"},
        },
        # the cost figures and durations known as ranges (calibrated)
        "34": {
            "daily_rate": {"value": 180.0, "unit": "EUR/day", "assumption": "Test"},
            "mean_duration_months": {"value": 30.0, "unit": "months", "assumption": "Test"},
        },
    }
    sc = load_scenario(write_scenario(tmp_path, "x", doc))
    ht = {h.code: h for h in sc.params.help_types}
    assert ht["27_2"].selection_weight == 0.25 and ht["27_2"].help_effect == 0.12
    assert ht["31"].help_effect == 0.2 and ht["31"].selection_weight == 3.0
    assert ht["31"].need_min == 4.25 and ht["31"].need_max == 5.5
    assert ht["34"].daily_rate == 180.0 and ht["34"].mean_duration_months == 30.0
    assert ht["34"].selection_weight == 4.34  # the file's
    prov = [(k, v) for k, v in sc.provenance if k.startswith("help_types.")]
    assert dict(prov)["help_types.27_2.selection_weight"] == "Annahme: Test"
    assert dict(prov)["help_types.31.help_effect"] == "Quelle: Testquelle"
    # one provenance per path: the scenario's replaces the help-type file's
    assert len(prov) == len(dict(prov))
    assert sc.units["help_types.31.help_effect"] == "need/month"
    # a variant sets one by a dotted override; the base stays as it is
    v = variant(tmp_path, "v", "x.yaml", {"help_types.30.selection_weight": 2.0})
    assert {h.code: h for h in load_scenario(v).params.help_types}["30"].selection_weight == 2.0
    assert {h.code: h for h in load_scenario(tmp_path / "x.yaml").params.help_types}[
        "30"
    ].selection_weight == 1.5


@pytest.mark.parametrize(
    ("entry", "field", "fragment"),
    [
        ({"99": {}}, "help_types.99", "unbekannte Hilfeart „99“"),
        # YAML reads an unquoted 27_2 as the number 272
        ({272: {}}, "help_types.272", "in Anführungszeichen"),
        (
            {"31": {"selection_weight": {"value": -1, "unit": "factor", "assumption": "x"}}},
            "help_types.31.selection_weight",
            "",
        ),
        (
            {"31": {"selection_weight": {"value": 1, "unit": "share", "assumption": "x"}}},
            "help_types.31.selection_weight",
            "factor",
        ),
        (
            {"31": {"fls_per_week": {"value": 1, "unit": "FLS/week", "assumption": "x"}}},
            "help_types.31.fls_per_week",
            "erlaubt: daily_rate, mean_duration_months, selection_weight",
        ),
        (
            {"31": {"daily_rate": {"value": 100, "unit": "EUR/day", "assumption": "x"}}},
            "help_types.31.daily_rate",
            "nach Fachleistungsstunden abgerechnet, nicht mit einem Tagessatz",
        ),
        (
            {"34": {"mean_duration_months": {"value": 0, "unit": "months", "assumption": "x"}}},
            "help_types.34.mean_duration_months",
            "",
        ),
        (
            {"31": {"need_min": {"value": 6.0, "unit": "need", "assumption": "x"}}},
            "help_types.31.need_min",
            "need_min (6,0) muss kleiner als need_max (5,5)",
        ),
    ],
)
def test_bad_scenario_help_type_values(tmp_path, entry, field, fragment):
    doc = base_doc()
    doc.pop("calibration")  # the calibration file would replace §31's need_min
    doc["help_types"] = entry
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field.startswith(field), err
    assert err.line is not None, err
    assert fragment in err.message, err


def test_regional2_help_types_must_be_known_codes(tmp_path):
    doc = base_doc()
    doc["budget"]["regional2_help_types"] = ["31", 32]
    p = load_scenario(write_scenario(tmp_path, "x", doc)).params
    assert p.budget.regional2_help_types == ("31", "32")
    doc["budget"]["regional2_help_types"] = ["31", "99"]
    err = raises(write_scenario(tmp_path, "y", doc))
    assert err.field == "budget.regional2_help_types"
    assert "unbekannte Hilfeart „99“" in err.message


def test_group_share_needs_a_group_offer_of_regional_budget_2(tmp_path):
    doc = base_doc()
    doc["budget"]["regional2_share"] = {"value": 0.2, "unit": "share", "assumption": "x"}
    doc["budget"]["regional2_group_share"] = {"value": 0.3, "unit": "share", "assumption": "x"}
    p = load_scenario(write_scenario(tmp_path, "x", doc)).params
    assert p.budget.regional2_group_share == 0.3
    doc["budget"]["regional2_help_types"] = ["27_2", "30", "31"]
    err = raises(write_scenario(tmp_path, "y", doc))
    assert err.field == "budget.regional2_group_share"
    assert err.line is not None
    assert "gehört nicht zum regionalen Budget 2" in err.message


# ------------------------------------------------------------------ lead regions


def _lead(doc: dict, provider: int, regions: list[str]) -> dict:
    spec = doc["providers"][provider]
    spec.pop("region", None)
    spec["lead_regions"] = regions
    return doc


def test_a_sozialraumtraeger_active_everywhere_may_lead_several_regions(tmp_path):
    doc = _lead(regional_leads_doc(), 0, ["Region 1", "Region 2"])
    doc["providers"] = [p for p in doc["providers"] if p["name"] != "Sozialraumträger Region 2"]
    p = load_scenario(write_scenario(tmp_path, "x", doc)).params
    assert p.providers[0].region is None
    assert p.providers[0].lead_regions == ("Region 1", "Region 2")


def test_lead_regions_must_exist_and_have_one_leader(tmp_path):
    err = raises(write_scenario(tmp_path, "x", _lead(regional_leads_doc(), 0, ["Region 9"])))
    assert err.field == "providers.Sozialraumträger Region 1.lead_regions"
    assert "unbekannte Region „Region 9“" in err.message
    err = raises(
        write_scenario(tmp_path, "y", _lead(regional_leads_doc(), 0, ["Region 1", "Region 2"]))
    )
    assert err.field == "providers.Sozialraumträger Region 2.region"
    assert "Region „Region 2“ wird schon von „Sozialraumträger Region 1“ geleitet" in err.message
    doc = _lead(regional_leads_doc(), 2, ["Region 1"])
    err = raises(write_scenario(tmp_path, "z", doc))
    assert err.field == "providers.Sozialraumträger Region 3.lead_regions"
    assert "wird schon von „Sozialraumträger Region 1“ geleitet" in err.message
    assert err.line is not None


def test_lead_regions_only_for_a_sozialraumtraeger_without_region(tmp_path):
    doc = regional_leads_doc()
    doc["providers"][0]["lead_regions"] = ["Region 1"]
    err = raises(write_scenario(tmp_path, "x", doc))
    assert "ohne region" in err.message
    doc = _lead(regional_leads_doc(), 3, ["Region 1"])
    err = raises(write_scenario(tmp_path, "y", doc))
    assert "nur ein Sozialraumträger" in err.message
