import dataclasses
import json

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from model import params as mp
from scenarios import schema
from scenarios.errors import from_validation_error
from scenarios.loader import DATA_DIR, LIBRARY_DIR, read_yaml
from scenarios.schema import (
    BudgetSection,
    DistributionQuantity,
    HelpTypesDoc,
    IncentiveSection,
    PathError,
    ScenarioDoc,
    Share,
    ShareQuantity,
    annotation_at,
    declared_unit,
    is_quantity_type,
)

BASE = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"


def base_doc() -> dict:
    """The shipped base scenario as plain data, YAML aliases split (safe to modify)."""
    data, _ = read_yaml(BASE)
    return json.loads(json.dumps(data))


def first_error(model: type[BaseModel], data: dict):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return from_validation_error(info.value, "x.yaml", doc=data)


# ------------------------------------------------------------------ quantities


def test_quantity_with_source_or_assumption_is_valid():
    assert ShareQuantity(value=0.19, unit="share", source="Destatis 2022").value == 0.19
    q = ShareQuantity(value=0.1, unit="share", assumption="kein Wert gefunden")
    assert q.provenance == "Annahme: kein Wert gefunden"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({}, "Herkunft fehlt"),
        ({"source": "a", "assumption": "b"}, "nicht beides"),
        ({"source": "  "}, "Herkunft fehlt"),
    ],
)
def test_quantity_needs_exactly_one_provenance(extra, needle):
    with pytest.raises(ValidationError, match=needle):
        ShareQuantity(value=0.5, unit="share", **extra)


def test_share_outside_0_1_gives_german_message():
    with pytest.raises(ValidationError) as info:
        ShareQuantity(value=1.3, unit="share", source="x")
    err = from_validation_error(info.value, "x.yaml", prefix=("budget", "bound_share"))
    assert err.field == "budget.bound_share"
    assert err.message == "Wert 1,3 liegt nicht zwischen 0 und 1"


def test_unit_is_checked():
    adapter = TypeAdapter(Share)
    adapter.validate_python({"value": 0.5, "unit": "share", "source": "x"})
    with pytest.raises(ValidationError, match="Einheit „percent“ passt nicht"):
        adapter.validate_python({"value": 0.5, "unit": "percent", "source": "x"})


def test_quantity_rejects_text_and_bool_values():
    with pytest.raises(ValidationError):
        ShareQuantity(value="0.5", unit="share", source="x")
    with pytest.raises(ValidationError):
        ShareQuantity(value=True, unit="share", source="x")


def test_quantity_rejects_nan():
    with pytest.raises(ValidationError):
        ShareQuantity(value=float("nan"), unit="share", source="x")


def test_distribution_must_sum_to_one():
    ok = DistributionQuantity(value=[0.1] * 10, unit="share", source="x")  # 0.999…9 in floats
    assert len(ok.value) == 10
    with pytest.raises(ValidationError, match="Anteile ergeben nicht 100 %"):
        DistributionQuantity(value=[0.53, 0.36, 0.09], unit="share", source="x")
    with pytest.raises(ValidationError, match="Anteile ergeben nicht 100 %"):
        DistributionQuantity(value=[0.5, 0.5 + 1e-8], unit="share", source="x")


# ------------------------------------------------------------------ sections


def _all_models() -> list[type[BaseModel]]:
    found = []
    for obj in vars(schema).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, BaseModel)
            and obj.__module__ == schema.__name__
        ):
            found.append(obj)
    return found


def test_every_model_forbids_unknown_keys():
    models = _all_models()
    assert len(models) > 15
    for model in models:
        assert model.model_config.get("extra") == "forbid", model.__name__


@pytest.mark.parametrize(
    ("section", "params_cls"),
    [
        (schema.PopulationSection, mp.PopulationParams),
        (schema.NeedSection, mp.NeedParams),
        (schema.RecognitionSection, mp.RecognitionParams),
        (schema.CounsellingSection, mp.CounsellingParams),
        (schema.ProviderSection, mp.ProviderParams),
        (schema.ProviderSpecSection, mp.ProviderSpec),
        (schema.ProjectSection, mp.ProjectParams),
        (schema.BudgetSection, mp.BudgetParams),
        (schema.IncentiveSection, mp.IncentiveParams),
        (schema.HelpTypeSection, mp.HelpType),
    ],
)
def test_sections_mirror_the_engine_parameters(section, params_cls):
    """A field added to model/params.py must also be added to the schema (and back)."""
    assert set(section.model_fields) == {f.name for f in dataclasses.fields(params_cls)}


