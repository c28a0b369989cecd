"""Building a scenario: names the schema cannot check alone, provenance, the content hash."""

import shutil

import pytest

from scenarios import DATA_DIR, list_scenarios, load_scenario
from tests.scenarios.helpers import base_doc, csv_with, raises, variant, write_scenario

SHA256_CALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "3107c40d911aabf032f62db218fc15c710759f18575215987f17485d5bfe1cde"
    ),
    "celle-status-quo": "968883d7c1134c5a3b09055a8bb32627cf0f14fc0d79d7f609827139290fb238",
    "lueneburg-rb2-10-keine": "1855985d99e5600d57f326d1b0e7002b3064a7f35b16f1b1ac76a0fffcff8d4c",
    "lueneburg-rb2-20-ausgleich": (
        "5ff461bc4da695a086f94f3ed95e327294d9927108992460839e1fbe090dcd44"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "1595fcacad17153171125a3255272a4e181abb38b7d2e3fddc308432a8806302"
    ),
    "lueneburg-rb2-20-keine": "14587256fee3af50b1ae33b4f5f802daf94dd6a4f7d3438f44caad6b04f636b6",
    "lueneburg-rb2-20-pauschal": "99ea99774e0e4a6cf0b5574d448d6707d34c456d2acbcf3b145031f5f622b5d4",
    "lueneburg-rb2-20-rueckbehalt": (
        "1ef62f2e507e583992d3e8baca1b104b089f7abb81241ac877323e961a15f5d6"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "9b4b4374cfdf8da2b0b42be6a330ce67406becd65ed5b8967ba2b203730440ef"
    ),
    "lueneburg-rb2-20-vorjahr": "9d32be5db58974f7fa70d9a9f537cd8f7cd5380a804bbe4e37229aff3c2b5647",
    "lueneburg-rb2-30-bonus-malus": (
        "943305d11eaed8ca62686cfcd79a518ceec5e22303ce4b439f8e63f1e0bcfa23"
    ),
    "lueneburg-status-quo": "91c110ca6082efdf140026df50c2e6af91cd62d833476a7c44939a3ce9029062",
    "potsdam-mittelmark-status-quo": (
        "80cbf63088f18a87db6b31bd3d666763d901591a2cef618c1fad0b17eb3380b3"
    ),
    "ulm-status-quo": "60a7f7e83b8fd7514098d8066cb5e168771d01f2533182807312e4740ba64de7",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "8d5c326e69ac32bae6752ceba920f2420a85fd88a9ccabc73004edcb6105812d"
    ),
    "celle-status-quo": "387f7361272f80d644e2b67e3bd8beb97fb55800bf29db61bd6f5dcb9200e793",
    "lueneburg-rb2-10-keine": "31fb304d4e896352b30c3a537c11dc87b63821a2ed5276af4b136e04c372295b",
    "lueneburg-rb2-20-ausgleich": (
        "438852527fef78409a29accc700016e9d453fa138230bb84b7606d86124a3913"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "7b1cf92a5fe81095fbe02dce07152b2d2ab767387d2f1a0c59965b3e93b4bdad"
    ),
    "lueneburg-rb2-20-keine": "837e982a8d98747f9ede0e6eb04853c28e705d0976ab5059d1f0ce31bd839fac",
    "lueneburg-rb2-20-pauschal": "3f1cfed2a6f8205243102da3f17121e3648cb70166b4999dd70cc76bca7efda9",
    "lueneburg-rb2-20-rueckbehalt": (
        "6d0e836f27e6907d20d50a246cf8acfa236ba293e4ee0a4978cc05b88b1e8d32"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "930ac4620e9c2163b37a1d76f71706b3d24f7c2cd8b634dd7726e3ed70455957"
    ),
    "lueneburg-rb2-20-vorjahr": "5a9621814ac1b36c66d881d9c67e954b406beefa5da4a6f8546c91dc387cb6c1",
    "lueneburg-rb2-30-bonus-malus": (
        "2225234508fd9223925fa972ed2d052840deb8ceef45a744018ea81eefc95d76"
    ),
    "lueneburg-status-quo": "e95cddac999c4b3ef32627acadef683f26c04bc10437fcea3895eef3a4360755",
    "potsdam-mittelmark-status-quo": (
        "32750ca224fcdd74a405118a9be9f80e50263586d13a4dad62fd103d97f16249"
    ),
    "ulm-status-quo": "1e0a9d73ac2fb52f9bee833f8639cd71a4cd884846bce6f1cb06650b59f8a534",
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
    doc = _lead(base_doc(), 0, ["Region 1", "Region 2"])
    doc["providers"] = [p for p in doc["providers"] if p["name"] != "Sozialraumträger Region 2"]
    p = load_scenario(write_scenario(tmp_path, "x", doc)).params
    assert p.providers[0].region is None
    assert p.providers[0].lead_regions == ("Region 1", "Region 2")


def test_lead_regions_must_exist_and_have_one_leader(tmp_path):
    err = raises(write_scenario(tmp_path, "x", _lead(base_doc(), 0, ["Region 9"])))
    assert err.field == "providers.Sozialraumträger Region 1.lead_regions"
    assert "unbekannte Region „Region 9“" in err.message
    err = raises(write_scenario(tmp_path, "y", _lead(base_doc(), 0, ["Region 1", "Region 2"])))
    assert err.field == "providers.Sozialraumträger Region 2.region"
    assert "Region „Region 2“ wird schon von „Sozialraumträger Region 1“ geleitet" in err.message
    doc = _lead(base_doc(), 2, ["Region 1"])
    err = raises(write_scenario(tmp_path, "z", doc))
    assert err.field == "providers.Sozialraumträger Region 3.lead_regions"
    assert "wird schon von „Sozialraumträger Region 1“ geleitet" in err.message
    assert err.line is not None


def test_lead_regions_only_for_a_sozialraumtraeger_without_region(tmp_path):
    doc = base_doc()
    doc["providers"][0]["lead_regions"] = ["Region 1"]
    err = raises(write_scenario(tmp_path, "x", doc))
    assert "ohne region" in err.message
    doc = _lead(base_doc(), 3, ["Region 1"])
    err = raises(write_scenario(tmp_path, "y", doc))
    assert "nur ein Sozialraumträger" in err.message
