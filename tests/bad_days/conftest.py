"""Fixtures of the bad-input catalogue: a small real results store to keep unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from experiments import plan_batch, run_batch
from results.store import ResultsStore


@pytest.fixture(scope="session")
def small_store_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two Lüneburg scenarios × 2 seeds, 1 year at 10 % scale (built once)."""
    path = tmp_path_factory.mktemp("bad_days") / "ergebnisse.duckdb"
    plan = plan_batch(
        ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"], 2, years=1, scale=0.1
    )
    with ResultsStore(path) as store:
        report = run_batch(plan, store)
    assert report.complete
    return path


@pytest.fixture
def small_store(small_store_master: Path, tmp_path: Path) -> Path:
    """A fresh copy of the small store in the test's own folder."""
    path = tmp_path / "ergebnisse.duckdb"
    shutil.copy(small_store_master, path)
    return path