def test_region_section_mirrors_region_except_municipality_names():
    fields = {f.name for f in dataclasses.fields(mp.Region)}
    assert set(schema.RegionSection.model_fields) == fields


def test_scenario_doc_covers_model_params():
    fields = {f.name for f in dataclasses.fields(mp.ModelParams)} - {"provenance", "help_types"}
    assert fields <= set(ScenarioDoc.model_fields)


def test_shipped_base_validates():
    doc = ScenarioDoc.model_validate(base_doc())
    assert doc.budget.sozialraum_funds.value == 2_233_000
    assert [r.name for r in doc.regions] == ["Region 1", "Region 2", "Region 3"]


def test_unknown_key_names_the_field():
    data = base_doc()
    data["budget"]["bound_sharee"] = data["budget"].pop("bound_share")
    err = first_error(ScenarioDoc, data)
    assert err.field == "budget.bound_sharee"
    assert "unbekanntes Feld" in err.message


def test_bare_number_where_quantity_expected():
    data = base_doc()
    data["budget"]["bound_share"] = 0.7
    err = first_error(ScenarioDoc, data)
    assert err.field == "budget.bound_share"
    assert "erwartet eine Größe" in err.message


def test_duplicate_region_names_rejected():
    data = base_doc()
    data["regions"][1]["name"] = "Region 1"
    err = first_error(ScenarioDoc, data)
    assert "doppelt" in err.message
    assert err.field.startswith("regions.")


def test_municipality_in_two_regions_rejected():
    data = base_doc()
    data["regions"][1]["municipalities"].append("Stadt Bleckede")
    err = first_error(ScenarioDoc, data)
    assert err.field == "regions.Region 2.municipalities"
    assert "gehört schon zu Region „Region 1“" in err.message


def test_provider_in_unknown_region_rejected():
    data = base_doc()
    data["providers"][0]["region"] = "Region 9"
    err = first_error(ScenarioDoc, data)
    assert err.field == "providers.Sozialraumträger Region 1.region"
    assert "unbekannte Region „Region 9“" in err.message


def test_children_distribution_must_sum_to_100_percent():
    data = base_doc()
    data["population"]["children_distribution"]["value"] = [0.5, 0.36, 0.09, 0.02]
    err = first_error(ScenarioDoc, data)
    assert err.field == "population.children_distribution"
    assert err.message.startswith("Anteile ergeben nicht 100 %")


def test_index_weights_must_sum_to_100_percent():
    data = base_doc()
    data["budget"]["index_weights"]["sgb2_share"]["value"] = 0.5
    err = first_error(ScenarioDoc, data)
    assert err.field == "budget.index_weights"
    assert "Anteile ergeben nicht 100 %" in err.message


def test_sozialraumindex_needs_weights():
    data = base_doc()["budget"]
    data["allocation_key"] = "sozialraumindex"
    data["index_weights"] = {}
    with pytest.raises(ValidationError, match="braucht Gewichte"):
        BudgetSection.model_validate(data)


@pytest.mark.parametrize("field", ["bound_share", "regional2_share"])
def test_budget_split_shares_must_lie_in_0_1(field):
    data = base_doc()
    data["budget"][field]["value"] = -0.1
    err = first_error(ScenarioDoc, data)
    assert err.field == f"budget.{field}"
    assert "liegt nicht zwischen 0 und 1" in err.message


def test_thresholds_must_be_ordered():
    data = base_doc()
    data["need"]["threshold_help"]["value"] = 9.0
    err = first_error(ScenarioDoc, data)
    assert err.field == "need.threshold_help"


# ------------------------------------------------------------------ incentive


def q(value):
    return {"value": value, "unit": "share", "assumption": "Test"}


