"""Dotted paths into the schema and into a document."""

import pytest

from scenarios.documents import ScenarioDoc
from scenarios.paths import (
    PathError,
    annotation_at,
    copy_tree,
    expand_path,
    item_position,
    model_at,
    value_at,
    value_at_node,
)
from scenarios.quantities import declared_unit, is_quantity_type

# ------------------------------------------------------------------ schema paths


def test_annotation_at_finds_fields_list_items_and_dict_entries():
    tp, removable = annotation_at(["budget", "bound_share"], ScenarioDoc)
    assert is_quantity_type(tp) and declared_unit(tp) == "share" and not removable
    tp, removable = annotation_at(["incentive", "retention_share"], ScenarioDoc)
    assert is_quantity_type(tp) and removable
    tp, _ = annotation_at(["regions", "Region 1", "sgb2_share"], ScenarioDoc)
    assert declared_unit(tp) == "share"
    tp, _ = annotation_at(["budget", "index_weights", "migration_share"], ScenarioDoc)
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
        annotation_at(path, ScenarioDoc)
    assert info.value.depth == depth
    assert needle in info.value.message


def test_model_at_names_the_section_of_a_location():
    from scenarios.sections import BudgetSection, RegionSection

    assert model_at(("budget",), ScenarioDoc) is BudgetSection
    assert model_at(("regions", 0), ScenarioDoc) is RegionSection
    assert model_at(("regions",), ScenarioDoc) is RegionSection  # the item model of a list
    assert model_at(("budget", "bound_share"), ScenarioDoc) is not BudgetSection
    assert model_at(("nope",), ScenarioDoc) is None


# ------------------------------------------------------------------ document paths

DOC = {
    "regions": [
        {"name": "Region 1", "sgb2_share": {"value": 0.12, "unit": "share", "source": "x"}},
        {"name": "Region 2", "sgb2_share": {"value": 0.10, "unit": "share", "source": "x"}},
    ],
    "help_types": [{"code": "31", "label": "SPFH"}],
    "budget": {
        "bound_share": {"value": 0.7, "unit": "share", "assumption": "Hebel"},
        "coordination_hours": {
            "value": {"value": 10.0, "unit": "hours/year", "assumption": "x"},
            "unit": {"value": 5.0, "unit": "hours/year", "assumption": "x"},
        },
    },
}


def test_value_at_unwraps_quantities_and_finds_items_by_name_code_or_position():
    assert value_at(DOC, "budget.bound_share") == 0.7
    assert value_at(DOC, "regions.Region 2.sgb2_share") == 0.10
    assert value_at(DOC, "regions.0.sgb2_share") == 0.12
    assert value_at(DOC, "help_types.31.label") == "SPFH"
    assert value_at_node(DOC, "budget.bound_share")["unit"] == "share"
    for missing in (
        "budget.nope",
        "regions.Region 9.sgb2_share",
        "regions.5",
        "budget.bound_share.x",
    ):
        with pytest.raises(KeyError):
            value_at(DOC, missing)


def test_regression_hours_named_value_and_unit_read_as_one_quantity():
    """``value_at`` took any mapping with keys ``value`` and ``unit`` for a quantity.

    Coordination hours by purpose are a mapping of names to quantities; purposes
    named ``value`` and ``unit`` made the mapping look like one quantity, and the
    briefing had a second, different rule. Both now use ``is_quantity_node``.
    """
    hours = value_at(DOC, "budget.coordination_hours")
    assert set(hours) == {"value", "unit"}
    assert value_at(DOC, "budget.coordination_hours.value") == 10.0
    assert value_at(DOC, "budget.coordination_hours.unit") == 5.0


def test_expand_path_and_item_position():
    assert expand_path(DOC, "regions.*.sgb2_share") == [
        "regions.Region 1.sgb2_share",
        "regions.Region 2.sgb2_share",
    ]
    assert expand_path(DOC, "budget.coordination_hours.*") == [
        "budget.coordination_hours.value",
        "budget.coordination_hours.unit",
    ]
    assert expand_path(DOC, "budget.bound_share") == ["budget.bound_share"]
    with pytest.raises(KeyError):
        expand_path(DOC, "budget.bound_share.*")
    assert item_position(DOC["regions"], "Region 2") == 1
    assert item_position(DOC["regions"], "2") is None


def test_copy_tree_splits_shared_nodes():
    shared = {"value": 0.1, "unit": "share", "source": "x"}
    tree = {"regions": [{"s": shared}, {"s": shared}]}
    copied = copy_tree(tree)
    copied["regions"][0]["s"]["value"] = 0.3
    assert copied["regions"][1]["s"]["value"] == 0.1
    assert shared["value"] == 0.1
