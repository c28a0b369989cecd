"""Read access to the results store for the dashboard: tidy frames, no figures.

Every function returns a small pandas frame computed in DuckDB from the store:
quantiles over runs, paired differences against a baseline, money flows. Runs of a
scenario are pooled over sweep points (the bands then include the sampled
uncertainty); paired differences pair runs on (sweep point, seed), which share
their random numbers.

Quantile columns: ``q05``, ``q25``, ``median``, ``q75``, ``q95`` (50 % band =
q25–q75, 90 % band = q05–q95).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from results import (
    POT_LABELS,
    POTS,
    QUANTILES,
    ResultsStore,
    help_type_labels,
    paired_quantiles,
    yearly_filter,
    yearly_sql,
)

TOTAL = "Gesamt"

_Q_SQL = ", ".join(f"quantile_cont(value, {q}) AS {name}" for name, q in QUANTILES)

YEARLY_COLUMNS = ["scenario", "point_id", "seed", "year", "region", "metric", "value", "unit"]
"""Columns of :meth:`DashboardData.yearly`."""


class DashboardData:
    """Queries on one results store, safe to share between server threads.

    Args:
        store: Path of the DuckDB results store (opened read-only).
    """

    def __init__(self, store: str | Path) -> None:
        self.path = Path(store)
        self._store = ResultsStore(self.path, read_only=True)
        self._local = threading.local()

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def _cursor(self) -> Any:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._store.con.cursor()
            self._local.cursor = cur
        return cur

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run SQL on this thread's cursor."""
        return self._cursor().execute(sql, list(params)).df()

    # ------------------------------------------------------------------ catalogue

    def scenarios(self) -> pd.DataFrame:
        """Scenarios with finished runs: name, description, runs, seeds, points, years."""
        return self.query(
            """SELECT scenario, any_value(description) AS description,
                      count(*) AS runs, count(DISTINCT seed) AS seeds,
                      count(DISTINCT point_id) AS points, max(years) AS years,
                      max(scale) AS scale
               FROM runs WHERE status = 'done' GROUP BY scenario ORDER BY scenario"""
        )

    def regions(self) -> list[str]:
        """Region names in the store (without ``Gesamt``)."""
        frame = self.query(
            "SELECT DISTINCT region FROM results WHERE region <> ? ORDER BY region", [TOTAL]
        )
        return list(frame["region"])

    @cached_property
    def labels(self) -> dict[str, str]:
        """Help-type labels (:func:`results.help_type_labels`)."""
        return help_type_labels()

    def batches(self) -> pd.DataFrame:
        """Batches with planned and finished runs."""
        return self._store.batches()

    def runs(self) -> pd.DataFrame:
        """The runs manifest (without the parameter JSON)."""
        return self.query(
            """SELECT run_id, scenario, scenario_sha256, seed, point_id, point, years, scale,
                      code_version, status, started, finished, seconds, worker
               FROM runs ORDER BY scenario, point_id, seed"""
        )

    def analyses(self) -> pd.DataFrame:
        """Stored analyses (sensitivity, discovery, search), newest first, JSON parsed."""
        frame = self.query("SELECT * FROM analyses ORDER BY created DESC, analysis_id")
        for column in ("batch_ids", "settings", "result"):
            frame[column] = [json.loads(v) if isinstance(v, str) else v for v in frame[column]]
        return frame

    def sensitivity_indices(self, analysis_id: str) -> pd.DataFrame:
        """The indices of one sensitivity analysis (outcome, parameter, label, measure …)."""
        return self.query(
            "SELECT outcome, parameter, label, measure, value, conf FROM sensitivity_indices "
            "WHERE analysis_id = ? ORDER BY outcome, measure, value DESC, parameter",
            [analysis_id],
        )

    def run_params(self, run_id: str) -> str:
        """The full parameters of one run (JSON text)."""
        frame = self.query("SELECT params FROM runs WHERE run_id = ?", [run_id])
        return str(frame["params"].iloc[0]) if len(frame) else ""

    # ------------------------------------------------------------------ yearly values

    def yearly(
        self,
        metrics: Sequence[str],
        scenarios: Sequence[str],
        regions: Sequence[str] | None = (TOTAL,),
    ) -> pd.DataFrame:
        """Yearly values per run: scenario, point_id, seed, year, region, metric, value, unit.

        The store's yearly query (:func:`results.yearly_sql`), by run and year.
        """
        if not scenarios or not metrics:
            return pd.DataFrame(columns=YEARLY_COLUMNS)
        sql, params = yearly_sql(scenarios=scenarios, metrics=metrics, regions=regions)
        return self.query(sql, params)[YEARLY_COLUMNS]

    def quantiles(
        self,
        metrics: Sequence[str],
        scenarios: Sequence[str],
        regions: Sequence[str] | None = (TOTAL,),
    ) -> pd.DataFrame:
        """Per scenario, region, metric and year: runs and q05 … q95 over runs."""
        if not scenarios or not metrics:
            return pd.DataFrame(
                columns=["scenario", "region", "metric", "year", "unit", "runs"]
                + [q for q, _ in QUANTILES]
            )
        source, params = yearly_filter(scenarios=scenarios, metrics=metrics, regions=regions)
        return self.query(
            f"""SELECT r.scenario, res.region, res.metric, res.year, any_value(res.unit) AS unit,
                       count(*) AS runs, {_Q_SQL}
                {source}
                GROUP BY ALL ORDER BY r.scenario, res.region, res.metric, res.year""",
            params,
        )

    def paired(
        self,
        metrics: Sequence[str],
        baseline: str,
        scenarios: Sequence[str],
        regions: Sequence[str] | None = (TOTAL,),
    ) -> pd.DataFrame:
        """Paired differences ``scenario − baseline`` per run pair (same point and seed).

        Returns:
            scenario, region, metric, year, unit, pairs, q05 … q95 of the difference.
        """
        others = [s for s in scenarios if s != baseline]
        if not others or not metrics:
            return pd.DataFrame(
                columns=["scenario", "region", "metric", "year", "unit", "pairs"]
                + [q for q, _ in QUANTILES]
            )
        values = self.yearly(metrics, [baseline, *others], regions)
        return paired_quantiles(values, baseline)

    def overspend_probability(self, scenarios: Sequence[str]) -> pd.DataFrame:
        """Share of runs whose total spending exceeds the total budget, per year."""
        if not scenarios:
            return pd.DataFrame(columns=["scenario", "year", "runs", "probability"])
        source, params = yearly_filter(
            scenarios=scenarios, metrics=("total_spent", "total_budget"), regions=(TOTAL,)
        )
        return self.query(
            f"""WITH v AS (
                  SELECT r.scenario, r.run_id, res.year,
                         max(value) FILTER (WHERE metric = 'total_spent') AS spent,
                         max(value) FILTER (WHERE metric = 'total_budget') AS budget
                  {source}
                  GROUP BY ALL)
                SELECT scenario, year, count(*) AS runs,
                       avg(CASE WHEN spent > budget THEN 1.0 ELSE 0.0 END) AS probability
                FROM v GROUP BY ALL ORDER BY scenario, year""",
            params,
        )

    def pots(
        self, scenarios: Sequence[str], regions: Sequence[str] | None = (TOTAL,)
    ) -> pd.DataFrame:
        """Median budget and spending per pot.

        Returns:
            scenario, region, year, pot, label, budget, spent (EUR).
        """
        metrics = [f"{stem}_{pot}" for pot in POTS for stem in ("budget", "spent")]
        q = self.quantiles(metrics, scenarios, regions)
        if q.empty:
            return pd.DataFrame(
                columns=["scenario", "region", "year", "pot", "label", "budget", "spent"]
            )
        q["pot"] = q["metric"].str.split("_", n=1).str[1]
        q["kind"] = q["metric"].str.split("_", n=1).str[0]
        wide = q.pivot_table(
            index=["scenario", "region", "year", "pot"], columns="kind", values="median"
        ).reset_index()
        wide["label"] = wide["pot"].map(POT_LABELS)
        wide["order"] = wide["pot"].map(POTS.index)
        wide = wide.sort_values(["scenario", "region", "year", "order"]).drop(columns="order")
        return wide[["scenario", "region", "year", "pot", "label", "budget", "spent"]]

    def cases_by_type(
        self, scenarios: Sequence[str], year: int | None = None, region: str = TOTAL
    ) -> pd.DataFrame:
        """Cases per 10,000 under-21 by help type: scenario, code, label, year, q05 … q95."""
        codes = list(self.labels)
        q = self.quantiles([f"cases_per_10k_{c}" for c in codes], scenarios, (region,))
        if q.empty:
            return q
        if year is not None:
            q = q[q["year"] == year]
        q["code"] = q["metric"].str.removeprefix("cases_per_10k_")
        q["label"] = q["code"].map(self.labels)
        q["order"] = q["code"].map(codes.index)
        return q.sort_values(["scenario", "order", "year"]).drop(columns="order")

    def flows(self, scenario: str, year: int | None = None) -> pd.DataFrame:
        """Mean money flow per run: region, pot, item, kind, eur (one year or all)."""
        params: list[Any] = [scenario]
        year_sql = ""
        if year is not None:
            year_sql = "AND f.year = ?"
            params.append(year)
        return self.query(
            f"""WITH n AS (SELECT count(*) AS runs FROM runs
                           WHERE scenario = ? AND status = 'done')
                SELECT f.region, f.pot, f.item, f.kind, sum(f.cents) / 100.0 / any_value(n.runs)
                       AS eur
                FROM flows f JOIN runs r USING (run_id), n
                WHERE r.scenario = ? AND r.status = 'done' {year_sql}
                GROUP BY ALL HAVING sum(f.cents) <> 0 ORDER BY ALL""",
            [scenario, *params],
        )

    def years(self, scenarios: Sequence[str]) -> list[int]:
        """Reported years of these scenarios."""
        if not scenarios:
            return []
        source, params = yearly_filter(scenarios=scenarios)
        frame = self.query(f"SELECT DISTINCT res.year {source} ORDER BY 1", params)
        return [int(y) for y in frame["year"]]


__all__ = ["TOTAL", "YEARLY_COLUMNS", "DashboardData"]
