"""The compiled per-family kernels equal the whole-array numpy rules they replaced.

The numpy versions below are the rules as the vectorised engine computed them before
the kernels (issue 13), kept here as the known answer: on random family tables
(Hypothesis), every output array is equal bit for bit.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model import kernels
from model.families import ADULT_MONTHS
from model.population import AGE_LIMIT_MONTHS, MAX_CHILDREN


def _numpy_age_one_month(t: dict, u: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The numpy rule (FamilyTable.age_one_month and refresh_ages before the kernel)."""
    alive, ages = t["alive"], t["child_age"]
    ages += ages >= 0
    leaves = ages >= AGE_LIMIT_MONTHS
    changed = (leaves | (ages == ADULT_MONTHS)).any(axis=0)
    np.putmask(ages, leaves, -1)
    t["idx_age"] += t["idx_age"] >= 0
    pending = alive & (t["births_left"] > 0)
    t["next_birth"][pending] -= 1
    due = np.flatnonzero(pending & (t["next_birth"] <= 0))
    if due.size:
        free_slot = np.argmax(ages[:, due] < 0, axis=0)
        has_slot = ages[free_slot, due] < 0
        due = due[has_slot]
        ages[free_slot[has_slot], due] = 0
        t["births_left"][due] -= 1
        t["next_birth"][due] = (lo + np.floor(u[due] * (hi - lo + 1))).astype(np.int16)
        changed[due] = True
    rows = np.flatnonzero(changed)
    a = ages[:, rows]
    t["n_born"][rows] = (a >= 0).sum(axis=0)
    minor = np.where(a < ADULT_MONTHS, a, -1).max(axis=0)
    t["idx_age"][rows] = np.where(minor >= 0, minor, a.max(axis=0))
    return np.flatnonzero(alive & (t["n_born"] == 0) & (t["births_left"] == 0))


def _table(seed: int, n: int) -> dict:
    rng = np.random.default_rng(seed)
    ages = rng.integers(-1, AGE_LIMIT_MONTHS + 1, (MAX_CHILDREN, n)).astype(np.int16)
    ages[rng.random((MAX_CHILDREN, n)) < 0.5] = -1
    ages[:, rng.random(n) < 0.1] = -1  # families without children
    born = (ages >= 0).sum(axis=0).astype(np.int16)
    minor = np.where(ages < ADULT_MONTHS, ages, -1).max(axis=0)
    return {
        "child_age": ages,
        "alive": rng.random(n) < 0.9,
        "births_left": rng.integers(0, 3, n).astype(np.int8),
        "next_birth": rng.integers(-1, 4, n).astype(np.int16),
        "n_born": born,
        "idx_age": np.where(minor >= 0, minor, ages.max(axis=0)).astype(np.int16),
    }


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 400),
    spacing=st.tuples(st.integers(1, 30), st.integers(0, 40)),
)
def test_age_one_month_kernel_equals_the_numpy_rule(seed, n, spacing):
    lo, hi = spacing[0], spacing[0] + spacing[1]
    u = np.random.default_rng(seed + 1).random(n, dtype=np.float32)
    mine, ref = _table(seed, n), _table(seed, n)
    leaving_ref = _numpy_age_one_month(ref, u, lo, hi)
    leaving = kernels.age_one_month(
        mine["child_age"],
        mine["alive"],
        mine["births_left"],
        mine["next_birth"],
        mine["n_born"],
        mine["idx_age"],
        u,
        lo,
        hi - lo + 1,
        ADULT_MONTHS,
        AGE_LIMIT_MONTHS,
    )
    np.testing.assert_array_equal(leaving, leaving_ref)
    for name, column in ref.items():
        np.testing.assert_array_equal(mine[name], column, err_msg=name)
        assert mine[name].dtype == column.dtype


