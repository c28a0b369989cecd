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


# ---------------------------------------------------------------------- month kernels
# The kernels below replaced whole-array numpy code of one simulated month (issue 13,
# "engine speed"); the numpy code is kept here as the known answer, and each kernel
# must equal it bit for bit on random inputs.


def _family_table(seed: int, n: int):
    """A FamilyTable of the test parameters with random families and cases."""
    from model.families import FamilyTable
    from tests.fixtures.factory import make_params

    p = make_params()
    f = FamilyTable(p, n)
    r = np.random.default_rng(seed)
    n_types = len(p.help_types)
    f.alive[:] = r.random(n) < 0.9
    f.region[:] = r.integers(0, len(p.regions), n)
    f.need[:] = r.gamma(2.0, 2.0, n) * (r.random(n) < 0.97)
    f.idx_age[:] = r.integers(-1, 21 * 12, n)
    f.disability[:] = r.random(n) < 0.1
    on = r.random(n) < 0.4
    f.case_type[:] = np.where(on, r.integers(0, n_types, n), -1)
    f.case_fls[:] = np.where(on, r.uniform(0.5, 12.0, n), 0.0)
    f.case_months[:] = np.where(on, r.integers(0, 30, n), 0)
    f.case_planned[:] = np.where(on, r.integers(1, 40, n), 0)
    f.case_pot[:] = np.where(on, r.integers(0, 4, n), -1)
    f.case_provider[:] = np.where(on, r.integers(0, 5, n), -1)
    f.wait_type[:] = np.where(~on & (r.random(n) < 0.1), r.integers(0, n_types, n), -1)
    return f


def _numpy_help_reduction(f) -> np.ndarray:
    """The numpy rule (FamilyTable.help_reduction)."""
    on = np.flatnonzero(f.case_type >= 0)
    tt = f.case_type[on]
    fls_case = f.h_is_fls[tt]
    rel = np.where(fls_case, f.case_fls[on] / np.where(fls_case, f.h_fls[tt], 1.0), 1.0)
    ref = f.params.provider.effect_reference_contact_share
    direct = np.where(fls_case, f.direct_share[f.region[on]] / ref, 1.0)
    out = np.zeros(f.capacity)
    out[on] = f.h_effect[tt] * rel * direct
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400), half_life=st.sampled_from([0, 24]))
def test_need_month_kernel_equals_help_reduction_and_need_step(seed, n, half_life):
    f = _family_table(seed, n)
    r = np.random.default_rng(seed + 1)
    f.history[:] = r.random(n)
    f.level_fixed[:] = r.normal(0.8, 0.3, n)
    f.n_born[:] = r.integers(0, 5, n)
    f.births_left[:] = r.integers(0, 3, n)
    f.counsel_left[:] = r.integers(0, 3, n)
    f.project_effect[:] = r.random(n) * 0.05 * (r.random(n) < 0.2)
    z = r.standard_normal(n, dtype=np.float32)
    factor = 0.5 ** (1.0 / half_life) if half_life > 0 else 1.0
    consts = (factor, 0.13, 0.4, 0.02, 0.07, 0.21, 0.05)
    need, history = f.need.copy(), f.history.copy()
    kernels.need_step(
        need,
        history,
        f.level_fixed,
        f.n_born,
        f.births_left,
        f.counsel_left,
        f.project_effect,
        _numpy_help_reduction(f),
        f.alive,
        z,
        *consts,
    )
    kernels.need_month(
        f.need,
        f.history,
        f.level_fixed,
        f.n_born,
        f.births_left,
        f.counsel_left,
        f.project_effect,
        f.case_type,
        f.case_fls,
        f.region,
        f.h_is_fls,
        f.h_fls,
        f.h_effect,
        f.direct_share,
        f.params.provider.effect_reference_contact_share,
        f.alive,
        z,
        *consts,
    )
    np.testing.assert_array_equal(f.need, need)
    np.testing.assert_array_equal(f.history, history)


