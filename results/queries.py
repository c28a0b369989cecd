"""The yearly query: the one SQL builder for yearly figures of finished runs.

Yearly figures are the results rows with ``month = 0`` joined with their run's
manifest row (scenario, sweep point, seed). The store's :meth:`ResultsStore.yearly
<results.store.ResultsStore.yearly>`, the comparison and every dashboard view
(values per run, quantiles over runs, overspending) select from the same rows, so
they are built here once: :func:`yearly_filter` gives the ``FROM … WHERE …`` part
and its parameters, :func:`yearly_sql` the whole query of values per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

YEARLY_COLUMNS: tuple[str, ...] = (
    "r.scenario",
    "r.point_id",
    "r.seed",
    "res.run_id",
    "res.year",
    "res.region",
    "res.metric",
    "res.value",
    "res.unit",
)
"""Columns of a yearly figure per run (``r`` the runs table, ``res`` the results)."""

YEARLY_ORDER = "r.scenario, r.point_id, r.seed, res.year, res.metric, res.region"
"""Order of yearly figures: by run, then year (sums over years run in year order)."""

EXPORT_ORDER = "r.scenario, r.point_id, r.seed, res.region, res.metric, res.year"
"""Order of the exports' sheet of yearly figures: by run, region and metric, years last
(a reader scrolls one metric's years together)."""


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def yearly_filter(
    *,
    scenarios: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    batch_id: str | None = None,
    run_ids: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """``FROM … WHERE …`` of the yearly figures of finished runs.

    Args:
        scenarios: Only these scenarios (None: all).
        metrics: Only these metrics (None: all).
        regions: Only these regions (None: all, including ``Gesamt``).
        batch_id: Only runs of this batch (None: all runs).
        run_ids: Only these runs (None: all runs).

    Returns:
        The SQL text (tables ``res`` and ``r``) and its parameters in order. An empty
        sequence selects nothing.
    """
    params: list[Any] = []
    join = ""
    if batch_id is not None:
        join = " JOIN batch_runs b ON b.run_id = r.run_id AND b.batch_id = ?"
        params.append(batch_id)
    where = ["res.month = 0", "r.status = 'done'"]
    for column, values in (
        ("r.scenario", scenarios),
        ("res.region", regions),
        ("res.metric", metrics),
    ):
        if values is None:
            continue
        if not values:
            where.append("FALSE")
            continue
        where.append(f"{column} IN ({_marks(values)})")
        params.extend(values)
    if run_ids is not None:
        where.append("res.run_id IN (SELECT unnest(?))")
        params.append(list(run_ids))
    sql = f"FROM results res JOIN runs r ON r.run_id = res.run_id{join} WHERE {' AND '.join(where)}"
    return sql, params


def yearly_sql(
    *,
    scenarios: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    batch_id: str | None = None,
    run_ids: Sequence[str] | None = None,
    order: str = YEARLY_ORDER,
) -> tuple[str, list[Any]]:
    """The query of yearly figures per run (:data:`YEARLY_COLUMNS`).

    Args:
        scenarios: As :func:`yearly_filter`.
        metrics: As :func:`yearly_filter`.
        regions: As :func:`yearly_filter`.
        batch_id: As :func:`yearly_filter`.
        run_ids: As :func:`yearly_filter`.
        order: ``ORDER BY`` list (default :data:`YEARLY_ORDER`).

    Returns:
        The SQL text and its parameters.
    """
    source, params = yearly_filter(
        scenarios=scenarios, metrics=metrics, regions=regions, batch_id=batch_id, run_ids=run_ids
    )
    return f"SELECT {', '.join(YEARLY_COLUMNS)} {source} ORDER BY {order}", params


__all__ = ["EXPORT_ORDER", "YEARLY_COLUMNS", "YEARLY_ORDER", "yearly_filter", "yearly_sql"]