def _numpy_need_step(t: dict, z: np.ndarray, c: dict) -> None:
    """The numpy rule (FamilyTable.update_need and level before the kernel)."""
    if c["half_life"] > 0:
        t["history"] *= 0.5 ** (1.0 / c["half_life"])
    n_children = t["n_born"] + t["births_left"]
    delta = (
        t["level_fixed"]
        + c["w_per_child"] * np.maximum(n_children - 1, 0)
        + c["w_history"] * t["history"]
    )
    delta += c["trend"]
    delta -= t["need"]
    delta *= c["reversion"]
    delta += c["shock_sd"] * z
    if c["counselling_effect"]:
        delta -= c["counselling_effect"] * (t["counsel_left"] > 0)
    delta -= t["project_effect"]
    rows = np.flatnonzero(t["reduction"] != 0)
    delta[rows] -= t["reduction"][rows]
    t["need"] += delta
    np.maximum(t["need"], 0.0, out=t["need"])
    t["need"][~t["alive"]] = 0.0


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 400),
    half_life=st.sampled_from([0, 6, 24, 60]),
    counselling_effect=st.sampled_from([0.0, 0.05, 0.3]),
    trend=st.floats(-0.2, 0.2),
)
def test_need_step_kernel_equals_the_numpy_rule(seed, n, half_life, counselling_effect, trend):
    rng = np.random.default_rng(seed)

    def table() -> dict:
        r = np.random.default_rng(seed)
        return {
            "need": r.gamma(2.0, 0.5, n) * (r.random(n) < 0.95),
            "history": r.random(n) * (r.random(n) < 0.3),
            "level_fixed": r.normal(0.8, 0.3, n),
            "n_born": r.integers(0, 5, n).astype(np.int16),
            "births_left": r.integers(0, 3, n).astype(np.int8),
            "counsel_left": r.integers(0, 3, n).astype(np.int16),
            "project_effect": r.random(n) * 0.05 * (r.random(n) < 0.2),
            "reduction": r.random(n) * 0.2 * (r.random(n) < 0.1),
            "alive": r.random(n) < 0.9,
        }

    c = {
        "half_life": half_life,
        "w_per_child": 0.13,
        "w_history": 0.4,
        "trend": trend,
        "reversion": 0.07,
        "shock_sd": 0.21,
        "counselling_effect": counselling_effect,
    }
    z = rng.standard_normal(n, dtype=np.float32)
    mine, ref = table(), table()
    _numpy_need_step(ref, z, c)
    kernels.need_step(
        mine["need"],
        mine["history"],
        mine["level_fixed"],
        mine["n_born"],
        mine["births_left"],
        mine["counsel_left"],
        mine["project_effect"],
        mine["reduction"],
        mine["alive"],
        z,
        0.5 ** (1.0 / half_life) if half_life > 0 else 1.0,
        c["w_per_child"],
        c["w_history"],
        c["trend"],
        c["reversion"],
        c["shock_sd"],
        c["counselling_effect"],
    )
    for name in ("need", "history"):
        np.testing.assert_array_equal(mine[name], ref[name], err_msg=name)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 500), n_regions=st.integers(1, 12))
def test_under21_by_region_kernel_equals_bincount(seed, n, n_regions):
    rng = np.random.default_rng(seed)
    region = rng.integers(0, n_regions, n).astype(np.int16)
    alive = rng.random(n) < 0.9
    n_born = rng.integers(0, MAX_CHILDREN + 1, n).astype(np.int16)
    expected = np.bincount(region, weights=np.where(alive, n_born, 0), minlength=n_regions)
    got = kernels.under21_by_region(region, alive, n_born, n_regions)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.float64  # as bincount's with weights (for a non-empty table)


