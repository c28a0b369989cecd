"""Running a planned batch into the results store, resumably.

:func:`run_batch` registers the batch, skips every run the store already holds and
executes the rest (:mod:`experiments.execution`: in this process, a local pool or a
Dask cluster); the main process stores each finished run in one transaction (see
:mod:`results.store`). Interrupting a batch (Ctrl-C, or the process killed) and
running the same command again skips every stored run and runs only the rest:
nothing is lost, nothing duplicated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from experiments.execution import execute_items, work_items
from experiments.plan import BatchPlan, PlannedRun
from results import ResultsStore, RunData


@dataclass
class BatchReport:
    """What a call of :func:`run_batch` did."""

    batch_id: str
    planned: int
    already_done: int
    ran: int = 0
    failed: list[tuple[PlannedRun, str]] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def complete(self) -> bool:
        """Whether every planned run is now in the store."""
        return (
            not self.interrupted
            and not self.failed
            and (self.already_done + self.ran == self.planned)
        )


class BatchInterrupted(Exception):
    """The batch was interrupted; finished runs are stored."""

    def __init__(self, report: BatchReport) -> None:
        self.report = report
        super().__init__("batch interrupted")


ProgressHook = Callable[[PlannedRun, RunData | None, str | None], None]
"""Called in the main process after each run: (run, data or None, error or None)."""


def run_batch(
    plan: BatchPlan,
    store: ResultsStore,
    *,
    workers: int = 1,
    scheduler: str | Any | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_run: ProgressHook | None = None,
) -> BatchReport:
    """Execute the plan's runs that are not yet stored.

    Args:
        plan: From :func:`experiments.plan.plan_batch`.
        store: The results store (this process is its only writer).
        workers: Local worker processes (1 = in this process).
        scheduler: Address of a Dask scheduler (or a ``distributed.Client``); then
            ``workers`` is ignored. Its workers need no scenario files.
        on_start: Called with (runs to do, runs already stored) before the first run.
        on_run: Called after every run.

    Returns:
        The report.

    Raises:
        BatchInterrupted: On Ctrl-C (or SIGTERM turned into KeyboardInterrupt);
            every run finished before is stored.
    """
    t0 = time.perf_counter()
    store.register_batch(
        plan.batch_id,
        plan.label,
        plan.plan,
        [r.member for r in plan.runs],
    )
    done = store.done_run_ids(plan.run_ids)
    todo = [r for r in plan.runs if r.run_id not in done]  # stored runs are never built
    report = BatchReport(plan.batch_id, len(plan.runs), len(plan.runs) - len(todo))
    if on_start is not None:
        on_start(len(todo), report.already_done)
    by_id = {r.task.run_id: r for r in todo}
    items = work_items([(r.group, r.task) for r in todo])
    try:
        for run_id, data, error in execute_items(items, workers, scheduler):
            run = by_id[run_id]
            if data is not None:
                store.write_run(run.record, data)
                report.ran += 1
            else:
                store.write_failure(run.record, str(error))
                report.failed.append((run, str(error)))
            if on_run is not None:
                on_run(run, data, error)
    except KeyboardInterrupt:
        report.interrupted = True
        report.seconds = time.perf_counter() - t0
        raise BatchInterrupted(report) from None
    report.seconds = time.perf_counter() - t0
    return report


def results_frame(store: ResultsStore, plan: BatchPlan) -> pd.DataFrame:
    """The plan's tidy results from the store, sorted (for comparisons and tests)."""
    ids = plan.run_ids
    frame = store.query("SELECT * FROM results WHERE run_id IN (SELECT unnest(?))", [ids])
    return frame.sort_values(["run_id", "year", "month", "region", "metric"]).reset_index(drop=True)


__all__ = [
    "BatchInterrupted",
    "BatchReport",
    "ProgressHook",
    "results_frame",
    "run_batch",
]
