"""The engine tests' fixed scenario equals the shipped Lüneburg status quo.

``tests/fixtures/factory.py`` writes the Lüneburg base values in code so that the
engine's tests do not depend on the loader; this test keeps the two in step.
"""

from __future__ import annotations

import dataclasses

from scenarios.loader import load_scenario
from tests.fixtures.factory import base_params


def test_factory_equals_lueneburg_status_quo():
    shipped = load_scenario("lueneburg-status-quo").params
    fixture = base_params()
    for f in dataclasses.fields(shipped):
        if f.name in ("name", "provenance"):
            continue
        assert getattr(shipped, f.name) == getattr(fixture, f.name), f.name
