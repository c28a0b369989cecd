"""Batch runs: scenarios × sweep points × replicates, resumable, on a pool or cluster.

A batch is planned first and completely (every scenario loaded, every sweep point
validated) before anything is written, so a broken input never touches the store.
Then the runs that are not yet in the store are executed:

* ``workers=1``: one after the other in this process;
* ``workers>1``: a local process pool (``spawn``; each worker loads a scenario once
  and keeps it);
* ``scheduler="tcp://host:8786"``: a Dask distributed cluster. Workers must have this
  package installed; results are the same as locally for the same seeds, because a
  run depends only on its parameters and seed.

**Common random numbers.** Replicate ``r`` runs with seed ``seed_base + r`` in every
scenario and at every sweep point, and the engine draws its population and all
random streams from the seed alone, so the scenarios of a batch differ only by
their parameters: differences between them are paired.

**Shared burn-in.** Runs with the same seed whose scenarios differ only in levers the
burn-in ignores (the split and the incentive) share one simulated burn-in
(:func:`model.run.run_group`), in work items of up to :data:`GROUP_SIZE` runs; the
results equal separate runs exactly.

**Resuming.** A run's id is a hash of the scenario's resolved content (including the
sweep point's overrides), the seed and the code version; the main process stores
each finished run in one transaction (see :mod:`results.store`). Interrupting a
batch (Ctrl-C, or the process killed) and running the same command again skips
every stored run and runs only the rest: nothing is lost, nothing duplicated.

**Workers die with their batch.** A pool worker must not outlive the process that
started it (after ``kill -9`` of a batch it would otherwise keep a few hundred MB
for as long as its run takes, or forever while it waits for work): on Linux the
kernel kills it when its parent dies (``PR_SET_PDEATHSIG``), and on every system a
watchdog thread in the worker ends it when its parent changes (see
:func:`_worker_init`). Once the workers are gone, multiprocessing's resource
tracker sees the end of its pipe and exits as well.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.sweep import Sweep
from model.params import ModelParams
from model.run import burn_in_key, run_group
from results.store import ResultsStore, RunData, RunRecord
from scenarios.limits import check_batch_size
from scenarios.loader import Scenario, calibration_overrides, load_scenario

_SOURCE_PACKAGES = ("model", "scenarios", "experiments")


@functools.cache
def code_version() -> str:
    """Package version plus a hash of the engine and scenario code (``0.1.0+3f2a…``).

    Runs made with different code get different run ids, so results of changed code
    are never mixed into a resumed batch.
    """
    try:
        version = importlib.metadata.version("sozialraum-sim")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        version = "0"
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in _SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


# =========================================================================== tasks


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (small and picklable)."""

    run_id: str
    scenario_path: str
    overrides_json: str
    """The point's overrides (plus ``years``/``scale``) as canonical JSON."""
    overrides_file: str | None
    seed: int
    calibrated: bool = True
    """Apply the scenario's calibration file; the calibration itself runs without it."""


@functools.lru_cache(maxsize=128)
def _params(
    scenario_path: str, overrides_json: str, overrides_file: str | None, calibrated: bool = True
) -> ModelParams:
    overrides = json.loads(overrides_json)
    scenario = load_scenario(
        scenario_path, overrides, overrides_file=overrides_file, calibrated=calibrated
    )
    return scenario.params


def execute_group(tasks: Sequence[RunTask]) -> list[RunData]:
    """Run tasks that share a seed (in a worker), sharing identical burn-ins.

    See :func:`model.run.run_group`; the results equal separate runs exactly.
    """
    started = _now()
    params = [
        _params(t.scenario_path, t.overrides_json, t.overrides_file, t.calibrated) for t in tasks
    ]
    seeds = {t.seed for t in tasks}
    if len(seeds) != 1:
        raise ValueError("a group shares one seed")
    results = run_group(params, tasks[0].seed, [t.run_id for t in tasks])
    worker = f"{socket.gethostname()}:{os.getpid()}"
    keys = ["year", "region", "pot", "item", "provider", "kind"]
    out = []
    for task, result in zip(tasks, results, strict=True):
        flows = result.ledger.groupby(keys, as_index=False, sort=True)["cents"].sum()
        out.append(
            RunData(
                run_id=task.run_id,
                results=result.results.drop(columns="run_id"),
                flows=flows,
                closings=result.closing.copy(),
                providers=result.providers.drop(columns="run_id"),
                seconds=result.seconds,
                worker=worker,
                started=started,
                finished=_now(),
            )
        )
    return out


