"""The yearly query: one SQL builder behind the store, the dashboard and the exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.data import DashboardData
from experiments import plan_batch, run_batch
from results import ResultsStore, yearly_filter, yearly_sql
from results.export import yearly as export_yearly

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-keine"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jahreswerte") / "ergebnisse.duckdb"
    with ResultsStore(path) as s:
        assert run_batch(plan_batch([A, B], 2, years=2, scale=0.1), s).complete
    return path


def test_store_and_dashboard_read_the_same_rows(store):
    with ResultsStore(store, read_only=True) as s:
        from_store = s.yearly([A, B], ["total_spent", "escalations"], region=None)
    data = DashboardData(store)
    try:
        from_dashboard = data.yearly(["total_spent", "escalations"], [A, B], regions=None)
    finally:
        data.close()
    assert from_store.drop(columns="run_id").reset_index(drop=True).equals(from_dashboard)
    assert len(from_store) == 2 * 2 * 2 * 2 * 4  # scenarios × seeds × years × metrics × regions
    by_run = from_store.groupby(["scenario", "seed", "metric", "region"])["year"]
    assert by_run.apply(lambda y: y.is_monotonic_increasing).all()  # sums run in year order


def test_filters(store):
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
        one = runs["run_id"].iloc[0]
        sql, params = yearly_sql(run_ids=[one], metrics=["total_spent"], regions=["Gesamt"])
        frame = s.query(sql, params)
        assert set(frame["run_id"]) == {one} and len(frame) == 2
        assert frame.equals(
            export_yearly(s, [one])
            .query("metric == 'total_spent' and region == 'Gesamt'")
            .reset_index(drop=True)
        )
        batch = s.batches()["batch_id"].iloc[0]
        sql, params = yearly_sql(batch_id=batch, scenarios=[A], metrics=["total_spent"])
        assert set(s.query(sql, params)["scenario"]) == {A}
        sql, params = yearly_sql(scenarios=[], metrics=["total_spent"])
        assert s.query(sql, params).empty  # an empty selection selects nothing
        source, params = yearly_filter(scenarios=[A], regions=["Gesamt"])
        years = s.query(f"SELECT DISTINCT res.year {source} ORDER BY 1", params)
        assert list(years["year"]) == [2026, 2027]
