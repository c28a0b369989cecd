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
        "5711705d43ef89e6bbc0f8ed0e9fd4b14f21384875492a6dbe2fb5a4a575538c"
    ),
    "celle-status-quo": "0777d3eb01f208f28c209f60fcc27b4de6acb6ec88c6c325fda3f0b91780e672",
    "lueneburg-rb2-10-keine": "2907251a0254f808e14ec99fefdf8ccf229c5e8adec19149196d0b1c497d4f92",
    "lueneburg-rb2-20-ausgleich": (
        "d3cb326763664b6aad541cd52ac9dc4d145f5d01466b51bf31d157c22b56435c"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "2b13d711ff74d575a7a1349fc1bb347b6beae49bfcc832d06174d1d43b21f306"
    ),
    "lueneburg-rb2-20-keine": "e5ce148b3b6e10695eaf518774d1ba94aba40ace62bc341b548dcc1ab552a1a8",
    "lueneburg-rb2-20-pauschal": "bfc6734754b614851cbc52fe2e563f0fea38d8ef17d68d3e819988875eee2b23",
    "lueneburg-rb2-20-rueckbehalt": (
        "fed0b6f4a24af56994657b8be57ed85ff8c2485bc14f6c99487427c718dd5749"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "21c4fb502781718776d724354dc893e28e0728cb41c6b6ac478078b59a88b182"
    ),
    "lueneburg-rb2-20-vorjahr": "b3fd699be0d1562bbe324ecdd1419b2a1d04b9627c363b1b464220cd84141ce0",
    "lueneburg-rb2-30-bonus-malus": (
        "4283e1adf79acc5a3a0047334afe3dfb09d6d00e2520c0e14a62858114cf7882"
    ),
    "lueneburg-status-quo": "0910d3ee93f61a1c63ebc128320a9c2eed073038215a2c7517c9681ff09ab1ff",
    "potsdam-mittelmark-status-quo": (
        "d6e2834db9253da8834db4250471763033718e57ea64431e2264ea24f8c19aa4"
    ),
    "ulm-status-quo": "d816afb81e1c06c6015672a0647a33e96db87db49114d65c01fe48e21e3148a5",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "9467a9c10dd4d137f083de34f8b44c8215f5858e871e1171ddeaaed620805990"
    ),
    "celle-status-quo": "d19e537f6bd0b2c61a0dc17ebeea1fb6776c61966bf4a9bd482cb2eb7425438d",
    "lueneburg-rb2-10-keine": "59d3e3a7ca2f73459ede7360a54934dd8ac3689986c34b222386a6bdd7e9a894",
    "lueneburg-rb2-20-ausgleich": (
        "de1a2509afc957c6642aae94dce6814203e1a562a303f28a0d7947837691a16f"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "f7da0460490b798496158cb3db763d59927070c8418ecdd1a56fb279c0436fa2"
    ),
    "lueneburg-rb2-20-keine": "1b776d42b34f44fd0ad48587a9a8ad25f95e4ac4ec67916694027c6b7cd86554",
    "lueneburg-rb2-20-pauschal": "b7037df347cc4463339e2161ca1b7ebe5d9afdc45f6dfc715c059108aadd8405",
    "lueneburg-rb2-20-rueckbehalt": (
        "848cf09dcbfbab379f50c609cd70898b1d2e161b78e48427f61196a13643545c"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "cee0cfa2ac85b0e2505989b955790c4bb68a4ccd7e6a7c95a692b4835febdadb"
    ),
    "lueneburg-rb2-20-vorjahr": "f868cf4ee0897b43a22c6d2c656c57ed333f9f48ff5c166a70a15b4ad673e750",
    "lueneburg-rb2-30-bonus-malus": (
        "049b7c832e23208765142764f7747ae1e64f4b9ed934fac2245ba67e916c98c4"
    ),
    "lueneburg-status-quo": "1e5e983300010a3e5d1ea94e43848add13be7743ce98f343524ff49a6df935fa",
    "potsdam-mittelmark-status-quo": (
        "66ca4b69894b07fa57cdc82c69fe359c946abb530a263e3858cb86ac1e48c13e"
    ),
    "ulm-status-quo": "c990b6ba0e5d6ce520b41b3cb1b975c298610112bd9a1229ad1411fbc1b3e256",
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
