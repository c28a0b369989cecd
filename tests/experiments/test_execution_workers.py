"""Local pool workers die with their batch (``kill -9`` of the batch process).

Before, ``kill -9`` of a batch's main process left its two workers and
multiprocessing's resource tracker running (268 MB each, for minutes, or forever
while a worker waited for work). Now the kernel's parent-death signal (Linux) and a
watchdog thread in each worker end them within seconds, and the tracker follows.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from experiments import execution
from results import ResultsStore

ROOT = Path(__file__).resolve().parents[2]
A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
REPLICATES = 8
BATCH_ARGS = [A, B, "--replicates", str(REPLICATES), "--years", "2", "--scale", "0.1"]
GRACE_SECONDS = 10.0
"""How long a process of a killed batch may outlive it (the issue's bound)."""

_PR_GET_PDEATHSIG = 2

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="braucht /proc")


# ----------------------------------------------------------------- /proc helpers


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces and ")"
    return int(fields[1]), fields[0], int(fields[19])


def _descendants(root: int) -> dict[int, int]:
    """Every live descendant of a process: pid → start time (walks /proc)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := _stat(int(entry))) is not None:
            table[int(entry)] = info
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, state, start) in table.items():
            if ppid == parent and pid not in found and state != "Z":
                found[pid] = start
                todo.append(pid)
    return found


def _alive(pid: int, start: int) -> bool:
    """Whether this very process (not a later one with the same pid) still runs."""
    info = _stat(pid)
    return info is not None and info[2] == start and info[1] not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_gone(procs: dict[int, int], seconds: float) -> tuple[float, list[int]]:
    """Poll until every process is gone or ``seconds`` passed: (seconds taken, survivors)."""
    t0 = time.monotonic()
    while True:
        alive = [pid for pid, start in procs.items() if _alive(pid, start)]
        waited = time.monotonic() - t0
        if not alive or waited > seconds:
            return waited, alive
        time.sleep(0.1)


def _cleanup(procs: dict[int, int]) -> None:
    """Kill what a failed test left behind (by pid, only the processes it recorded)."""
    for pid, start in procs.items():
        if _alive(pid, start):
            os.kill(pid, signal.SIGKILL)


def _kill_and_expect_all_gone(proc: subprocess.Popen, procs: dict[int, int]) -> None:
    """``kill -9`` of the main process only; none of its processes may outlive the grace."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    waited, survivors = _wait_gone(procs, GRACE_SECONDS)
    assert not survivors, f"nach {waited:.1f} s noch am Leben: {survivors}"


def _tidy(proc: subprocess.Popen, procs: dict[int, int]) -> None:
    """Kill what a failed test left behind: the recorded processes and the main one."""
    _cleanup(procs)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


# ----------------------------------------------------------------- tests


