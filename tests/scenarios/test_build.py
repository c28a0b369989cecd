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
        "f4b0ec9eace6667bbbcc2a80f3dfea18399c187c7df5a3640f92ef725d88ce55"
    ),
    "celle-status-quo": "429e7012bfe0c13688c31355807da3a155b0213dee8c9c88b3d08423eb614ed6",
    "lueneburg-rb2-10-keine": "c51594b269286cedef9037c7e4834cd81fbe7b48f8949227abe9298f4a692135",
    "lueneburg-rb2-20-ausgleich": (
        "bdd07053445fd989794727d9212569ea31df4b653461b91c81ef3df1fe6f8709"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "3637150f2b8d7c72bfaa3a560333af35a8a772a16d102ecbabde8c1fd31d30e7"
    ),
    "lueneburg-rb2-20-keine": "9fd4b12016359c0f67169fbf8ecb2543fe74e85c9f614f3595793c87c1be42e9",
    "lueneburg-rb2-20-pauschal": "e1fcdd6a161d7502719936bfd24889569ac1688d225e25b0e7d953e4d9422f9b",
    "lueneburg-rb2-20-rueckbehalt": (
        "abd1f7904be4b9038bd18a52ad6d0e94dc6cc6105a491f36ed09b9e964178e15"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "f5cd1138b7a26c5be0b641fe235ee87bc536fbcb138f4b02d2fb0581e33cec71"
    ),
    "lueneburg-rb2-20-vorjahr": "6e8cd03574dd1057dd2e67aaa3c26a21f656e6b9e4f7433ef82a9238b62dfb41",
    "lueneburg-rb2-30-bonus-malus": (
        "bf2745c2907a1cbf40a64a7fac1988426b5e93fba6dddbbe6740398cd810c1ed"
    ),
    "lueneburg-status-quo": "a19bee8ac062af0b789ba6f58307edcb1308153cf9ac6de58723a84e63ec4b18",
    "potsdam-mittelmark-status-quo": (
        "533dc7ebbb352f202fb2f450926709328fc633f20ff399746e9a4b66d477a664"
    ),
    "ulm-status-quo": "a011a17699ae483b4a41c4b3f3a2274ff3095d72f16433bb87b6e0291699f65a",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "4724315b9fa2f8b7db5ff2a4b61b68e680e4bc0267430f7f154ae9aff902edf8"
    ),
    "celle-status-quo": "64dfaffbde5aca8ea8583f38a4a6f4ebdb1a2338cfcd3d43201286360f10b0ae",
    "lueneburg-rb2-10-keine": "8f41438ee06b58ecea0b2cd34f4b9ff066a7303a852942958ff6d423a9b8c227",
    "lueneburg-rb2-20-ausgleich": (
        "028ec7bb4e915ef503508587251c5710e046c6d6615540d93ac7b87e72da5ae7"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "86c28b3a1f252dbaae0b04ed4dd4ff14feaa19db0ddf5a27c196236d28c1dacc"
    ),
    "lueneburg-rb2-20-keine": "fbf3e1e496df3ce68f6e3519a054ae548521b871872b2854d92acb8667eaf1ec",
    "lueneburg-rb2-20-pauschal": "d57ea4c5b54d0935e7738a1b47f21c58b5c6da7942c3c9fa3b97ccafb3ba8b8f",
    "lueneburg-rb2-20-rueckbehalt": (
        "eacd23941695544c75f06501e9659f0bb86ca6880ff2f53bf9a3526eea3f0bd0"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "2a75d9ddc86824a1d0daa943093217db1f37a9b46f1c3c597c72b06f42348d86"
    ),
    "lueneburg-rb2-20-vorjahr": "fb021185700287ef32540a27e5ff9ac8ae6a30a20cf386606120554b687237af",
    "lueneburg-rb2-30-bonus-malus": (
        "ca4467a89c953ddc434f1b25f376404cb529e7260b5cb4196951e8b02674e038"
    ),
    "lueneburg-status-quo": "eed077aa6fb78c881383d7bf0d44e6dced7e0b5e8c21058d09a8e544626c9494",
    "potsdam-mittelmark-status-quo": (
        "b9ae62bf2e5a16c04cc552fc5fc027c8af7b24a8fea9c8757a11e282f4504916"
    ),
    "ulm-status-quo": "484e65681d73f25df69f4065efee38d6122518ca48f2f17619cdb0801ea5d4c2",
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
