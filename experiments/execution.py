"""Executing runs: in this process, on a local process pool, or on a Dask cluster.

A :class:`RunTask` carries the frozen engine parameters of its run (built by
:func:`experiments.recipe.run_spec`), its seed and its id, so a worker needs
nothing but this package: it never reads a scenario, data or calibration file. A
Dask worker on another machine, or started in a folder without the scenario files,
computes the same results as the local pool (a run depends only on its parameters
and seed).

* ``workers=1``: one after the other in this process;
* ``workers>1``: a local process pool (``spawn``);
* ``scheduler="tcp://host:8786"`` (or a ``distributed.Client``): a Dask cluster.
  Workers need this package installed, nothing else.

**Shared burn-in.** Tasks with the same seed whose parameters differ only in levers
the burn-in ignores share one simulated burn-in (:func:`model.run.run_group`), in
work items of up to :data:`GROUP_SIZE` runs; the results equal separate runs
exactly.

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
import multiprocessing
import multiprocessing.synchronize
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from model.params import ModelParams
from model.run import run_group
from results import RunData

# =========================================================================== tasks


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (picklable; about 60 kB).

    Attributes:
        run_id: The run's id (see :func:`experiments.recipe.run_id_for`).
        params: The frozen engine parameters, exactly as run.
        seed: The run's seed.
    """

    run_id: str
    params: ModelParams = field(repr=False)
    seed: int


_LEDGER_KEYS = ["year", "region", "pot", "item", "provider", "kind"]
"""Columns the ledger is summed over for the store's ``flows`` table."""


def execute_group(tasks: Sequence[RunTask]) -> list[RunData]:
    """Run tasks that share a seed (in a worker), sharing identical burn-ins.

    See :func:`model.run.run_group`; the results equal separate runs exactly.

    Raises:
        ValueError: If the tasks do not share one seed.
    """
    started = _now()
    seeds = {t.seed for t in tasks}
    if len(seeds) != 1:
        raise ValueError("a group shares one seed")
    results = run_group([t.params for t in tasks], tasks[0].seed, [t.run_id for t in tasks])
    worker = f"{socket.gethostname()}:{os.getpid()}"
    out = []
    for task, result in zip(tasks, results, strict=True):
        flows = result.ledger.groupby(_LEDGER_KEYS, as_index=False, sort=True)["cents"].sum()
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


GROUP_SIZE = 12
"""Most runs in one work item (sharing a burn-in); bounds the work lost on a kill."""


def work_items(tasks: Sequence[tuple[str, RunTask]], size: int = GROUP_SIZE) -> list[list[RunTask]]:
    """Tasks grouped by shared seed and burn-in, in chunks of at most ``size``.

    Args:
        tasks: ``(group, task)`` pairs; an empty group means a task of its own.
        size: Most tasks per work item.

    Returns:
        The work items, in the order their groups first appear.
    """
    groups: dict[str, list[RunTask]] = {}
    for group, task in tasks:
        groups.setdefault(group or task.run_id, []).append(task)
    items: list[list[RunTask]] = []
    for members in groups.values():
        items.extend(members[k : k + size] for k in range(0, len(members), size))
    return items


Outcome = tuple[str, RunData | None, str | None]
"""``(run_id, data or None, error or None)`` for one finished run."""


def _unpack(item: list[RunTask], result: list[RunData] | None, error: str | None) -> list[Outcome]:
    if result is None:
        return [(t.run_id, None, error) for t in item]
    return [(d.run_id, d, None) for d in result]


def execute_items(
    items: list[list[RunTask]], workers: int = 1, scheduler: str | Any | None = None
) -> Iterator[Outcome]:
    """Run work items; yield every run's outcome as it finishes.

    An engine failure is an outcome with an error (the others go on); the order is
    the order of finishing (collect by run id for a deterministic result).

    Args:
        items: From :func:`work_items`.
        workers: Local worker processes (1 = in this process).
        scheduler: Address of a Dask scheduler (or a ``distributed.Client``); then
            ``workers`` is ignored.
    """
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
    yield from execute_items([[t] for t in tasks], workers, None)


