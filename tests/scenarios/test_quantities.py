"""Quantities: provenance, units, allowed values, and what counts as a quantity."""

import pytest
from pydantic import TypeAdapter, ValidationError

from scenarios.errors import from_validation_error
from scenarios.quantities import (
    DistributionQuantity,
    Share,
    ShareQuantity,
    is_quantity_node,
    walk_quantities,
)

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


# ------------------------------------------------------------------ raw document nodes


def test_a_raw_node_is_a_quantity_if_it_has_a_value_and_a_textual_unit():
    assert is_quantity_node({"value": 0.7, "unit": "share", "assumption": "Hebel"})
    assert is_quantity_node({"value": [0.5, 0.5], "unit": "share", "source": "x"})
    assert not is_quantity_node({"value": 0.7})
    assert not is_quantity_node({"unit": "share", "source": "x"})
    assert not is_quantity_node([0.7, "share"])
    assert not is_quantity_node(0.7)
    # a mapping of names to quantities whose names happen to be value and unit
    hours = {"value": {"value": 10.0, "unit": "hours/year", "assumption": "x"}}
    hours["unit"] = {"value": 5.0, "unit": "hours/year", "assumption": "x"}
    assert not is_quantity_node(hours)


def test_walk_quantities_names_every_quantity_by_its_document_path():
    from scenarios.documents import ScenarioDoc
    from tests.scenarios.helpers import base_doc

    doc = ScenarioDoc.model_validate(base_doc())
    prov, units = walk_quantities(doc)
    paths = [p for p, _ in prov]
    assert len(paths) == len(set(paths)) == len(units)
    assert units["budget.bound_share"] == "share"
    assert units["regions.Region 2.sgb2_share"] == "share"
    assert dict(prov)["budget.bound_share"].startswith("Annahme: ")
    assert all(text.startswith(("Quelle: ", "Annahme: ")) for text in dict(prov).values())
