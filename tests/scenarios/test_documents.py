"""Documents: whole scenario and help-type files validated, errors naming the field."""

import dataclasses
import json

import pytest
from pydantic import BaseModel, ValidationError

from model import params as mp
from scenarios import DATA_DIR, read_yaml
from scenarios.documents import HelpTypesDoc, ScenarioDoc
from scenarios.errors import from_validation_error
from tests.scenarios.helpers import base_doc


def first_error(model: type[BaseModel], data: dict):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return from_validation_error(info.value, "x.yaml", doc=data)


# ------------------------------------------------------------------ scenario files


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
    assert err.field == "providers.Internationaler Bund (IB).region"
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


# ------------------------------------------------------------------ help-type files


def test_shipped_help_types_validate():
    data, _ = read_yaml(DATA_DIR / "help_types.yaml")
    doc = HelpTypesDoc.model_validate(data)
    codes = [h.code for h in doc.help_types]
    assert codes == [
        "27_2",
        "29",
        "30",
        "31",
        "32",
        "33",
        "34",
        "35",
        "35a",
        "41",
        "42",
        "27_2_gruppe",
    ]
    eligible = {h.code for h in doc.help_types if h.regional2_eligible}
    assert eligible == {"27_2", "30", "31", "27_2_gruppe"}
    offer = [h for h in doc.help_types if h.group_offer_replaces]
    assert [h.code for h in offer] == ["27_2_gruppe"]
    assert offer[0].group_offer_replaces == ["27_2", "30", "31"]


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


def test_regions_of_a_provider_must_exist():
    data = base_doc()
    data["providers"][0].pop("region", None)
    data["providers"][0]["regions"] = ["Region 1", "Region 9"]
    err = first_error(ScenarioDoc, data)
    assert err.field.endswith(".regions.1")
    assert "unbekannte Region „Region 9“" in err.message
    assert "Region 1, Region 2, Region 3" in err.message


def test_regression_only_the_first_cross_check_was_reported():
    """A file with a doubled region name and an unknown provider region said only the
    first (and "und 1 weitere(r) Fehler" elsewhere); now every problem has its line."""
    data = base_doc()
    data["regions"][1]["name"] = "Region 1"
    data["providers"][0]["region"] = "Region 9"
    err = first_error(ScenarioDoc, data)
    messages = [p.message for p in err.problems()]
    assert any("Regionsname „Region 1“ ist doppelt" in m for m in messages)
    assert any("unbekannte Region „Region 9“" in m for m in messages)
    assert "weitere(r)" not in str(err)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"selection_weight": {"value": 0.2, "unit": "factor", "assumption": "x"}}, "muss 0 sein"),
        ({"group_offer_fit": None}, "group_offer_replaces und group_offer_fit"),
        ({"group_offer_replaces": ["27_2_gruppe"]}, "ersetzt andere Hilfen"),
        ({"group_offer_replaces": ["99"]}, "unbekannte Hilfeart „99“"),
    ],
)
def test_group_offer_type_is_checked(change, message):
    """The group offer is chosen only instead of another help and replaces known helps."""
    data, _ = read_yaml(DATA_DIR / "help_types.yaml")
    offer = next(h for h in data["help_types"] if "group_offer_replaces" in h)
    for key, value in change.items():
        if value is None:
            del offer[key]
        else:
            offer[key] = value
    with pytest.raises(ValidationError, match=message):
        HelpTypesDoc.model_validate(data)
