"""Engine benchmark: per-agent reference vs vectorised engine, throughput, memory.

Run ``python benchmarks/bench_engine.py`` (``make bench``); it prints a table and
finishes in about ten minutes on two cores. Every measurement runs in a fresh Python
subprocess, so that peak resident memory (``resource.getrusage``) and caches of one
measurement do not contaminate another. Times are wall-clock
(``time.perf_counter``) for a whole ``run_once`` (building the model, every month,
and the output tables), seed 1 for every repetition. The parameters are the engine
tests' Lüneburg-like set (``tests/fixtures/factory.py``, default burn-in 240 months);
``scale`` is chosen so that the start population is about the wanted number of
families.

Measurements and targets (issue 13):

* (a) per-agent reference vs vectorised engine at about 2,000 and 30,000 families
  (2 years after a 12-month burn-in); target speed-up >= 150x at 30,000;
* (b) family-months per second of the vectorised engine;
* (c) the full Lüneburg run: scale 1.0, 10 years, default burn-in; best of 5 after a
  warm-up; target <= 0.15 s;
* (d) 1,000,000 families x 120 months (10 years), without and with the default
  burn-in; target <= 8 s and peak memory <= 1 GB;
* (e) 3,000,000 families x 120 months without burn-in, and from it Germany's 8.45
  million families with minors (Destatis 2022, "Zahl der Woche" of 16 May 2023:
  1.57 million single parents are 19 % of 8.45 million families with children under
  18) extrapolated linearly in families: time and memory of one run on one core, and
  a batch of replicates on a Dask cluster of N workers (one run is one model on one
  core; a cluster runs replicates side by side);
* (f) ``what-if … s``: the dashboard's what-if at full fidelity (``dashboard/whatif.yaml``:
  20 paired seeds, the scenario's horizon, full scale) for Lüneburg's status quo
  against RB2 20 % with bonus/malus, with the baseline stored in a results store
  (as after ``make demo``) and the burn-ins kept from a first call; median of 5
  calls; target <= 3 s.

Options: ``--quick`` skips (d), (e) and (f); ``--profile`` adds a cProfile of a
shortened 1,000,000-family run (top functions by own time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from model.params import ModelParams


# ---------------------------------------------------------------------- child side
def _params(families: float | None, years: int, burn_in: int | None) -> ModelParams:
    """Test parameters scaled to about ``families`` start families (None: scale 1)."""
    import numpy as np

    from model.population import initial_families
    from tests.fixtures.factory import make_params

    scale = 1.0
    if families is not None:
        per_scale_1 = initial_families(make_params(), np.random.default_rng(0)).region.size
        scale = families / per_scale_1
    overrides: dict[str, object] = {"scale": scale, "years": years}
    if burn_in is not None:
        overrides["burn_in_months"] = burn_in
    return make_params(**overrides)


def _child(spec: dict) -> dict:
    """One measurement (in a fresh process): returns times, sizes and peak RSS."""
    from model.model import SozialraumModel
    from model.reference import ReferenceModel
    from model.run import run_once

    rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    params = _params(spec["families"], spec["years"], spec["burn_in"])
    base = ReferenceModel if spec["engine"] == "reference" else SozialraumModel

    class Probe(base):  # type: ignore[misc, valid-type]
        """The engine, remembering its last instance (for population sizes)."""

        last: SozialraumModel | None = None

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            type(self).last = self

    times = []
    for i in range(spec["warmup"] + spec["repeat"]):
        Probe.last = None  # the previous model may be freed before the next is built
        t0 = time.perf_counter()
        run_once(params, seed=1, model_cls=Probe)
        dt = time.perf_counter() - t0
        if i >= spec["warmup"]:
            times.append(dt)
    model = Probe.last
    assert model is not None
    return {
        "times": times,
        "families": model.n_families_start,
        "end_families": int(model.families.alive.sum()),
        "months": model.total_months,
        "scale": params.scale,
        "rss_imports_mb": rss_imports / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _profile(spec: dict, top: int) -> str:
    """Profile one run (in a fresh process): the top functions by own time."""
    from benchmarks.bench_month import profile_run

    return profile_run(_params(spec["families"], spec["years"], spec["burn_in"]), top)


# ---------------------------------------------------------------------- parent side
def _measure(**spec: object) -> dict:
    spec = {"warmup": 0, "repeat": 1, "burn_in": None, **spec}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _family_months(m: dict) -> float:
    """Family-months simulated in one run (mean of start and end population)."""
    return (m["families"] + m["end_families"]) / 2 * m["months"]


GERMANY_FAMILIES = 8_450_000
"""Families with children under 18 in Germany, 2022 (Destatis, see the docstring)."""


def _germany(m: dict) -> list[str]:
    """Germany's families extrapolated linearly from a 3,000,000-family run.

    A whole run is 10 years plus the default burn-in of the parameters measured
    (the scenarios' 240 months, ``tests/fixtures/factory.py``).
    """
    from tests.fixtures.factory import make_params

    burn_in = make_params().burn_in_months
    factor = GERMANY_FAMILIES / m["families"]
    per_month = m["times"][0] / m["months"]
    run = per_month * (120 + burn_in) * factor
    extra = (m["peak_rss_mb"] - m["rss_imports_mb"]) * factor
    memory = m["rss_imports_mb"] + extra
    lines = [
        "",
        f"(e) Germany, {GERMANY_FAMILIES:,} families with minors (Destatis 2022), "
        f"extrapolated linearly from the 3M run (x {factor:.2f}):",
        f"    one run, 10 years + {burn_in} months burn-in, one core: about "
        f"{run:,.0f} s ({run / 60:.1f} min), peak memory about {memory / 1024:.1f} GB",
    ]
    for workers in (2, 8, 32):
        batch = 20 * run / workers
        lines.append(
            f"    20 replicates on a Dask cluster of {workers} single-core workers "
            f"(>= {memory / 1024:.1f} GB each): about {batch / 60:,.1f} min"
        )
    return lines


def _whatif_line() -> str:
    """(f): median time of the full-fidelity what-if (in a fresh process)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--whatif-child", "1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return proc.stdout.strip().splitlines()[-1]


def _whatif_child() -> str:
    """Store a 20-seed status-quo batch, then time what-ifs against it."""
    import dataclasses
    import statistics
    import tempfile

    from dashboard import cached_scenario, load_config, run_whatif, slider_start, stored_figures
    from experiments import plan_batch, run_batch
    from results import ResultsStore

    config = load_config()
    name = "lueneburg-status-quo"
    folder = Path(tempfile.mkdtemp(prefix="bench-whatif-"))
    plan = plan_batch([name], config.replicates, years=config.years, scale=config.scale)
    with ResultsStore(folder / "ergebnisse.duckdb") as store:
        run_batch(plan, store, workers=config.processes())
        figures = stored_figures(store, [name])
    base = cached_scenario(name)
    what = dataclasses.replace(
        slider_start(base), bound_share=0.8, regional2_share=0.2, scheme="bonus_malus"
    )
    cold = run_whatif(what, config, stored=figures, cache=folder / "einschwingen")
    warm = [
        run_whatif(what, config, stored=figures, cache=folder / "einschwingen") for _ in range(5)
    ]
    median = statistics.median(r.seconds for r in warm)
    last = warm[-1]
    return (
        f"(f) what-if {median:.2f} s (median of 5; first call {cold.seconds:.2f} s while "
        f"it stores the burn-ins): {last.replicates} paired seeds, {last.years} years, "
        f"scale {last.scale:g}, {config.processes()} processes, baseline "
        f"{last.baselines_stored}/{last.replicates} from the store, burn-ins "
        f"{last.burn_ins_read}/{last.burn_ins} from the cache; target <= 3 s: "
        + ("met" if median <= 3 else "NOT met")
    )


def _machine() -> str:
    import mesa
    import numpy as np

    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy "
        f"{np.__version__}, mesa {mesa.__version__}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--profile-child", help=argparse.SUPPRESS)
    ap.add_argument("--whatif-child", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="skip the 1,000,000-family runs")
    ap.add_argument("--profile", action="store_true", help="profile a 1,000,000-family run")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return
    if args.profile_child:
        print(_profile(json.loads(args.profile_child), 25))
        return
    if args.whatif_child:
        print(_whatif_child())
        return

    t_all = time.perf_counter()
    print(_machine())
    print("Each row: fresh subprocess; time = wall-clock of run_once (build, run, tables).")
    print()
    rows: list[tuple[str, ...]] = []

    # (a) + (b): reference vs vectorised at equal size
    header = ("measurement", "families", "months", "time [s]", "family-months/s", "note")
    for target in (2_000, 30_000):
        vec = _measure(
            engine="vectorised", families=target, years=2, burn_in=12, repeat=3, warmup=1
        )
        ref = _measure(
            engine="reference",
            families=target,
            years=2,
            burn_in=12,
            repeat=2 if target <= 5_000 else 1,
        )
        t_vec, t_ref = min(vec["times"]), min(ref["times"])
        speedup = t_ref / t_vec
        for name, m, t in (("(a) per-agent", ref, t_ref), ("(a,b) vectorised", vec, t_vec)):
            rows.append(
                (
                    name,
                    f"{m['families']:,}",
                    str(m["months"]),
                    f"{t:.3f}",
                    f"{_family_months(m) / t:,.0f}",
                    f"speed-up {speedup:.0f}x" if m is vec else "",
                )
            )
        if target == 30_000:
            verdict = "met" if speedup >= 150 else "NOT met"
            rows[-1] = (*rows[-1][:5], f"speed-up {speedup:.0f}x (target >= 150x: {verdict})")

    # (c) full Lüneburg, 10 years, default burn-in
    full = _measure(engine="vectorised", families=None, years=10, repeat=5, warmup=1)
    best = min(full["times"])
    rows.append(
        (
            "(c) Lüneburg 10 y, scale 1",
            f"{full['families']:,}",
            str(full["months"]),
            f"{best:.3f}",
            f"{_family_months(full) / best:,.0f}",
            f"best of 5 (median {sorted(full['times'])[2]:.3f}); target <= 0.15 s: "
            + ("met" if best <= 0.15 else "NOT met"),
        )
    )

    # (d) 1,000,000 families x 120 months
    big: list[tuple[str, dict]] = []
    if not args.quick:
        for label, burn_in in (("no burn-in", 0), ("default burn-in", None)):
            m = _measure(engine="vectorised", families=1_000_000, years=10, burn_in=burn_in)
            big.append((label, m))
            t = m["times"][0]
            rows.append(
                (
                    f"(d) 1M x 120 months, {label}",
                    f"{m['families']:,}",
                    str(m["months"]),
                    f"{t:.2f}",
                    f"{_family_months(m) / t:,.0f}",
                    f"peak RSS {m['peak_rss_mb']:,.0f} MB (after imports "
                    f"{m['rss_imports_mb']:,.0f} MB); targets <= 8 s: "
                    + ("met" if t <= 8 else "NOT met")
                    + ", <= 1 GB: "
                    + ("met" if m["peak_rss_mb"] <= 1024 else "NOT met"),
                )
            )

    # (e) 3,000,000 families, and Germany on paper
    germany: list[str] = []
    if not args.quick:
        m = _measure(engine="vectorised", families=3_000_000, years=10, burn_in=0)
        t = m["times"][0]
        rows.append(
            (
                "(e) 3M x 120 months, no burn-in",
                f"{m['families']:,}",
                str(m["months"]),
                f"{t:.2f}",
                f"{_family_months(m) / t:,.0f}",
                f"peak RSS {m['peak_rss_mb']:,.0f} MB",
            )
        )
        germany = _germany(m)

    # (f) the what-if at full fidelity
    whatif_line = "" if args.quick else _whatif_line()

    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for r in [header, *rows]:
        cells = [r[i].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i]) for i in range(5)]
        print("  ".join(cells), " ", r[5])

    for line in germany:
        print(line)
    if whatif_line:
        print()
        print(whatif_line)

    if args.profile:
        spec = {"families": 1_000_000, "years": 1, "burn_in": 12}
        proc = subprocess.run(
            [sys.executable, __file__, "--profile-child", json.dumps(spec)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        print()
        print("cProfile, 1,000,000 families x 24 months (12 burn-in + 12), by own time:")
        print(proc.stdout)
    print(f"\nBenchmark wall time: {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