@linux_only
def test_regression_kill_9_of_batch_leaves_workers_running(tmp_path: Path) -> None:
    """``kill -9`` of a batch left its 2 workers and the resource tracker alive.

    The batch runs with 2 workers until a run is stored; then only the main process
    is killed (not its process group). 10 s later no process of the batch may be
    alive, and the same command resumes and stores every planned run exactly once.
    """
    store = tmp_path / "s.duckdb"
    argv = [sys.executable, "-m", "cli", "batch", *BATCH_ARGS, "--store", str(store)]
    proc = subprocess.Popen(
        [*argv, "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # so that a kill of the group is not what saves us
    )
    procs: dict[int, int] = {}
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 240
        first = proc.stdout.readline()  # "Batch <id>: … Läufe geplant …"
        while True:
            line = proc.stdout.readline()
            assert line, "Batch endete, bevor ein Lauf gespeichert war"
            assert time.monotonic() < deadline, "Batch speichert keine Läufe"
            if " gespeichert: " in line:
                break
        procs = _descendants(proc.pid)
        commands = [_cmdline(pid) for pid in procs]
        assert sum("spawn_main" in c for c in commands) == 2, commands  # the two workers
        assert any("resource_tracker" in c for c in commands), commands
        _kill_and_expect_all_gone(proc, procs)
    finally:
        _tidy(proc, procs)
        if proc.stdout is not None:
            proc.stdout.close()

    batch_id = first.split(":")[0].removeprefix("Batch ")
    with ResultsStore(store, read_only=True) as s:
        before = s.done_run_ids()
        planned = s.query("SELECT run_id FROM batch_runs WHERE batch_id = ?", [batch_id])
    planned_ids = sorted(planned["run_id"])
    assert len(planned_ids) == 2 * REPLICATES
    assert 1 <= len(before) < len(planned_ids)
    again = subprocess.run(
        [*argv, "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stderr
    # the same runs planned (another id would mean the code changed in between)
    assert again.stdout.startswith(f"Batch {batch_id}:"), again.stdout
    assert f"{len(before)} schon gespeichert" in again.stdout, again.stdout
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
    assert sorted(runs["run_id"]) == planned_ids  # every planned run, each once
    assert (runs["status"] == "done").all()


_ORPHAN_SCRIPT = textwrap.dedent(
    """
    import concurrent.futures as cf, multiprocessing, os, sys, time
    from experiments import execution

    pool = cf.ProcessPoolExecutor(
        max_workers=2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=execution._worker_init,
        initargs=(os.getpid(), sys.argv[1] == "signal"),
    )
    ready = set()  # workers that ran a task, so are past their initializer
    while len(ready) < 2:
        ready |= {f.result() for f in [pool.submit(os.getpid) for _ in range(4)]}
    futures = [pool.submit(time.sleep, 120) for _ in range(2)]  # both asleep in a "run"
    time.sleep(0.5)
    print(" ".join(map(str, sorted(ready))), flush=True)
    time.sleep(600)
    """
)


@linux_only
@pytest.mark.parametrize("mechanism", ["watchdog", "signal"])
def test_orphaned_worker_ends_itself(mechanism: str) -> None:
    """Each mechanism alone ends a worker whose parent was killed during a run.

    ``watchdog``: without the parent-death signal (as on systems other than Linux),
    the worker's watchdog thread notices the new parent within about
    :data:`experiments.execution.WATCHDOG_SECONDS`. ``signal``: with it, the kernel kills
    the worker at once.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT, mechanism],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the orphaned resource tracker's note on leaked locks
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    workers: dict[int, int] = {}
    try:
        assert proc.stdout is not None
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        workers = {pid: info[2] for pid in pids if (info := _stat(pid)) is not None}
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        limit = 3 * execution.WATCHDOG_SECONDS if mechanism == "watchdog" else 1.0
        waited, survivors = _wait_gone(workers, limit)
        assert not survivors, f"{mechanism}: nach {waited:.1f} s noch am Leben: {survivors}"
    finally:
        _tidy(proc, workers)
        if proc.stdout is not None:
            proc.stdout.close()


def probe_worker() -> tuple[int, int, list[str]]:
    """Run in a pool worker: (parent pid, armed parent-death signal, thread names)."""
    value = ctypes.c_int(0)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0)
    return os.getppid(), value.value, [t.name for t in threading.enumerate()]


@linux_only
def test_pool_arms_parent_death_signal_only_from_the_main_thread() -> None:
    """The signal fires when the starting *thread* ends, so only the main thread arms it.

    A pool used from another thread (a server's request thread, say) relies on the
    watchdog alone; its workers must not die when that thread ends.
    """
    outcomes: dict[str, tuple[int, int, list[str]]] = {}

    def use_pool(where: str) -> None:
        pool = execution.new_pool(1)
        try:
            outcomes[where] = pool.submit(probe_worker).result(timeout=120)
        finally:
            pool.shutdown(wait=True)

    use_pool("main")
    thread = threading.Thread(target=use_pool, args=("thread",))
    thread.start()
    thread.join(timeout=180)
    assert outcomes["main"][:2] == (os.getpid(), int(signal.SIGKILL))
    assert outcomes["thread"][:2] == (os.getpid(), 0)
    for where in ("main", "thread"):
        assert "batch-watchdog" in outcomes[where][2], where


def test_worker_with_a_dead_parent_exits_in_its_initializer() -> None:
    """A parent that died before the initializer ran is noticed at once (no run starts)."""
    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(
        max_workers=1,
        mp_context=ctx,
        initializer=execution._worker_init,
        initargs=(os.getpid() + 10**7, False),  # a pid that is not our worker's parent
    )
    try:
        with pytest.raises(cf.process.BrokenProcessPool):
            pool.submit(os.getpid).result(timeout=120)
    finally:
        pool.shutdown(wait=True)


_WHATIF_SCRIPT = textwrap.dedent(
    """
    from experiments import PairedDesign, Point, RunOptions, load_base, run_pairs

    options = RunOptions(years=3, scale=0.5)
    base = load_base("lueneburg-status-quo", options)
    changed = Point("was-waere-wenn", {"budget.regional2_share": 0.2})
    run_pairs(PairedDesign(base, changed, options, ("total_spent",)), 8, 2)
    """
)


@linux_only
def test_workers_of_a_cancelled_what_if_end_with_it() -> None:
    """Issue 13: the what-if's forked workers die with the process a cancel kills.

    Dash cancels a what-if by ending its job process; its two workers (forked, in
    mid-run) must not go on computing.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", _WHATIF_SCRIPT], cwd=ROOT, start_new_session=True
    )
    procs: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 60
        while len(procs) < 2:
            assert time.monotonic() < deadline, "keine zwei Prozesse gestartet"
            assert proc.poll() is None, "der Was-wäre-wenn-Lauf endete zu früh"
            time.sleep(0.1)
            procs = _descendants(proc.pid)
        time.sleep(0.5)  # the workers are in their first seed
        procs = _descendants(proc.pid)
        _kill_and_expect_all_gone(proc, procs)
    finally:
        _tidy(proc, procs)