def execute(task: RunTask) -> RunData:
    """Run one task and return its data for the store."""
    return execute_group([task])[0]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# =========================================================================== plan


@dataclass(frozen=True)
class PlannedRun:
    """One run of a batch: the task and its manifest row."""

    task: RunTask
    record: RunRecord
    replicate: int
    group: str = ""
    """Runs with the same group share seed and burn-in (see :func:`model.run.run_group`)."""


@dataclass
class BatchPlan:
    """A fully validated batch."""

    batch_id: str
    label: str
    runs: list[PlannedRun]
    scenarios: list[Scenario]
    sweep: Sweep | None
    plan: dict[str, Any] = field(default_factory=dict)

    @property
    def run_ids(self) -> list[str]:
        """Ids of all planned runs."""
        return [r.task.run_id for r in self.runs]


def params_json(params: ModelParams) -> dict[str, Any]:
    """The full engine parameters as JSON-able data.

    The provenance texts are left out: the scenario file and its hash keep them.
    """
    data = dataclasses.asdict(params)
    data.pop("provenance", None)
    return data


def plan_batch(
    scenarios: Sequence[str],
    replicates: int,
    *,
    seed_base: int = 1,
    sweep: Sweep | None = None,
    years: int | None = None,
    scale: float | None = None,
) -> BatchPlan:
    """Load and validate everything a batch needs; write nothing.

    Args:
        scenarios: Library names or paths of scenario files.
        replicates: Runs per scenario and point (seeds ``seed_base`` … ``seed_base +
            replicates - 1``, the same in every scenario: common random numbers).
        seed_base: First seed.
        sweep: Grid and Latin hypercube (see :mod:`experiments.sweep`), or None.
        years: Simulated years for every run (default: each scenario's own).
        scale: Share of the population simulated (default: each scenario's own).

    Returns:
        The plan; its ``batch_id`` is the same whenever the same runs are planned.

    Raises:
        ScenarioError: For any problem in a scenario, a data file or the sweep, or
            (:class:`scenarios.limits.ArgumentError`) seeds or runs beyond their limits,
            checked before any scenario is loaded.
    """
    check_batch_size(
        len(scenarios),
        sweep.n_points if sweep is not None else 1,
        replicates,
        seed_base,
        sweep.path if sweep is not None else None,
    )
    bases = [load_scenario(ref) for ref in scenarios]
    if sweep is not None:
        sweep = sweep.resolve(bases)
    extra: dict[str, Any] = {}
    if years is not None:
        extra["years"] = years
    if scale is not None:
        extra["scale"] = scale
    version = code_version()
    runs: list[PlannedRun] = []
    seen: set[str] = set()
    for base in bases:
        points = sweep.points(base) if sweep is not None else [("basis", {})]
        for point_id, point in points:
            overrides = {**point, **extra}
            scenario = (
                load_scenario(
                    base.path,
                    overrides,
                    overrides_file=sweep.path if sweep is not None and point else None,
                )
                if overrides
                else base
            )
            point_file = sweep.path if sweep is not None and point else None
            for r in range(replicates):
                seed = seed_base + r
                # Calibrated scenarios: replicate with seed s uses posterior draw
                # (s − 1) mod n (the same in every scenario: still paired).
                draw = calibration_overrides(base, seed)
                run_overrides = {**draw, **overrides}
                if draw:
                    scenario = load_scenario(base.path, run_overrides, overrides_file=point_file)
                overrides_json = json.dumps(run_overrides, sort_keys=True, ensure_ascii=False)
                p = scenario.params
                pjson = params_json(p)
                key = burn_in_key(p)
                key_text = repr(key) if key is not None else scenario.sha256
                ident = f"{scenario.sha256}|{seed}|{version}"
                run_id = hashlib.sha256(ident.encode()).hexdigest()[:20]
                if run_id in seen:
                    continue
                seen.add(run_id)
                task = RunTask(
                    run_id=run_id,
                    scenario_path=str(base.path),
                    overrides_json=overrides_json,
                    overrides_file=str(sweep.path) if sweep is not None and point else None,
                    seed=seed,
                )
                record = RunRecord(
                    run_id=run_id,
                    scenario=base.name,
                    scenario_sha256=scenario.sha256,
                    description=base.description,
                    seed=seed,
                    point_id=point_id,
                    point=point,
                    years=p.years,
                    scale=p.scale,
                    params=pjson,
                    code_version=version,
                )
                group = hashlib.sha256(f"{seed}|{key_text}".encode()).hexdigest()[:16]
                runs.append(PlannedRun(task=task, record=record, replicate=r, group=group))
    batch_id = hashlib.sha256("|".join(sorted(seen)).encode()).hexdigest()[:12]
    label = ", ".join(b.name for b in bases)
    plan = {
        "scenarios": [b.name for b in bases],
        "scenario_sha256": {b.name: b.sha256 for b in bases},
        "replicates": replicates,
        "seed_base": seed_base,
        "years": years,
        "scale": scale,
        "sweep": None
        if sweep is None
        else {
            "file": sweep.path.name if sweep.path else None,
            "grid": {k: list(v) for k, v in sweep.grid},
            "lhs_samples": sweep.lhs_samples,
            "lhs_columns": list(sweep.lhs_columns),
            "seed": sweep.seed,
        },
        "code_version": version,
    }
    return BatchPlan(batch_id, label, runs, bases, sweep, plan)


