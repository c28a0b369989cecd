"""Resolution: the library, ``extends``, variants and their overrides, file errors."""

import os
from pathlib import Path

import pytest
import yaml

from model.params import ModelParams
from scenarios import list_scenarios, load_scenario
from tests.scenarios.helpers import (
    BASE,
    base_doc,
    csv_with,
    load_error,
    raises,
    variant,
    write_scenario,
)

SHIPPED = [
    "lueneburg-status-quo",
    "lueneburg-rb2-10-keine",
    "lueneburg-rb2-20-keine",
    "lueneburg-rb2-20-rueckbehalt",
    "lueneburg-rb2-20-ausgleich",
    "lueneburg-rb2-20-pauschal",
    "lueneburg-rb2-30-bonus-malus",
]


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
    assert len(sc.params.help_types) == 12
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
    assert roles.count("sozialraumtraeger") == 10  # one per Sozialraumbüro
    assert len(p.offices) == 10 and p.sozialraum_quota is not None
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


# ------------------------------------------------------------------ variants


def test_variant_of_a_region_changes_only_that_region(tmp_path):
    write_scenario(tmp_path, "basis", base_doc())
    path = variant(tmp_path, "v", "basis.yaml", {"regions.Region 1.sgb2_share": 0.12})
    p = load_scenario(path).params
    assert [r.sgb2_share for r in p.regions] == [0.12, 0.10, 0.10]
    assert dict(p.provenance)["regions.Region 1.sgb2_share"].startswith("Annahme: in Szenario v")
    assert load_scenario(tmp_path / "basis.yaml").params.regions[0].sgb2_share == 0.10


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


def test_extends_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "basis.yaml")
    variant = tmp_path / "variante.yaml"
    variant.write_text(
        "name: variante\ndescription: Test\nextends: basis.yaml\noverrides: {}\n", "utf-8"
    )
    err = load_error(variant)
    assert err.field == "extends" and err.line == 3
    assert "basis.yaml“ ist keine normale Datei, sondern eine benannte Pipe (FIFO)" in err.message


# ------------------------------------------------------------------ file errors


def test_unknown_key_in_full_scenario_names_the_field(tmp_path):
    doc = base_doc()
    doc["budget"]["bound_sharee"] = doc["budget"].pop("bound_share")
    err = raises(write_scenario(tmp_path, "x", doc), lines=2)  # the typo, the missing field
    assert err.field == "budget.bound_sharee"
    assert err.line is not None
    assert "unbekanntes Feld" in err.message
    assert [p.field for p in err.problems()] == ["budget.bound_sharee", "budget.bound_share"]
    assert "Pflichtfeld fehlt" in err.problems()[1].message


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


def test_unknown_region_of_a_provider(tmp_path):
    doc = base_doc()
    doc["providers"][10]["region"] = "Region 7"
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


# ------------------------------------------------------------------ data files named by a scenario


def test_missing_municipality_file(tmp_path):
    doc = base_doc()
    doc["municipalities_file"] = "fehlt.csv"
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.field == "municipalities_file"
    assert "fehlt.csv" in err.message


def test_negative_population_names_csv_row_and_field(tmp_path):
    csv_with(tmp_path, "Stadt Bleckede,9692,", "Stadt Bleckede,-9692,")
    doc = base_doc()
    doc["municipalities_file"] = "gemeinden.csv"
    err = raises(write_scenario(tmp_path, "x", doc))
    assert err.file.endswith("gemeinden.csv")
    assert err.field == "population"
    assert err.line == 3
    assert "-9692" in err.message and "Stadt Bleckede" in err.message


def test_data_file_override_is_relative_to_the_variant(tmp_path):
    csv_with(tmp_path, "Stadt Bleckede,9692,", "Stadt Bleckede,10000,")
    path = variant(tmp_path, "v", "lueneburg-status-quo", {"municipalities_file": "gemeinden.csv"})
    p = load_scenario(path).params
    assert p.regions[0].municipalities[1].population == 10_000
    assert (
        load_scenario("lueneburg-status-quo").params.regions[0].municipalities[1].population == 9692
    )


def test_extends_not_found_lists_the_library_and_says_a_path_works(tmp_path):
    err = raises(variant(tmp_path, "v", "lueneburg-status-qou", {}))
    assert err.field == "extends" and err.line == 2
    assert "Szenario „lueneburg-status-qou“ nicht gefunden" in err.message
    for name in list_scenarios():
        assert name in err.message
    assert "relativ zu v.yaml" in err.message
    rel = os.path.relpath(BASE, tmp_path)
    assert f"z. B. extends: {Path(rel).as_posix()}" in err.message
    err = raises(variant(tmp_path, "w", "../nirgends/basis.yaml", {}))
    assert "nicht gefunden" in err.message and "nirgends/basis.yaml" in err.message
    assert "relativ zu w.yaml" in err.message


def test_extends_by_a_path_relative_to_the_file(tmp_path):
    """The README's example: a variant in its own folder extends a scenario by path."""
    folder = tmp_path / "varianten"
    folder.mkdir()
    rel = Path(os.path.relpath(BASE, folder)).as_posix()
    path = variant(folder, "mehr-rb2", rel, {"budget.regional2_share": 0.3})
    sc = load_scenario(path)
    assert sc.extends == rel
    assert sc.params.budget.regional2_share == 0.3
    assert sc.params.budget.bound_share == load_scenario(BASE).params.budget.bound_share


# ------------------------------------------------------------------ variant uncertainties

REFERRAL = {
    "parameter": "provider.lead_referral_share",
    "label": "Vermittlung an den Sozialraumträger",
    "distribution": "uniform",
    "low": 0.6,
    "high": 0.95,
    "unit": "share",
    "assumption": "Testannahme",
}


def _uncertainty_variant(tmp_path, **fields) -> Path:
    write_scenario(tmp_path, "basis", base_doc())
    doc = {
        "description": "Testvariante",
        "extends": "basis.yaml",
        "overrides": {"provider.lead_referral_share": 0.8},
        **fields,
    }
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_variant_adds_uncertainties(tmp_path):
    base = [u.parameter for u in load_scenario(BASE).uncertainties]
    path = _uncertainty_variant(tmp_path, add_uncertainties=[REFERRAL])
    got = [u.parameter for u in load_scenario(path).uncertainties]
    assert got == [*base, REFERRAL["parameter"]]


def test_an_added_uncertainty_is_checked_with_its_line(tmp_path):
    bad = {**REFERRAL, "low": 0.9, "high": 0.95}  # the value 0 lies outside
    err = raises(_uncertainty_variant(tmp_path, add_uncertainties=[bad]))
    assert err.field.startswith("uncertainties.")
    assert err.line is not None and err.line > 3


def test_ulm_draws_its_referral_share_and_only_the_group_variant_its_group_offer():
    drawn = [u.parameter for u in load_scenario("ulm-status-quo").uncertainties]
    assert "provider.lead_referral_share" in drawn
    for name in list_scenarios():
        drawn = [u.parameter for u in load_scenario(name).uncertainties]
        assert any("27_2_gruppe" in p for p in drawn) == (name == "lueneburg-rb2-20-gruppen")