def _numpy_review_month(f) -> tuple[np.ndarray, ...]:
    """The numpy rules: SozialraumModel._reviews' masks around FamilyTable.review."""
    from model.families import END_AGEING_OUT, END_ESCALATION, END_PLANNED, END_SUCCESS

    p = f.params
    interval = p.review_interval_months
    due_review = (f.case_type >= 0) & ((f.case_months + 1) % interval == 0)
    on = np.flatnonzero(f.case_type >= 0)
    f.case_months[on] += 1
    t = f.case_type[on]
    months = f.case_months[on]
    need = f.need[on]
    age = f.idx_age[on]
    reason = np.full(on.size, -1, dtype=np.int8)
    reason[(age >= f.h_age_max[t]) | (age < 0)] = END_AGEING_OUT
    due = (months % interval == 0) | (months >= f.case_planned[on])
    target = f.h_escalates[t]
    tgt = np.maximum(target, 0)
    can_escalate = (target >= 0) & (age >= f.h_age_min[tgt]) & (age < f.h_age_max[tgt])
    open_ = reason < 0
    reason[open_ & due & (need < p.need.threshold_success)] = END_SUCCESS
    open_ = reason < 0
    reason[open_ & due & (need >= f.h_need_max[t]) & can_escalate] = END_ESCALATION
    open_ = reason < 0
    reason[open_ & (months >= f.case_planned[on])] = END_PLANNED
    ends = reason >= 0
    rows = on[ends]
    continuing = due_review.copy()
    continuing[rows] = False
    first = continuing & (f.case_months == interval)
    return np.flatnonzero(due_review), rows, reason[ends], np.flatnonzero(first)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 400))
def test_review_month_kernel_equals_the_numpy_rules(seed, n):
    mine, ref = _family_table(seed, max(n, 1)), _family_table(seed, max(n, 1))
    expected = _numpy_review_month(ref)
    got = mine.review_month()
    for g, e, name in zip(got, expected, ("reviewed", "ends", "reasons", "first"), strict=True):
        np.testing.assert_array_equal(g, e, err_msg=name)
        assert g.dtype == e.dtype or name != "reasons"
    np.testing.assert_array_equal(mine.case_months, ref.case_months)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400))
def test_case_load_and_case_bills_kernels_equal_bincount(seed, n):
    from model.model import DAYS_PER_MONTH, WEEKS_PER_MONTH

    f = _family_table(seed, n)
    r = np.random.default_rng(seed + 2)
    hours = r.uniform(1.0, 1.6, 3)
    h_group = r.choice([1.0, 6.0], f.h_fls.size)
    h_rate = r.uniform(30.0, 250.0, f.h_fls.size)
    h_placed = r.random(f.h_fls.size) < 0.3
    active = np.flatnonzero(f.case_type >= 0)
    t = f.case_type[active]
    # numpy: SozialraumModel._case_fls_month and the bincount of _assign_providers
    fls_month = f.case_fls[active] * WEEKS_PER_MONTH * hours[f.region[active]] / h_group[t]
    used_ref = np.bincount(f.case_provider[active], weights=fls_month, minlength=5)
    used, waiting, placed = kernels.case_load(
        f.case_type,
        f.case_provider,
        f.case_fls,
        f.region,
        f.wait_type,
        hours,
        h_group,
        h_placed,
        WEEKS_PER_MONTH,
        5,
    )
    np.testing.assert_array_equal(used, used_ref)
    np.testing.assert_array_equal(waiting, np.flatnonzero(f.wait_type >= 0))
    assert placed == int(h_placed[t].sum())
    # numpy: the bills of SozialraumModel._billing
    fls_rate = 61.3
    eur = np.where(
        f.h_is_fls[t],
        f.case_fls[active] * WEEKS_PER_MONTH * fls_rate / h_group[t],
        h_rate[t] * DAYS_PER_MONTH,
    )
    cents_ref = np.rint(eur * 100).astype(np.int64)
    prov_ref = f.case_provider[active].astype(np.int64)
    got = kernels.case_bills(
        f.case_type,
        f.case_fls,
        f.case_pot,
        f.case_provider,
        f.region,
        f.h_is_fls,
        h_group,
        h_rate,
        fls_rate,
        WEEKS_PER_MONTH,
        DAYS_PER_MONTH,
        5,
    )
    cents, types, pots, regions, provs, rows, revenue = got
    np.testing.assert_array_equal(cents, cents_ref)
    np.testing.assert_array_equal(types, t)
    np.testing.assert_array_equal(pots, f.case_pot[active])
    np.testing.assert_array_equal(regions, f.region[active])
    np.testing.assert_array_equal(provs, prov_ref)
    np.testing.assert_array_equal(rows, active)
    np.testing.assert_array_equal(revenue, np.bincount(prov_ref, weights=cents_ref, minlength=5))


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 60),
    n_amb=st.integers(1, 9),
    tight=st.booleans(),
)
def test_choice_rounds_kernel_equals_the_numpy_rounds(seed, n, n_amb, tight):
    from model.model import CHOICE_ROUNDS, GOLDEN, _choice_rounds

    r = np.random.default_rng(seed)
    n_wait = n + int(r.integers(0, 5))
    waiting = np.sort(r.choice(400, n_wait, replace=False))
    cand = np.sort(r.choice(n_wait, n, replace=False))
    fls_need = r.choice([4.0, 6.5, 13.0, 20.0], n_wait)
    options = r.random((n, n_amb)) < 0.6
    attract = np.where(r.random(n_amb) < 0.2, 0.0, r.uniform(0.2, 2.0, n_amb))
    free0 = r.uniform(0.0, 30.0 if tight else 300.0, n_amb)
    chosen0 = np.where(r.random(n_wait) < 0.1, 99, -1)
    u = r.random(400, dtype=np.float32)
    index = r.permutation(20)[:n_amb]
    free, chosen = free0.copy(), chosen0.copy()
    _choice_rounds(cand, waiting, fls_need, options, attract, free, chosen, u, index)
    free_k, chosen_k = free0.copy(), chosen0.copy()
    kernels.choice_rounds(
        cand,
        waiting,
        fls_need,
        options,
        attract,
        free_k,
        chosen_k,
        u,
        index.astype(np.int64),
        CHOICE_ROUNDS,
        GOLDEN,
    )
    np.testing.assert_array_equal(chosen_k, chosen)
    np.testing.assert_array_equal(free_k, free)