# =========================================================================== execution


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
        plan: From :func:`plan_batch`.
        store: The results store (this process is its only writer).
        workers: Local worker processes (1 = in this process).
        scheduler: Address of a Dask scheduler (or a ``distributed.Client``); then
            ``workers`` is ignored.
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
        [(r.task.run_id, r.record.scenario, r.record.point_id, r.replicate) for r in plan.runs],
    )
    done = store.done_run_ids(plan.run_ids)
    todo = [r for r in plan.runs if r.task.run_id not in done]
    report = BatchReport(plan.batch_id, len(plan.runs), len(plan.runs) - len(todo))
    if on_start is not None:
        on_start(len(todo), report.already_done)
    by_id = {r.task.run_id: r for r in todo}
    try:
        for run_id, data, error in _execute_all(work_items(todo), workers, scheduler):
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


GROUP_SIZE = 12
"""Most runs in one work item (sharing a burn-in); bounds the work lost on a kill."""


def work_items(runs: Sequence[PlannedRun], size: int = GROUP_SIZE) -> list[list[RunTask]]:
    """Runs grouped by shared seed and burn-in, in chunks of at most ``size``."""
    groups: dict[str, list[RunTask]] = {}
    for run in runs:
        groups.setdefault(run.group or run.task.run_id, []).append(run.task)
    items: list[list[RunTask]] = []
    for tasks in groups.values():
        items.extend(tasks[k : k + size] for k in range(0, len(tasks), size))
    return items


Outcome = tuple[str, RunData | None, str | None]


def _unpack(item: list[RunTask], result: list[RunData] | None, error: str | None) -> list[Outcome]:
    if result is None:
        return [(t.run_id, None, error) for t in item]
    return [(d.run_id, d, None) for d in result]


def _execute_all(
    items: list[list[RunTask]], workers: int, scheduler: str | Any | None
) -> Iterator[Outcome]:
    if not items:
        return
    if scheduler is not None:
        yield from _execute_dask(items, scheduler)
    elif workers <= 1:
        for item in items:
            try:
                result = execute_group(item)
            except Exception as exc:  # an engine failure is recorded, the batch goes on
                yield from _unpack(item, None, f"{type(exc).__name__}: {exc}")
                continue
            yield from _unpack(item, result, None)
    else:
        yield from _execute_pool(items, workers)


def execute_tasks(tasks: Sequence[RunTask], workers: int = 1) -> Iterator[Outcome]:
    """Run independent tasks (no shared burn-in) locally, outside any store.

    Used by the calibration; yields ``(run_id, data or None, error or None)`` in the
    order the runs finish (collect by run id for a deterministic result).
    """
    yield from _execute_all([[t] for t in tasks], workers, None)


WATCHDOG_SECONDS = 1.0
"""How often a pool worker checks that the process that started it is still alive.

An orphaned worker ends within about this time even where the kernel's parent-death
signal is not available; a check is one ``getppid`` call, so once a second costs
nothing measurable next to a run (0.1 s to minutes), while "a few seconds" is what a
user waiting for the memory to come back after ``kill -9`` should have to wait.
"""

