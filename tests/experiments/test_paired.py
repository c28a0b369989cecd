"""The what-if's paired runs (``experiments.paired``): warm engine, equal results."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

from experiments import PairedDesign, Point, RunOptions, load_base, run_pairs

ROOT = Path(__file__).resolve().parents[2]


def _design() -> PairedDesign:
    options = RunOptions(years=2, scale=0.1)
    base = load_base("lueneburg-status-quo", options)
    changed = Point("was-waere-wenn", {"budget.regional2_share": 0.2})
    return PairedDesign(base, changed, options, ("total_spent", "spent_regional_2"))


def test_regression_each_what_if_worker_loaded_numba_again() -> None:
    """The calling process never ran a model, so every forked worker of every
    what-if loaded numba and the compiled kernels itself (the first seed finished
    after 0,79 s instead of 0,21 s); the caller now loads them once before forking."""
    script = textwrap.dedent(
        """
        import sys
        from experiments import paired
        from tests.experiments.test_paired import _design

        design = _design()
        assert "numba" not in sys.modules
        paired.warm_engine(design)
        assert "numba" in sys.modules and paired._warm
        paired.warm_engine(design)  # once per process
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ok"


def test_pairs_on_forked_warm_workers_equal_pairs_in_this_process() -> None:
    design = _design()
    alone = run_pairs(design, 3, 1)
    forked = run_pairs(design, 3, 2)
    for a, b in zip(alone, forked, strict=True):
        pd.testing.assert_frame_equal(a.changed, b.changed)
        assert (a.baseline is None) == (b.baseline is None)
        if a.baseline is not None:
            pd.testing.assert_frame_equal(a.baseline, b.baseline)
