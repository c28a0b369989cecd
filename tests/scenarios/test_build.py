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
        "975f9e0eab19bac55a37dcbdd040dc3ff56accb3c6ed3db8aef221092756ae18"
    ),
    "celle-status-quo": "548552419084ce76e7320f4891442f82528c4666013060066605dfbc2d728712",
    "lueneburg-rb2-10-keine": "acf60d6acd1da6756b9277011eefd741e0b74bb259f9bdbe9970a389eb0063e5",
    "lueneburg-rb2-20-ausgleich": (
        "4257a23bfbd5e379d170c2971fbfba8fce42d906424c9f6cd492119c8054d53f"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "393b4dae40ec22dc287825228d7b94a9f6ef281b291d2e00b1fc6e6f7fb30336"
    ),
    "lueneburg-rb2-20-keine": "5a12ec66b48febe292bc85a1a1420798ecfb8e1ab1e45800c7026fdb28989e30",
    "lueneburg-rb2-20-pauschal": "ce99aa99078de8b411b9a4d1094aaee9f852ef911b3ccbd2b94d8e83066080f9",
    "lueneburg-rb2-20-rueckbehalt": (
        "bb86f6e38d07406dafad120ccb274010f9b15749a958cdb0412d6f5842fc27b7"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "c6e63948dd54bd44af539b1041a7b1e0de6630d195a9a53b19a082493d7a917e"
    ),
    "lueneburg-rb2-20-vorjahr": "aa185c0c1e1f8045581f7d35ff054c57c21296329d69f25c9c45e862f768bef8",
    "lueneburg-rb2-30-bonus-malus": (
        "b85634a82f2ffd1562d0ce4fa63bb6b764b0e730bcc21f2bf7267fa6d8557d79"
    ),
    "lueneburg-status-quo": "46efe2d0aa9ebfdbfe6dccccaa88ee53cb2cea90319acc2957903a0f83c48351",
    "potsdam-mittelmark-status-quo": (
        "168e3be8df37bdb83a4bda657dea6854940dc9361e3bfe54df9ce973eae8b878"
    ),
    "ulm-status-quo": "aabd0c25f291ad106c25cf2d5767d69203c406d288aecae4b9cfbb16b26a1dbe",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "fdba017548432a73d8aaa7eccde697fbf92e3dbb9de645e53ceaeadfc49083a2"
    ),
    "celle-status-quo": "8273097f738e497a47994e33ce118cfdb72bcb446cbe86377ee4a4ec40f6f811",
    "lueneburg-rb2-10-keine": "58d21365a6409abd6d9228ff72d4e3ade60e58f7556157c3bb61a0b4d748630b",
    "lueneburg-rb2-20-ausgleich": (
        "eda4d13cddb89196eeb1374bb2114135b1f3d3ee2684c136ad1cd1f3f044702d"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "7b537f16a5b709ab79e863ed0dc9ba6e1616572ee035021f32e5e635e4518836"
    ),
    "lueneburg-rb2-20-keine": "7667fdd71c047db8b1d40bac3c80fdec8eab65d9885e5bbcb17769b402bd4270",
    "lueneburg-rb2-20-pauschal": "9743180d906ec1050ebcb93fd3d0707b55f0493304227f621d197351825623a0",
    "lueneburg-rb2-20-rueckbehalt": (
        "675624f0f37d4e7646d192749bc45f43460669f20f665eb62617c397cc6c20fc"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "72c70b7d6fde9b09ee83e2e201e8f5a7192dd23450dfe28ea9749b63ec4a8585"
    ),
    "lueneburg-rb2-20-vorjahr": "2ee5220b99019e2809d71ae6c337d352010fe9046fd9f965222d8cbef8081ee3",
    "lueneburg-rb2-30-bonus-malus": (
        "d81596916ef12c43cdc7a02fb10fa7b5bc5fea2cc8fa62716595bdf7df0ffc2b"
    ),
    "lueneburg-status-quo": "d80a108d4db0aff09b6781459f0e7332d0ff469f8c5ae73b387898ce157924ec",
    "potsdam-mittelmark-status-quo": (
        "0e3543b44558290a15cbb52188074990dd2d3dcb4335dc761dddfbe486f01218"
    ),
    "ulm-status-quo": "d2e983c266c899537f46f6531add12d7e1948a0ad342c2a0505f27a1eba4827d",
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
    }
    sc = load_scenario(write_scenario(tmp_path, "x", doc))
    ht = {h.code: h for h in sc.params.help_types}
    assert ht["27_2"].selection_weight == 0.25 and ht["27_2"].help_effect == 0.12
    assert ht["31"].help_effect == 0.2 and ht["31"].selection_weight == 3.0
    assert ht["31"].need_min == 4.25 and ht["31"].need_max == 5.5
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
            {"31": {"mean_duration_months": {"value": 1, "unit": "months", "assumption": "x"}}},
            "help_types.31.mean_duration_months",
            "erlaubt: selection_weight, need_min, need_max, help_effect",
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
