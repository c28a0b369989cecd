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
        "4fe84b4fe95e4f0911e430b8bc599b057c84f6f9c96a85508686515d2ad3c208"
    ),
    "celle-status-quo": "bdb55a933098d34001ab6f0b0e018c2726ff9d84c2f79f55b29b17c487bcc9d9",
    "lueneburg-rb2-10-keine": "e205782a88d6fe11bd06c71d8dec6c40b1a533910b44a38301f5eb028e54030d",
    "lueneburg-rb2-20-ausgleich": (
        "83ae8f63c087033e2725e0fca0f61ef3a23614b7069d633912a1b601329525be"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "afb33a14a125e90a050c516edde539fd21ed2b399240ac0e5eab3564d22bf609"
    ),
    "lueneburg-rb2-20-gruppen": "d4cda3b1f0e8f0615651294f8e6cc5125960b1644137dcbf60467dfe1843b4e7",
    "lueneburg-rb2-20-keine": "eb0a01b7de8dac63b6615ffb6fe26099db2f75474ad00dfea067cc62d3a55353",
    "lueneburg-rb2-20-pauschal": "915d18336bbdf791ae9d6416a2a2c361df2c1473dce6912f8c86eb7ba1c49b69",
    "lueneburg-rb2-20-rueckbehalt": (
        "5827c43718fbc1b2f5267c076e58952ec9eee0adde1b781c8245b35edb5b96a7"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "67fd4f9c49e7961e5c00b0b6558ed3cce0744976803fd45379423dac16dc14b8"
    ),
    "lueneburg-rb2-20-vorjahr": "76b633f50cb7ab3ecf9f4cb705801da15fd478c879d45dc6ee96d09e5457baa3",
    "lueneburg-rb2-30-bonus-malus": (
        "8ecc8606a34ca5d8db4d4178118ef87f57ae08c7939c47c2e0f9a5236aeb86aa"
    ),
    "lueneburg-status-quo": "2a4fce4838405bdb046c15f48d6422d250c30b38d5c584ff2d6f41ded2083ec0",
    "potsdam-mittelmark-status-quo": (
        "5b04932a989bcc5ae1914fe231461ee7cb13dc6f890572ff069fb9ee2f9d492f"
    ),
    "ulm-status-quo": "72b417b1ba82e858bd789ee6f73a3df188dd00f717f84691058e684d29003d0f",
}
"""``Scenario.sha256`` of every shipped scenario, recorded before scenarios/loader.py and
scenarios/schema.py were split into modules of one concern each (issue 11)."""

SHA256_UNCALIBRATED = {
    "celle-kooperation-gemeinsam": (
        "dbc2d7c24e089f47aa65df8f799f9607d07334aab35ec9a7128be41b9a98fae3"
    ),
    "celle-status-quo": "1c29df25916a961e7cf85bb2c44941967a5cffcffced24f55191d10099e8239d",
    "lueneburg-rb2-10-keine": "0c90f092808a82e68a9b95ba7908b23fa237bb3d793ebfe4c1a28f3a16b16f2d",
    "lueneburg-rb2-20-ausgleich": (
        "841ddf74affd0a4263f044023b79f3a247e31e094aff2e74d7d93d7fc0b67c67"
    ),
    "lueneburg-rb2-20-bonus-malus": (
        "d20a8bcb04162846b95b3d78fa277ccb69b5236987080898c0a2deffb650ced4"
    ),
    "lueneburg-rb2-20-gruppen": "69f801f44cf6c543aa7db663784350bd33eb67c795e4bcbcbad7b3a4e0f9e8b7",
    "lueneburg-rb2-20-keine": "9551e6c1ab354fccb8d7f236e030e4c22aaa02f82e20e97709ec249f6978c28e",
    "lueneburg-rb2-20-pauschal": "ec5d46c741e84f8320540082fd130e49a733d3883b1f7d0ecc608f117f1b4118",
    "lueneburg-rb2-20-rueckbehalt": (
        "8ae2f6b277aacea6b5380e50ce3bda6ea660bc563730790133161dcf7ae75f5a"
    ),
    "lueneburg-rb2-20-sozialraumindex": (
        "0f206e9d462674dbeb19d94b0d4c989ba0d68ed08a6f1f85d3e589ca6a6703d9"
    ),
    "lueneburg-rb2-20-vorjahr": "53d6ef1448f248e679053f730448bc9f5ed158503384fbfb6bdfe9d7c0383d75",
    "lueneburg-rb2-30-bonus-malus": (
        "c861944f460f505bb99e10dbbe4a4b4aeef203039b8b339ddc37f385a9da999b"
    ),
    "lueneburg-status-quo": "e4459066220d1bb920cfcd571b503de38c3b3694b46c2cc0d6f6391159b83e7d",
    "potsdam-mittelmark-status-quo": (
        "fbe28f35500a30fb9eb68e55ebdeab0cafe588daaf36dcd03f95fd7ede6a2087"
    ),
    "ulm-status-quo": "b2b82e9b8deb91c6f659a63647b5e9d24fa6dfe9d91f2fbfd86c4eea9569c923",
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
            # the FLS per week of an FLS help (calibrated to its spending)
            "fls_per_week": {"value": 3.8, "unit": "FLS/week", "assumption": "Test"},
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
    assert ht["31"].fls_per_week == 3.8 and ht["30"].fls_per_week == 3.0
    assert ht["34"].daily_rate == 180.0 and ht["34"].mean_duration_months == 30.0
    assert ht["34"].selection_weight == 4.34  # the file's
    prov = [(k, v) for k, v in sc.provenance if k.startswith("help_types.")]
    assert dict(prov)["help_types.27_2.selection_weight"] == "Annahme: Test"
    assert dict(prov)["help_types.31.help_effect"] == "Quelle: Testquelle"
    assert dict(prov)["help_types.31.fls_per_week"] == "Annahme: Test"
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
            {"31": {"age_min_years": {"value": 1, "unit": "years", "assumption": "x"}}},
            "help_types.31.age_min_years",
            "erlaubt: daily_rate, fls_per_week, mean_duration_months, selection_weight",
        ),
        (
            {"34": {"fls_per_week": {"value": 1, "unit": "FLS/week", "assumption": "x"}}},
            "help_types.34.fls_per_week",
            "mit einem Tagessatz abgerechnet, nicht nach Fachleistungsstunden",
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