def _numpy_book(led, month, region, pot, item, provider, kind, cents) -> np.ndarray:
    """The numpy aggregation of Ledger.book (np.unique and a float bincount)."""
    from model.ledger import KINDS, _column
    from model.params import POTS

    n = cents.size
    region, pot, item = _column(region, n), _column(pot, n), _column(item, n)
    provider = _column(provider, n) + 1
    n_items = max(len(led.items), int(item.max()) + 1)
    n_prov = len(led.providers) + 1
    combined = ((region * len(POTS) + pot) * n_items + item) * n_prov + provider
    uniq, inverse = np.unique(combined, return_inverse=True)
    sums = np.rint(np.bincount(inverse.ravel(), weights=cents, minlength=uniq.size))
    prov_k = uniq % n_prov
    rest = uniq // n_prov
    item_k = rest % n_items
    rest = rest // n_items
    keys = np.stack([rest // len(POTS), rest % len(POTS), item_k, prov_k - 1])
    block = np.empty((7, uniq.size), dtype=np.int64)
    block[0], block[1:5], block[5], block[6] = month, keys, KINDS.index(kind), sums
    return block


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 300), scalar_pot=st.booleans())
def test_book_lines_kernel_equals_the_numpy_aggregation(seed, n, scalar_pot):
    from model.ledger import Ledger

    r = np.random.default_rng(seed)
    led = Ledger(("A", "B", "C"), ["P1", "P2", "P3"])
    for code in ("31", "34", "35"):
        led.item_id(code)
    region = r.integers(0, 3, n)
    pot = 3 if scalar_pot else r.integers(0, 4, n)
    item = r.integers(0, 3, n)
    provider = r.integers(-1, 3, n)
    cents = r.integers(-(10**9), 10**9, n)
    expected = _numpy_book(led, 7, region, pot, item, provider, "case", cents)
    led.book(7, region, pot, item, provider, "case", cents)
    np.testing.assert_array_equal(led._chunks[-1], expected)
    running = np.zeros((3, 4), dtype=np.int64)
    np.add.at(running, (expected[1], expected[2]), expected[6])
    np.testing.assert_array_equal(led.running, running)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300))