def test_regression_numba_loaded_with_the_model_exceeds_the_bomb_memory_bound():
    """Importing numba (with LLVM, about 70 MB) with the model pushed a command that
    only reads a bad file over its memory bound (tests/bad_days/test_files.py): numba
    is loaded on a kernel's first call, not on import."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = "import sys; import cli.main, model.model; print('numba' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


def _cases(seed: int, n: int) -> dict:
    r = np.random.default_rng(seed)
    return {
        "need": r.gamma(2.0, 0.6, n),
        "case_type": np.where(r.random(n) < 0.3, r.integers(0, 5, n), -1).astype(np.int16),
        "wait_type": np.where(r.random(n) < 0.05, r.integers(0, 5, n), -1).astype(np.int16),
        "alive": r.random(n) < 0.92,
        "counsel_left": np.where(r.random(n) < 0.2, r.integers(1, 4, n), 0).astype(np.int16),
        "known_office": r.random(n) < 0.3,
        "idx_age": r.integers(-1, 21 * 12, n).astype(np.int16),
        "region": r.integers(0, 4, n).astype(np.int16),
    }


# probabilities between float32 neighbours, where float32 and float64 comparisons differ
PROBABILITIES = st.sampled_from([0.1, 0.3, 1 / 3, 0.7, 0.05])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 400), p_seek=PROBABILITIES)
def test_counselling_kernel_equals_the_numpy_rules(seed, n, p_seek):
    mine, ref = _cases(seed, n), _cases(seed, n)
    u = np.random.default_rng(seed + 7).random(n, dtype=np.float32)
    # u values right at float32(p), to tell float32 from float64 comparisons apart
    u[: n // 4] = np.float32(p_seek)
    threshold = 0.9
    # numpy: FamilyTable.tick_counselling, the busy count, counselling_demand
    on = ref["counsel_left"] > 0
    ref["counsel_left"][on] -= 1
    ref["counsel_left"][ref["case_type"] >= 0] = 0
    busy_ref = np.bincount(ref["region"][ref["counsel_left"] > 0], minlength=4)
    rows = np.flatnonzero(ref["need"] >= threshold)
    seek = (
        ref["alive"][rows]
        & (ref["case_type"][rows] < 0)
        & (ref["wait_type"][rows] < 0)
        & (ref["counsel_left"][rows] == 0)
        & (u[rows] < p_seek)
    )
    busy, seekers = kernels.counselling_month(
        mine["counsel_left"],
        mine["case_type"],
        mine["wait_type"],
        mine["alive"],
        mine["need"],
        mine["region"],
        u,
        threshold,
        p_seek,
        4,
    )
    np.testing.assert_array_equal(busy, busy_ref)
    np.testing.assert_array_equal(seekers, rows[seek])
    np.testing.assert_array_equal(mine["counsel_left"], ref["counsel_left"])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 400), p_crisis=PROBABILITIES)
def test_recognise_kernel_equals_the_numpy_rule(seed, n, p_crisis):
    t = _cases(seed, n)
    rng = np.random.default_rng(seed + 3)
    u_known = rng.random(n, dtype=np.float32)
    u_crisis = rng.random(n, dtype=np.float32)
    u_crisis[: n // 4] = np.float32(p_crisis)
    out_of_home = np.array([False, True, False, True, False])
    th_help, th_crisis, p_self, crf, p_rep, yaf = 1.0, 2.0, 0.2, 1.5, 0.15, 0.6
    # numpy: FamilyTable.recognise before the kernel
    rows = np.flatnonzero(t["need"] >= min(th_help, th_crisis))
    ct = t["case_type"][rows]
    in_home = ~np.where(ct >= 0, out_of_home[np.maximum(ct, 0)], False)
    alive, need = t["alive"][rows], t["need"][rows]
    crisis = alive & in_home & (need >= th_crisis) & (u_crisis[rows] < p_crisis)
    ps = np.minimum(p_self * np.where(t["known_office"][rows], crf, 1.0), 1.0)
    p_known = 1.0 - (1.0 - ps) * (1.0 - p_rep)
    p_known = np.where(t["idx_age"][rows] >= ADULT_MONTHS, p_known * yaf, p_known)
    entitled = alive & (ct < 0) & (t["wait_type"][rows] < 0) & ~crisis & (need >= th_help)
    known = entitled & (u_known[rows] < p_known)
    got_known, got_crisis = kernels.recognise(
        t["need"],
        t["case_type"],
        t["wait_type"],
        t["alive"],
        t["known_office"],
        t["idx_age"],
        out_of_home,
        u_known,
        u_crisis,
        th_help,
        th_crisis,
        p_crisis,
        p_self,
        crf,
        p_rep,
        yaf,
        ADULT_MONTHS,
    )
    np.testing.assert_array_equal(got_known, rows[known])
    np.testing.assert_array_equal(got_crisis, rows[crisis])


def test_month_counts_kernel_equals_the_reporters_month_by_month():
    """The recorder's fused counts (:func:`kernels.month_counts`, through
    ``Recorder.record_month``) equal the per-metric reporters (masks and
    ``np.bincount``) in every month of a run with projects, counselling and waiting."""
    from model import reporters as R
    from model.model import SozialraumModel
    from tests.fixtures.factory import make_params

    p = make_params(scale=0.1, years=2, burn_in_months=12, **{"budget.bound_share": 0.7})
    m = SozialraumModel(p, rng=3)
    seen = dict.fromkeys(R.FUSED_REGION_REPORTERS, 0.0)
    while m.month_abs < m.total_months:
        m.step()
        s = m.month_abs - 1 - p.burn_in_months  # the slot record_month just filled
        if s < 0:
            continue
        rec = m.recorder
        for name in R.FUSED_REGION_REPORTERS:
            fn, _ = R.MONTHLY_REGION_REPORTERS[name]
            np.testing.assert_array_equal(rec.monthly[name][s], fn(m), err_msg=name)
            seen[name] += rec.monthly[name][s].sum()
        np.testing.assert_array_equal(rec.active[s], R.active_cases(m))
        np.testing.assert_array_equal(rec.waiting[s], R.waiting_by_type(m))
    assert all(v > 0 for v in seen.values()), seen  # every count was exercised
