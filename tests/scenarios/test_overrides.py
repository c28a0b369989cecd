"""Overrides: all checked before any is applied, applied to a copy."""

import json
from pathlib import Path

import pytest

from scenarios import ScenarioError, load_scenario, read_yaml
from scenarios.overrides import apply_overrides
from tests.scenarios.helpers import BASE, base_doc

SHIPPED = [
    "lueneburg-status-quo",
    "lueneburg-rb2-10-keine",
    "lueneburg-rb2-20-keine",
    "lueneburg-rb2-20-rueckbehalt",
    "lueneburg-rb2-20-ausgleich",
    "lueneburg-rb2-20-pauschal",
    "lueneburg-rb2-30-bonus-malus",
]


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
