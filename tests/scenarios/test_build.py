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
        "5eb2eb84d17b44b78de9a41edd03d626035cc7f16af40903fa04efef296168bd"
    ),
    "celle-status-quo": "1e3fdb98489a4da9c7553eb700792f9198cc6e96c7f5402555363a2504ffdc1b",
    "lueneburg-rb2-10-keine": "09bba2bd82c4b676cad0cf4c8eb2e164aba7806879018d40940e22e5d2d77446",
    "lueneburg-rb2-20-ausgleich": (
        "57bcab58257be82707d4845cf41d3048bc6e15c87f9d9b85cd601420f6844a81"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "2d4cea7577677a9665f2b2872b398b35ddfa7aaf68ae9f550c1d3a53f7c6aa3e"
    ),
    "lueneburg-rb2-20-gruppen": "cae52201a3dbe6d15907950b9bb7c8027cdd449160040c9b0463dc75f9aca207",
    "lueneburg-rb2-20-keine": "b7ad0cbe907864ae3c5a5415a49495d233c75de37b9e0e05f0c5580c6c1db5ec",
    "lueneburg-rb2-20-pauschal": "2e2fe2524dde51d87cfe79264a4c795da0ca245cc73b32a787db699695d88fec",
    "lueneburg-rb2-20-rueckbehalt": (
        "2cd545d089fdf2be6a15730603ab3bf8b91fd71dc878ce72fcbb89f41041790c"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "b53f46ca6bec8380c99536a07d60376c0d754fbbe091a6f670eb53a9e11162db"
    ),
    "lueneburg-rb2-20-vorjahr": "576b9fcf69d84782db650d38b2161e79747cb492b02930f8a4f2783784377b08",
    "lueneburg-rb2-30-bonus-malus": (
        "8e8fe5cbcd7820564d1dc8a444c96c7a01b9afa2e20b9835a8d47bb213b69b2c"
    ),
    "lueneburg-status-quo": "0863aa2fbc57f48999da24988ef0e62054f160549a9e6dbc8392c72b90f69dd9",
    "potsdam-mittelmark-status-quo": (
        "85f23163148814d74b3adf62de2f113b52f55e5ddeb9a1f8f06f052826539de0"
    ),
    "ulm-status-quo": "5c7c6d6aaefcf68e494c4c314e5a41b84aec0756322f79152b2d84855d358f6e",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "648b4551d64cfd9e04f003ddf77a5d2f0599e6697c4b60971744720dfb98ecb9"
    ),
    "celle-status-quo": "a0019be4c45466a8ef8ea6da65f0fb9c645a1bf12baabd605aac2a235d8fed47",
    "lueneburg-rb2-10-keine": "3a44a7eef381ec3a1f4d99830f8b667b638636ddec60ce6a19e0820fc4452eb3",
    "lueneburg-rb2-20-ausgleich": (
        "6e847a2d5f11b6c63671382e5b6a9e2c9eceff7a7b7b25a9b2c7e5d4f9bd65f4"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "23052822239aa04a93fa62fbf031c55190e0c041d42828e9cacd01527df2f701"
    ),
    "lueneburg-rb2-20-gruppen": "c626413fd91d8c7771de08f8a1f7af215efc22d60433c25e38ac2175c01e3ad5",
    "lueneburg-rb2-20-keine": "96377dc9c01917ae1495eeeb377cc0f94144ffe36a84e5fc8394e38baef25d90",
    "lueneburg-rb2-20-pauschal": "e91e53ede20a4a71c5c495088ae92a4340f63b26a5e8faa0cd687e153c21a046",
    "lueneburg-rb2-20-rueckbehalt": (
        "e26143ef02c33c3ea4e8e8af66ea49bd10888de1fd2657e6378214c490257a21"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "b6eb2c18270297bad55937d3ef112225f6260092268d35fc7e98f79e2c1ab9b5"
    ),
    "lueneburg-rb2-20-vorjahr": "ee614d534ce2228e4ce49d6f9350386d70f863bfca26d4ddc1fa095e5f8493a1",
    "lueneburg-rb2-30-bonus-malus": (
        "e677f28262a68ed0281baa985a5653917f91f54df31a592270aba7db7324aac7"
    ),
    "lueneburg-status-quo": "e95a0e75ae9c01d26684b2c019b673c94b57c947eb31540b53d16ccaad19dc39",
    "potsdam-mittelmark-status-quo": (
        "82f0e6970d074ddf9313e5e98b02612b7714ac7134e33200abe4574b614abee0"
    ),
    "ulm-status-quo": "3660505d677e8b7b4e81adce4ae030019663baefe265b0642b02a298533d1a76",
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