@pytest.mark.parametrize(
    "data",
    [
        {"scheme": "none"},
        {"scheme": "flat"},
        {"scheme": "retention", "retention_share": q(0.5)},
        {
            "scheme": "bonus_malus",
            "corridor": q(0.05),
            "bonus_share": q(0.5),
            "malus_share": q(0.25),
        },
        {"scheme": "balancing"},
        {"scheme": "balancing", "balancing_pots": ["regional_2", "regional_1"]},
    ],
)
def test_incentive_schemes_with_their_parameters(data):
    assert IncentiveSection.model_validate(data).scheme == data["scheme"]


@pytest.mark.parametrize(
    ("data", "field", "needle"),
    [
        ({"scheme": "retention"}, "retention_share", "braucht diesen Parameter"),
        ({"scheme": "bonus_malus", "corridor": q(0.05)}, "bonus_share", "braucht"),
        ({"scheme": "none", "retention_share": q(0.5)}, "retention_share", "gehört nicht"),
        (
            {"scheme": "balancing", "balancing_pots": ["nowhere"]},
            "balancing_pots.0",
            "nicht erlaubt",
        ),
        ({"scheme": "cashback"}, "scheme", "nicht erlaubt"),
    ],
)
def test_incentive_errors(data, field, needle):
    err = first_error(IncentiveSection, data)
    assert err.field.endswith(field) or err.field == field
    assert needle in err.message


# ------------------------------------------------------------------ help types


def test_shipped_help_types_validate():
    data, _ = read_yaml(DATA_DIR / "help_types.yaml")
    doc = HelpTypesDoc.model_validate(data)
    codes = [h.code for h in doc.help_types]
    assert codes == ["27_2", "29", "30", "31", "32", "33", "34", "35", "35a", "41", "42"]
    assert {h.code for h in doc.help_types if h.regional2_eligible} == {"27_2", "30", "31"}


def _help_types() -> dict:
    data, _ = read_yaml(DATA_DIR / "help_types.yaml")
    return json.loads(json.dumps(data))


def test_help_type_billing_must_match_rate():
    data = _help_types()
    data["help_types"][0]["daily_rate"] = {"value": 50.0, "unit": "EUR/day", "assumption": "x"}
    err = first_error(HelpTypesDoc, data)
    assert err.field == "help_types.27_2.daily_rate"


def test_help_type_escalation_must_exist():
    data = _help_types()
    data["help_types"][0]["escalates_to"] = "99"
    err = first_error(HelpTypesDoc, data)
    assert err.field == "help_types.27_2.escalates_to"
    assert "unbekannte Hilfeart" in err.message


def test_numeric_codes_become_text():
    data = _help_types()
    data["help_types"][3]["code"] = 31
    data["help_types"][1]["escalates_to"] = 30
    doc = HelpTypesDoc.model_validate(data)
    assert doc.help_types[3].code == "31"
    assert doc.help_types[1].escalates_to == "30"


# ------------------------------------------------------------------ paths


def test_annotation_at_finds_fields_list_items_and_dict_entries():
    tp, removable = annotation_at(["budget", "bound_share"])
    assert is_quantity_type(tp) and declared_unit(tp) == "share" and not removable
    tp, removable = annotation_at(["incentive", "retention_share"])
    assert is_quantity_type(tp) and removable
    tp, _ = annotation_at(["regions", "Region 1", "sgb2_share"])
    assert declared_unit(tp) == "share"
    tp, _ = annotation_at(["budget", "index_weights", "migration_share"])
    assert declared_unit(tp) == "share"


@pytest.mark.parametrize(
    ("path", "depth", "needle"),
    [
        (["budget", "bound_sharee"], 1, "unbekanntes Feld „bound_sharee“"),
        (["budgett"], 0, "unbekanntes Feld"),
        (["budget", "bound_share", "value"], 2, "in eine Größe hinein"),
        (["budget", "index_weights", "hze_cases"], 2, "unbekannter Schlüssel"),
        (["incentive", "scheme", "x"], 2, "keine Unterfelder"),
    ],
)
def test_annotation_at_rejects_unknown_paths(path, depth, needle):
    with pytest.raises(PathError) as info:
        annotation_at(path)
    assert info.value.depth == depth
    assert needle in info.value.message
