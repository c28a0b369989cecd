import doctest
import json
import shutil
from pathlib import Path

import pytest
import yaml

import scenarios.errors as errors_module
from model.params import ModelParams
from scenarios.errors import ScenarioError
from scenarios.loader import (
    DATA_DIR,
    LIBRARY_DIR,
    apply_overrides,
    list_scenarios,
    load_municipalities,
    load_scenario,
    read_yaml,
)
from tests.fixtures.scenario_files import repoint_calibration

BASE = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"
SHIPPED = [
    "lueneburg-status-quo",
    "lueneburg-rb2-10-keine",
    "lueneburg-rb2-20-keine",
    "lueneburg-rb2-20-rueckbehalt",
    "lueneburg-rb2-20-ausgleich",
    "lueneburg-rb2-20-pauschal",
    "lueneburg-rb2-30-bonus-malus",
]


def base_doc() -> dict:
    """The shipped base scenario as plain data, YAML aliases split (safe to modify)."""
    data, _ = read_yaml(BASE)
    return json.loads(json.dumps(data))


def write_scenario(directory: Path, name: str, doc: dict) -> Path:
    """Write a scenario next to copies of the shipped data files."""
    directory.mkdir(parents=True, exist_ok=True)
    for data_file in ("lueneburg_municipalities.csv", "help_types.yaml"):
        if not (directory / data_file).exists():
            shutil.copy(DATA_DIR / data_file, directory / data_file)
    doc = dict(doc)
    if "extends" not in doc:
        doc.setdefault("municipalities_file", "lueneburg_municipalities.csv")
        doc["municipalities_file"] = doc["municipalities_file"].replace("../../data/", "")
        doc["help_types_file"] = doc.get("help_types_file", "help_types.yaml").replace(
            "../../data/", ""
        )
    repoint_calibration(doc, directory)
    doc["name"] = name
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def variant(directory: Path, name: str, extends: str, overrides: dict) -> Path:
    doc = {"description": "Testvariante", "extends": extends, "overrides": overrides}
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def raises(path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert "\n" not in str(err)
    assert str(err).startswith("Fehler in ")
    return err


# ------------------------------------------------------------------ shipped library


def test_library_lists_the_shipped_scenarios():
    assert set(SHIPPED) <= set(list_scenarios())


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads_into_model_params(name):
    sc = load_scenario(name)
    assert isinstance(sc.params, ModelParams)
    assert sc.name == sc.params.name == name
    assert sc.description and "\n" not in sc.description
    assert len(sc.sha256) == 64
    assert sc.params.region_names == ("Region 1", "Region 2", "Region 3")
    assert len(sc.params.help_types) == 11
    assert sc.params.budget.start_year == 2026
    assert sc.params.years == 5


@pytest.mark.parametrize("name", list_scenarios())
def test_every_library_file_loads(name):
    assert isinstance(load_scenario(name).params, ModelParams)


@pytest.mark.parametrize("name", SHIPPED)
def test_provenance_covers_every_quantity(name):
    sc = load_scenario(name)
    paths = [p for p, _ in sc.params.provenance]
    assert len(paths) == len(set(paths))
    for path, text in sc.params.provenance:
        assert text.startswith(("Quelle: ", "Annahme: ")), path
        assert path in sc.units
    for needle in (
        "budget.bound_share",
        "regions.Region 1.sgb2_share",
        "providers.Nordstern.staff_fte",
        "help_types.31.mean_duration_months",
        "municipalities.Stadt Bleckede.population",
        "population.children_distribution",
    ):
        assert needle in paths


def test_status_quo_values():
    p = load_scenario("lueneburg-status-quo").params
    assert p.budget.sozialraum_funds == 2_233_000
    assert p.budget.bound_share == 1.0
    assert p.budget.regional2_share == 0.0
    assert p.incentive.scheme == "none"
    assert [len(r.municipalities) for r in p.regions] == [4, 3, 3]
    assert sum(r.population for r in p.regions) == 110_269
    assert p.population.children_distribution == (0.53, 0.36, 0.09, 0.02)
    assert p.population.child_spacing_months == (18, 60)
    assert [r.direct_contact_share for r in p.regions] == [0.65, 0.75, 0.75]
    roles = [s.role for s in p.providers]
    assert roles.count("sozialraumtraeger") == 3
    assert {s.name for s in p.providers} >= {"Nordstern", "INT", "Familienhelden", "Freiberufler"}
    assert p.projects.duration_months == (12, 24)
    bound = dict(p.provenance)["budget.bound_share"]
    assert bound.startswith("Annahme: Status quo")


@pytest.mark.parametrize(
    ("name", "share", "scheme"),
    [
        ("lueneburg-rb2-10-keine", 0.10, "none"),
        ("lueneburg-rb2-20-keine", 0.20, "none"),
        ("lueneburg-rb2-20-rueckbehalt", 0.20, "retention"),
        ("lueneburg-rb2-20-ausgleich", 0.20, "balancing"),
        ("lueneburg-rb2-20-pauschal", 0.20, "flat"),
        ("lueneburg-rb2-30-bonus-malus", 0.30, "bonus_malus"),
    ],
)
def test_reform_variants(name, share, scheme):
    sc = load_scenario(name)
    assert sc.extends == "lueneburg-status-quo"
    assert sc.params.budget.bound_share == 0.7
    assert sc.params.budget.regional2_share == share
    assert sc.params.incentive.scheme == scheme


def test_incentive_parameters_of_variants():
    assert load_scenario("lueneburg-rb2-20-rueckbehalt").params.incentive.retention_share == 0.5
    bm = load_scenario("lueneburg-rb2-30-bonus-malus").params.incentive
    assert (bm.corridor, bm.bonus_share, bm.malus_share) == (0.05, 0.5, 0.25)
    assert load_scenario("lueneburg-rb2-20-ausgleich").params.incentive.balancing_pots == (
        "regional_2",
    )


def test_load_by_path_equals_load_by_name():
    assert load_scenario(BASE).sha256 == load_scenario("lueneburg-status-quo").sha256
    assert load_scenario(str(BASE)).params == load_scenario("lueneburg-status-quo").params


def test_params_are_frozen():
    sc = load_scenario("lueneburg-status-quo")
    with pytest.raises(AttributeError):
        sc.params.budget.bound_share = 0.5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        sc.name = "x"  # type: ignore[misc]


# ------------------------------------------------------------------ overrides


def test_override_does_not_mutate_base():
    """Regression: loading a variant must leave its base exactly as before.

    Overrides are applied to a copy of the base document; YAML aliases in the base
    (all three regions share one ``sgb2_share`` quantity) must not carry a change to
    one region over to the others, or into the base.
    """
    before = load_scenario("lueneburg-status-quo")
    data, _ = read_yaml(BASE)
    snapshot = json.dumps(data, sort_keys=True)
    doc, _ = apply_overrides(
        data,
        {"regions.Region 1.sgb2_share": 0.3, "budget.bound_share": 0.7, "incentive.scheme": "flat"},
        file=Path("v.yaml"),
        scenario_name="v",
    )
    assert json.dumps(data, sort_keys=True) == snapshot
    assert doc["regions"][0]["sgb2_share"]["value"] == 0.3
    assert doc["regions"][1]["sgb2_share"]["value"] == 0.10
    for name in SHIPPED[1:]:
        load_scenario(name)
    after = load_scenario("lueneburg-status-quo")
    assert after.params == before.params
    assert after.sha256 == before.sha256


def test_variant_of_a_region_changes_only_that_region(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    path = variant(tmp_path, "v", "basis.yaml", {"regions.Region 1.sgb2_share": 0.12})
    p = load_scenario(path).params
    assert [r.sgb2_share for r in p.regions] == [0.12, 0.10, 0.10]
    assert dict(p.provenance)["regions.Region 1.sgb2_share"].startswith("Annahme: in Szenario v")
    assert load_scenario(tmp_path / "basis.yaml").params.regions[0].sgb2_share == 0.10


def test_overrides_are_all_validated_before_any_is_applied():
    data = base_doc()
    snapshot = json.dumps(data, sort_keys=True)
    with pytest.raises(ScenarioError) as info:
        apply_overrides(
            data,
            {"budget.bound_share": 0.5, "budget.nope": 1},
            file=Path("v.yaml"),
            scenario_name="v",
        )
    assert info.value.field == "budget.nope"
    assert json.dumps(data, sort_keys=True) == snapshot


def test_unknown_override_path_names_the_field(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    path = variant(tmp_path, "v", "basis.yaml", {"budget.bound_sharee": 0.5})
    err = raises(path)
    assert err.field == "budget.bound_sharee"
    assert err.line == 4
    assert "unbekanntes Feld „bound_sharee“" in err.message


def test_invalid_override_value_is_rejected(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    err = raises(variant(tmp_path, "v", "basis.yaml", {"budget.bound_share": 1.3}))
    assert str(err) == (
        f"Fehler in {err.file}, Zeile 4, Feld budget.bound_share: "
        "Wert 1,3 liegt nicht zwischen 0 und 1"
    )


def test_override_to_unknown_list_item(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    err = raises(variant(tmp_path, "v", "basis.yaml", {"regions.Region 9.sgb2_share": 0.1}))
    assert err.field == "regions.Region 9"
    assert "Region 1, Region 2, Region 3" in err.message


def test_null_override_removes_optional_field(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    variant(
        tmp_path,
        "rueck",
        "basis.yaml",
        {"incentive.scheme": "retention", "incentive.retention_share": 0.4},
    )
    back = variant(
        tmp_path,
        "zurueck",
        "rueck.yaml",
        {"incentive.scheme": "none", "incentive.retention_share": None},
    )
    assert load_scenario(back).params.incentive.scheme == "none"
    err = raises(variant(tmp_path, "w", "basis.yaml", {"budget.bound_share": None}))
    assert "Pflichtfeld" in err.message


def test_merged_document_is_validated(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    err = raises(variant(tmp_path, "v", "basis.yaml", {"incentive.scheme": "retention"}))
    assert err.field == "incentive.retention_share"
    assert err.line == 4  # the override that caused it


def test_extends_cycle_is_detected(tmp_path):
    variant(tmp_path, "a", "b.yaml", {})
    variant(tmp_path, "b", "./a.yaml", {})
    err = raises(tmp_path / "a.yaml")
    assert err.field == "extends"
    assert "Zyklus" in err.message
    assert "a.yaml → b.yaml → a.yaml" in err.message


def test_extends_itself_is_a_cycle(tmp_path):
    variant(tmp_path, "a", "a.yaml", {})
    assert "Zyklus" in raises(tmp_path / "a.yaml").message


def test_extends_missing_base(tmp_path):
    err = raises(variant(tmp_path, "v", "gibt-es-nicht.yaml", {}))
    assert err.field == "extends"
    assert "nicht gefunden" in err.message
    err = raises(variant(tmp_path, "w", "gibt-es-nicht", {}))
    assert err.field == "extends"
    assert "nicht gefunden" in err.message


def test_extends_library_name_from_anywhere(tmp_path):
    path = variant(tmp_path, "v", "lueneburg-status-quo", {"budget.regional2_share": 0.15})
    assert load_scenario(path).params.budget.regional2_share == 0.15


def test_variant_of_a_variant(tmp_path):
    path = variant(
        tmp_path, "v", "lueneburg-rb2-20-rueckbehalt", {"incentive.retention_share": 0.8}
    )
    p = load_scenario(path).params
    assert (p.budget.regional2_share, p.incentive.retention_share) == (0.2, 0.8)


# ------------------------------------------------------------------ file errors


def test_unknown_key_in_full_scenario_names_the_field(tmp_path):
    doc = base_doc()
    doc["budget"]["bound_sharee"] = doc["budget"].pop("bound_share")
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "budget.bound_sharee"
    assert err.line is not None
    assert "unbekanntes Feld" in err.message


def test_bad_yaml_reports_line_number(tmp_path):
    path = tmp_path / "kaputt.yaml"
    path.write_text("name: kaputt\ndescription: x\nbudget:\n  bound_share: [1, 2\nneed: 3\n")
    err = raises(path)
    assert err.line is not None and err.line >= 4
    assert f"Zeile {err.line}" in str(err)
    assert "YAML" in err.message


def test_bad_yaml_indentation_line(tmp_path):
    path = tmp_path / "kaputt.yaml"
    path.write_text("name: kaputt\ndescription: x\n  years: 3\n")
    err = raises(path)
    assert err.line == 3


def test_duplicate_yaml_key_is_an_error(tmp_path):
    path = tmp_path / "doppelt.yaml"
    path.write_text("description: a\ndescription: b\n")
    err = raises(path)
    assert err.line == 2
    assert "doppelter Schlüssel „description“" in err.message


def test_empty_and_non_mapping_files(tmp_path):
    (tmp_path / "leer.yaml").write_text("")
    assert "leer" in raises(tmp_path / "leer.yaml").message
    (tmp_path / "liste.yaml").write_text("- a\n- b\n")
    assert "oberster Ebene" in raises(tmp_path / "liste.yaml").message


def test_missing_file(tmp_path):
    err = raises(tmp_path / "fehlt.yaml")
    assert err.file.endswith("fehlt.yaml")
    assert err.message == "Datei nicht gefunden"


def test_unknown_scenario_name_lists_the_library():
    err = raises("gibt-es-nicht")
    assert "lueneburg-status-quo" in err.message


def test_name_must_match_file_name(tmp_path):
    path = write_scenario(tmp_path, "x", base_doc())
    path.rename(tmp_path / "y.yaml")
    err = raises(tmp_path / "y.yaml")
    assert err.field == "name"


def test_unknown_municipality(tmp_path):
    doc = base_doc()
    doc["regions"][0]["municipalities"].append("Hansestadt Atlantis")
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "regions.Region 1.municipalities"
    assert "Hansestadt Atlantis" in err.message
    assert "lueneburg_municipalities.csv" in err.message
    assert err.line is not None


def test_unknown_region_of_a_provider(tmp_path):
    doc = base_doc()
    doc["providers"][3]["region"] = "Region 7"
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "providers.Nordstern.region"
    assert "unbekannte Region „Region 7“" in err.message


def test_shares_not_summing_to_100_percent(tmp_path):
    doc = base_doc()
    doc["population"]["children_distribution"]["value"] = [0.53, 0.36, 0.09]
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "population.children_distribution"
    assert "Anteile ergeben nicht 100 %" in err.message


def test_split_share_out_of_range(tmp_path):
    doc = base_doc()
    doc["budget"]["bound_share"]["value"] = 1.3
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "budget.bound_share"
    assert err.message == "Wert 1,3 liegt nicht zwischen 0 und 1"


def test_missing_municipality_file(tmp_path):
    doc = base_doc()
    doc["municipalities_file"] = "fehlt.csv"
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "municipalities_file"
    assert "fehlt.csv" in err.message


def _csv_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA_DIR / "lueneburg_municipalities.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "gemeinden.csv"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_negative_population_names_csv_row_and_field(tmp_path):
    _csv_with(tmp_path, "Stadt Bleckede,9692,", "Stadt Bleckede,-9692,")
    doc = base_doc()
    doc["municipalities_file"] = "gemeinden.csv"
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.file.endswith("gemeinden.csv")
    assert err.field == "population"
    assert err.line == 3
    assert "-9692" in err.message and "Stadt Bleckede" in err.message


@pytest.mark.parametrize(
    ("new", "needle"),
    [
        ("Stadt Bleckede,,", "fehlt"),
        ("Stadt Bleckede,9692.5,", "keine ganze Zahl"),
        ("Stadt Bleckede,9.692,", "keine ganze Zahl"),
    ],
)
def test_bad_population_values(tmp_path, new, needle):
    path = _csv_with(tmp_path, "Stadt Bleckede,9692,", new)
    with pytest.raises(ScenarioError) as info:
        load_municipalities(path)
    assert info.value.field == "population"
    assert info.value.line == 3
    assert needle in info.value.message


def test_municipality_file_needs_its_columns(tmp_path):
    path = _csv_with(tmp_path, "region,municipality,population,", "region,municipality,einwohner,")
    with pytest.raises(ScenarioError) as info:
        load_municipalities(path)
    assert info.value.field == "population"
    assert info.value.line == 1


def test_shipped_municipality_file():
    records = load_municipalities(DATA_DIR / "lueneburg_municipalities.csv")
    assert len(records) == 10
    assert all(r.population > 0 and r.source for r in records.values())
    assert records["Gemeinde Adendorf"].region == "Region 2"


def test_hash_follows_the_data_not_the_location(tmp_path):
    a = load_scenario(write_scenario(tmp_path / "a", "x", base_doc()))
    b = load_scenario(write_scenario(tmp_path / "b", "x", base_doc()))
    assert a.sha256 == b.sha256
    _csv_with(tmp_path / "b", "Stadt Bleckede,9692,", "Stadt Bleckede,9693,")
    doc = base_doc()
    doc["municipalities_file"] = "gemeinden.csv"
    c = load_scenario(write_scenario(tmp_path / "b", "x", doc))
    assert c.sha256 != a.sha256


# ------------------------------------------------------------------ the error type


def test_error_is_one_german_line():
    err = ScenarioError("scenarios/library/x.yaml", "budget.bound_share", "Wert 1,3\n liegt …")
    assert (
        str(err) == "Fehler in scenarios/library/x.yaml, Feld budget.bound_share: Wert 1,3 liegt …"
    )
    assert err.cli_line().startswith("Fehler: Datei scenarios/library/x.yaml, Feld budget.")
    assert str(ScenarioError("x.csv", "population", "negativ", 3)) == (
        "Fehler in x.csv, Zeile 3, Feld population: negativ"
    )


def test_errors_doctests_pass():
    result = doctest.testmod(errors_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_data_file_override_is_relative_to_the_variant(tmp_path):
    _csv_with(tmp_path, "Stadt Bleckede,9692,", "Stadt Bleckede,10000,")
    path = variant(tmp_path, "v", "lueneburg-status-quo", {"municipalities_file": "gemeinden.csv"})
    p = load_scenario(path).params
    assert p.regions[0].municipalities[1].population == 10_000
    assert (
        load_scenario("lueneburg-status-quo").params.regions[0].municipalities[1].population == 9692
    )


# ------------------------------------------------------------------ lead regions, RB 2 types


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


def test_regional2_help_types_must_be_known_codes(tmp_path):
    doc = base_doc()
    doc["budget"]["regional2_help_types"] = ["31", 32]
    p = load_scenario(write_scenario(tmp_path, "x", doc)).params
    assert p.budget.regional2_help_types == ("31", "32")
    doc["budget"]["regional2_help_types"] = ["31", "99"]
    err = raises(write_scenario(tmp_path, "y", doc))
    assert err.field == "budget.regional2_help_types"
    assert "unbekannte Hilfeart „99“" in err.message


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
