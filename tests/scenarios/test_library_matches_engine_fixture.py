"""The engine tests' fixed scenario equals the shipped Lüneburg status quo.

``tests/fixtures/factory.py`` writes the Lüneburg base values in code so that the
engine's tests do not depend on the loader, ``tests/fixtures/offices.py`` adds the ten
Sozialraumträger with their offices and the quota; this test keeps them in step. The
fixture holds the values written in the scenario files; the shipped scenario then
replaces the calibrated parameters by the calibration file's point estimate, and
nothing else.
"""

from __future__ import annotations

import dataclasses

from scenarios import load_scenario
from tests.fixtures.offices import shipped_params


def test_factory_equals_lueneburg_status_quo_before_calibration():
    shipped = load_scenario("lueneburg-status-quo", calibrated=False).params
    fixture = shipped_params()
    for f in dataclasses.fields(shipped):
        if f.name in ("name", "provenance"):
            continue
        assert getattr(shipped, f.name) == getattr(fixture, f.name), f.name


def _flat(obj: object, prefix: str = "") -> dict[str, object]:
    """Dotted path → value of every leaf of the parameter dataclasses."""
    if dataclasses.is_dataclass(obj):
        out: dict[str, object] = {}
        for f in dataclasses.fields(obj):
            if f.name != "provenance":
                out |= _flat(getattr(obj, f.name), f"{prefix}{f.name}.")
        return out
    if isinstance(obj, tuple) and obj and dataclasses.is_dataclass(obj[0]):
        out = {}
        for i, item in enumerate(obj):
            key = getattr(item, "code", None) or getattr(item, "name", None) or str(i)
            out |= _flat(item, f"{prefix}{key}.")
        return out
    return {prefix.rstrip("."): obj}


def test_calibration_changes_only_the_calibrated_parameters():
    plain = _flat(load_scenario("lueneburg-status-quo", calibrated=False).params)
    scenario = load_scenario("lueneburg-status-quo")
    calibrated = _flat(scenario.params)
    changed = {k for k in plain if plain[k] != calibrated[k]}
    assert changed <= set(scenario.calibrated_paths)
    assert len(changed) >= len(scenario.calibrated_paths) - 1  # a value may coincide