# =========================================================================== local pool

WATCHDOG_SECONDS = 1.0
"""How often a pool worker checks that the process that started it is still alive.

An orphaned worker ends within about this time even where the kernel's parent-death
signal is not available; a check is one ``getppid`` call, so once a second costs
nothing measurable next to a run (0.1 s to minutes), while "a few seconds" is what a
user waiting for the memory to come back after ``kill -9`` should have to wait.
"""

ORPHANED_EXIT_CODE = 1
"""Exit status of a pool worker that ended itself because its batch process died."""

WORKER_START_SECONDS = 300.0
"""Longest wait of a pool worker for the other workers to start (see :func:`_worker_init`).

Starting a worker (``spawn``: a fresh interpreter importing the engine, pandas and
DuckDB) takes a few seconds, under a full machine perhaps a minute; five minutes
means something is broken, and the pool then fails instead of waiting for ever.
"""

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


def _worker_init(
    parent_pid: int,
    parent_death_signal: bool,
    started: multiprocessing.synchronize.Barrier | None = None,
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
) -> None:
    """Initializer of every local pool worker: die with the batch process.

    Args:
        parent_pid: Process id of the batch process that starts the pool.
        parent_death_signal: Arm Linux's parent-death signal. The kernel sends it
            when the *thread* that started the worker ends, so it is only armed when
            that is the main thread (which ends with the process): the executor
            starts its workers in the thread that calls ``submit`` (``spawn``,
            without ``max_tasks_per_child``), and :func:`_execute_pool` submits
            its first items right after creating the pool.
        started: A barrier of all the pool's workers: no worker takes a work item
            before every worker has started, so short items are spread over all
            workers instead of going to the first one up (None: no waiting).
        setup: Called with ``setup_args`` in each worker once it is guarded (the
            pool's own state, e.g. a what-if's design).
        setup_args: Its arguments.
    """
    if parent_death_signal:
        _set_parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(ORPHANED_EXIT_CODE)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="batch-watchdog", daemon=True
    ).start()
    if setup is not None:
        setup(*setup_args)
    if started is not None:
        started.wait(WORKER_START_SECONDS)


def new_pool(
    workers: int,
    wait_for_all: bool = False,
    method: str = "spawn",
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
) -> cf.ProcessPoolExecutor:
    """A local process pool whose workers die with this process.

    Args:
        workers: Worker processes.
        wait_for_all: Let every worker wait in its initializer until all have
            started; then at least ``workers`` items must be submitted at once
            (each submit starts one worker).
        method: Start method (``spawn``, or ``fork`` where the system has it: no
            second start-up of Python, for short jobs such as a what-if).
        setup: Called in each worker after it is guarded (see :func:`_worker_init`).
        setup_args: Its arguments (inherited, not pickled, when forked).
    """
    ctx = multiprocessing.get_context(method)
    # Each run is single-threaded numpy; keep linear-algebra libraries from starting
    # thread pools that compete with the other workers (inherited by the workers).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    on_main_thread = threading.current_thread() is threading.main_thread()
    started = ctx.Barrier(workers) if wait_for_all else None
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_worker_init,
        initargs=(os.getpid(), on_main_thread, started, setup, setup_args),
    )


def _execute_pool(items: list[list[RunTask]], workers: int) -> Iterator[Outcome]:
    workers = min(workers, len(items))  # the first submits below start every worker
    pool = new_pool(workers, wait_for_all=True)
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


def _take(it: Iterator[list[RunTask]], n: int) -> list[list[RunTask]]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


# =========================================================================== Dask


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


__all__ = [
    "GROUP_SIZE",
    "ORPHANED_EXIT_CODE",
    "WATCHDOG_SECONDS",
    "Outcome",
    "RunTask",
    "execute",
    "execute_group",
    "execute_items",
    "execute_tasks",
    "work_items",
]