ORPHANED_EXIT_CODE = 1
"""Exit status of a pool worker that ended itself because its batch process died."""

_PR_SET_PDEATHSIG = 1
"""``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``: signal the caller when its parent dies."""


def _set_parent_death_signal() -> bool:
    """Ask the Linux kernel to SIGKILL this process when its parent thread ends.

    Returns:
        Whether the kernel accepted it (False elsewhere than on Linux, or if
        ``prctl`` is not reachable through ctypes).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # no libc with prctl: the watchdog alone
        return False


def _watch_parent(parent_pid: int) -> None:
    """Watchdog thread of a pool worker: end the worker once its parent is gone.

    An orphan is adopted by another process (init or a subreaper), so ``getppid``
    changes; the worker then exits at once, without cleanup (nobody waits for it).
    """
    while os.getppid() == parent_pid:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(ORPHANED_EXIT_CODE)


def _worker_init(parent_pid: int, parent_death_signal: bool) -> None:
    """Initializer of every local pool worker: die with the batch process.

    Args:
        parent_pid: Process id of the batch process that starts the pool.
        parent_death_signal: Arm Linux's parent-death signal. The kernel sends it
            when the *thread* that started the worker ends, so it is only armed when
            that is the main thread (which ends with the process): the executor
            starts its workers in the thread that calls ``submit`` (``spawn``,
            without ``max_tasks_per_child``), and :func:`_execute_pool` submits
            its first items right after creating the pool.
    """
    if parent_death_signal:
        _set_parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(ORPHANED_EXIT_CODE)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="batch-watchdog", daemon=True
    ).start()


def _new_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A local process pool (``spawn``) whose workers die with this process."""
    ctx = multiprocessing.get_context("spawn")
    # Each run is single-threaded numpy; keep linear-algebra libraries from starting
    # thread pools that compete with the other workers (inherited by the workers).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    on_main_thread = threading.current_thread() is threading.main_thread()
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_worker_init,
        initargs=(os.getpid(), on_main_thread),
    )


def _execute_pool(items: list[list[RunTask]], workers: int) -> Iterator[Outcome]:
    pool = _new_pool(workers)
    pending = iter(items)
    running: dict[cf.Future[list[RunData]], list[RunTask]] = {}
    try:
        for item in _take(pending, workers * 2):
            running[pool.submit(execute_group, item)] = item
        while running:
            finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                item = running.pop(fut)
                try:
                    result = fut.result()
                except cf.process.BrokenProcessPool:
                    raise
                except Exception as exc:
                    yield from _unpack(item, None, f"{type(exc).__name__}: {exc}")
                else:
                    yield from _unpack(item, result, None)
                for nxt in _take(pending, 1):
                    running[pool.submit(execute_group, nxt)] = nxt
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _execute_dask(items: list[list[RunTask]], scheduler: str | Any) -> Iterator[Outcome]:
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    own = client is not scheduler
    try:
        keys = [f"laeufe-{item[0].run_id}" for item in items]
        futures = client.map(execute_group, items, key=keys, pure=False)
        by_key = {f.key: item for f, item in zip(futures, items, strict=True)}
        for fut in as_completed(futures):
            item = by_key[fut.key]
            try:
                result = fut.result()
            except Exception as exc:
                yield from _unpack(item, None, f"{type(exc).__name__}: {exc}")
            else:
                yield from _unpack(item, result, None)
            fut.release()
    finally:
        if own:
            client.close()


def _take(it: Iterator[list[RunTask]], n: int) -> list[list[RunTask]]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


def results_frame(store: ResultsStore, plan: BatchPlan) -> pd.DataFrame:
    """The plan's tidy results from the store, sorted (for comparisons and tests)."""
    ids = plan.run_ids
    frame = store.query("SELECT * FROM results WHERE run_id IN (SELECT unnest(?))", [ids])
    return frame.sort_values(["run_id", "year", "month", "region", "metric"]).reset_index(drop=True)


__all__ = [
    "BatchInterrupted",
    "BatchPlan",
    "BatchReport",
    "PlannedRun",
    "RunTask",
    "code_version",
    "execute",
    "execute_group",
    "execute_tasks",
    "params_json",
    "plan_batch",
    "results_frame",
    "run_batch",
    "work_items",
]
