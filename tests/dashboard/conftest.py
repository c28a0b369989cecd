"""A small real results store shared by the dashboard tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import plan_batch, run_batch
from results.store import ResultsStore

DEMO_SCENARIOS = (
    "lueneburg-status-quo",
    "lueneburg-rb2-20-rueckbehalt",
    "lueneburg-rb2-30-bonus-malus",
)
"""Baseline first: the comparison of journey 1, which ``dashboard/defaults.yaml`` opens with."""


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three Lüneburg scenarios × 4 seeds, 3 years at 30 % scale, in a DuckDB store."""
    path = tmp_path_factory.mktemp("dashboard") / "ergebnisse.duckdb"
    plan = plan_batch(list(DEMO_SCENARIOS), 4, years=3, scale=0.3)
    with ResultsStore(path) as store:
        report = run_batch(plan, store)
    assert report.complete
    return path