def test_choose_help_kernel_equals_the_numpy_rule(seed, n):
    f = _family_table(seed, n)
    u = np.random.default_rng(seed + 5).random(n, dtype=np.float32)
    rows = np.flatnonzero(f.alive)
    # the families some type fits (the kernel's domain), by the numpy masks
    need, age = f.need[rows][:, None], f.idx_age[rows][:, None]
    young = age >= ADULT_MONTHS
    trait_ok = np.where(
        f.h_trait == "disability",
        f.disability[rows][:, None],
        np.where(f.h_trait == "young_adult", young, np.where(f.h_trait == "crisis", False, ~young)),
    )
    fits = (
        (need >= f.h_need_min)
        & (need < f.h_need_max)
        & (age >= f.h_age_min)
        & (age < f.h_age_max)
        & trait_ok
    )
    fitting = rows[(f.h_weight * fits).sum(axis=1) > 0]
    args = (f.need, f.idx_age, f.disability, u, f.h_need_min, f.h_need_max, f.h_age_min)
    args += (f.h_age_max, f.h_weight, f.h_trait_code, ADULT_MONTHS)
    types, ok = kernels.choose_help(fitting, *args)
    assert ok
    assert kernels.choose_help(rows, *args)[1] == (fitting.size == rows.size)
    assert f._weights_ok
    got_all = f.choose_help(rows, u)
    f._weights_ok = False  # the whole-array rule (relaxed band and fallbacks included)
    np.testing.assert_array_equal(types, f.choose_help(fitting, u))
    np.testing.assert_array_equal(got_all, f.choose_help(rows, u))
    assert types.dtype == got_all.dtype == np.int16


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300), n_regions=st.integers(1, 5))
def test_admit_in_order_kernel_equals_lexsort_and_rank(seed, n, n_regions):
    r = np.random.default_rng(seed)
    size = n + 20
    region = r.integers(0, n_regions, size).astype(np.int16)
    u = r.random(size, dtype=np.float32)
    u[r.random(size) < 0.2] = np.float32(0.5)  # ties keep the order of the seekers
    seekers = np.sort(r.choice(size, n, replace=False))
    free_slots = r.integers(0, 8, n_regions)
    # numpy: SozialraumModel._counselling before the kernel
    s = seekers[np.lexsort((u[seekers], region[seekers]))]
    reg = region[s]
    first = np.searchsorted(reg, np.arange(n_regions))
    rank = np.arange(s.size) - first[reg]
    expected = s[rank < free_slots[reg]]
    got = kernels.admit_in_order(seekers, region, u, free_slots)
    np.testing.assert_array_equal(got, expected)


def _numpy_place(f, fam, rows) -> None:
    """The numpy rule (FamilyTable.place before the kernel)."""
    f.alive[rows] = True
    f.region[rows] = fam.region
    f.municipality[rows] = fam.municipality
    f.child_age[:, rows] = fam.child_age.T
    f.births_left[rows] = fam.births_left
    f.next_birth[rows] = fam.next_birth
    f.single_parent[rows] = fam.single_parent
    f.sgb2[rows] = fam.sgb2
    f.disability[rows] = fam.disability
    f.trait[rows] = fam.trait
    f.history[rows] = 0
    f.generation[rows] += 1
    f.counsel_left[rows] = 0
    f.known_office[rows] = False
    f.project_effect[rows] = 0.0
    ages = f.child_age[:, rows]
    f.n_born[rows] = (ages >= 0).sum(axis=0)
    minor = np.where(ages < ADULT_MONTHS, ages, -1).max(axis=0)
    f.idx_age[rows] = np.where(minor >= 0, minor, ages.max(axis=0))
    p = f.params.need
    f.level_fixed[rows] = (
        p.base
        + p.w_single_parent * f.single_parent[rows]
        + p.w_sgb2 * f.sgb2[rows]
        + p.w_disability * f.disability[rows]
        + f.trait[rows]
    )
    n_children = f.n_born[rows] + f.births_left[rows]
    f.need[rows] = (
        f.level_fixed[rows]
        + p.w_per_child * np.maximum(n_children - 1, 0)
        + p.w_history * f.history[rows]
    )
    f._clear_case(rows)
    f.clear_wait(rows)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 200))
def test_place_kernel_equals_the_numpy_rule(seed, n):
    from model.population import draw_families

    mine, ref = _family_table(seed, n + 50), _family_table(seed, n + 50)
    p = mine.params
    r = np.random.default_rng(seed + 9)
    mun = r.integers(0, sum(len(reg.municipalities) for reg in p.regions), n)
    fam = draw_families(p, n, mun, r, newborn=bool(seed % 2))
    rows = np.sort(r.choice(n + 50, n, replace=False))
    mine.place(fam, rows)
    _numpy_place(ref, fam, rows)
    for name, column in vars(ref).items():
        if isinstance(column, np.ndarray):
            np.testing.assert_array_equal(getattr(mine, name), column, err_msg=name)
