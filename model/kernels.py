"""Fused per-family rules, compiled with numba: one pass over the family table.

Each kernel does what a few dozen whole-array numpy operations did (kept as the
reference in each kernel's test, ``tests/model/test_kernels.py``), family by family,
without temporaries. The rule of each is written once, in the docstring of the
:class:`model.families.FamilyTable` method that calls it. Arithmetic follows the numpy
version operation by operation and type by type (a ``float32`` product stays
``float32``; no fast-math, no fused multiply-add), so results are bit-identical and
the golden values did not change.

Compiled functions are cached on disk beside this file (``__pycache__``), so a
process compiles each once per machine. numba itself (with LLVM, about 70 MB) is
imported on a kernel's first call, not with the model: a command that only checks a
file never loads it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np


def njit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``numba.njit(cache=True, nogil=True)``, compiled on the first call."""
    compiled: Callable[..., Any] | None = None

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        nonlocal compiled
        if compiled is None:
            import numba

            compiled = numba.njit(cache=True, nogil=True)(fn)
        return compiled(*args)

    call.py_func = fn  # type: ignore[attr-defined]
    return call


@njit
def age_one_month(
    child_age: np.ndarray,
    alive: np.ndarray,
    births_left: np.ndarray,
    next_birth: np.ndarray,
    n_born: np.ndarray,
    idx_age: np.ndarray,
    u_spacing: np.ndarray,
    spacing_low: int,
    spacing_span: int,
    adult_months: int,
    limit_months: int,
) -> np.ndarray:
    """:meth:`model.families.FamilyTable.age_one_month`, family by family.

    Ages children (slot-major ``child_age``), gives due births into the first free
    slot with the next spacing ``low + ⌊u · span⌋`` (``u · span`` in ``float32``, as
    numpy computes it), recomputes the cached child count and index-child age of
    families whose children changed (a child turned 18 or 21, or was born), and
    returns the rows of families left without children and births to come.
    """
    n_slots, n = child_age.shape
    span = np.float32(spacing_span)
    leaving = np.empty(n, dtype=np.int64)
    k = 0
    # first every slot along its row (the table is slot-major: contiguous), then
    # family by family what needs all slots of a family (rare: births, 18th and 21st
    # birthdays)
    changed_any = np.zeros(n, dtype=np.bool_)
    for s in range(n_slots):
        row = child_age[s]
        for j in range(n):
            a = row[j]
            if a >= 0:
                a += 1
                if a >= limit_months:
                    a = -1
                    changed_any[j] = True
                elif a == adult_months:
                    changed_any[j] = True
                row[j] = a
    for j in range(n):
        changed = changed_any[j]
        if idx_age[j] >= 0:
            idx_age[j] += 1
        if alive[j] and births_left[j] > 0:
            next_birth[j] -= 1
            if next_birth[j] <= 0:
                for s in range(n_slots):
                    if child_age[s, j] < 0:
                        child_age[s, j] = 0
                        births_left[j] -= 1
                        next_birth[j] = spacing_low + math.floor(u_spacing[j] * span)
                        changed = True
                        break
        if changed:
            born = 0
            minor = -1
            oldest = -1
            for s in range(n_slots):
                a = child_age[s, j]
                if a >= 0:
                    born += 1
                    if a < adult_months and a > minor:
                        minor = a
                if a > oldest:
                    oldest = a
            n_born[j] = born
            idx_age[j] = minor if minor >= 0 else oldest
        if alive[j] and n_born[j] == 0 and births_left[j] == 0:
            leaving[k] = j
            k += 1
    return leaving[:k]


@njit
def need_step(
    need: np.ndarray,
    history: np.ndarray,
    level_fixed: np.ndarray,
    n_born: np.ndarray,
    births_left: np.ndarray,
    counsel_left: np.ndarray,
    project_effect: np.ndarray,
    reduction: np.ndarray,
    alive: np.ndarray,
    z: np.ndarray,
    history_factor: float,
    w_per_child: float,
    w_history: float,
    trend: float,
    reversion: float,
    shock_sd: float,
    counselling_effect: float,
) -> None:
    """:meth:`model.families.FamilyTable.update_need`, family by family.

    ``history *= history_factor`` (1: no fading); then, in the numpy version's order
    of operations, ``need' = max(0, need + (((level + trend − need) · reversion +
    shock_sd · z) − counselling_effect · [counselled] − project_effect − reduction))``
    with ``shock_sd · z`` in ``float32`` (``z`` is ``float32``) and 0 for rows
    without a living family.
    """
    sd = np.float32(shock_sd)
    for j in range(need.size):
        h = history[j]
        if history_factor != 1.0:
            h = h * history_factor
            history[j] = h
        children = n_born[j] + births_left[j] - 1
        level = level_fixed[j] + w_per_child * max(children, 0) + w_history * h
        delta = level + trend
        delta = delta - need[j]
        delta = delta * reversion
        delta = delta + np.float64(sd * z[j])
        if counselling_effect != 0.0:
            delta = delta - counselling_effect * (1.0 if counsel_left[j] > 0 else 0.0)
        delta = delta - project_effect[j]
        delta = delta - reduction[j]
        value = need[j] + delta
        need[j] = (value if value > 0.0 else 0.0) if alive[j] else 0.0


@njit
def under21_by_region(
    region: np.ndarray, alive: np.ndarray, n_born: np.ndarray, n_regions: int
) -> np.ndarray:
    """Children under 21 of the living families per region.

    As ``float64``, like ``np.bincount(region, weights=where(alive, n_born, 0))``
    (sums of whole numbers: exact, whatever the order).
    """
    out = np.zeros(n_regions, dtype=np.float64)
    for j in range(region.size):
        if alive[j]:
            out[region[j]] += n_born[j]
    return out


@njit
def counselling_month(
    counsel_left: np.ndarray,
    case_type: np.ndarray,
    wait_type: np.ndarray,
    alive: np.ndarray,
    need: np.ndarray,
    region: np.ndarray,
    u_seek: np.ndarray,
    threshold: float,
    p_seek: float,
    n_regions: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`model.families.FamilyTable.counselling_month`, family by family.

    Returns:
        Families in counselling per region after the month's tick (``int64``), and
        the rows seeking counselling in row order. ``u < p_seek`` compares in
        ``float32``, as numpy compares a ``float32`` array with a Python number.
    """
    p = np.float32(p_seek)
    busy = np.zeros(n_regions, dtype=np.int64)
    seekers = np.empty(need.size, dtype=np.int64)
    k = 0
    for j in range(need.size):
        c = counsel_left[j]
        if c > 0:
            c -= 1
        if case_type[j] >= 0:
            c = 0
        counsel_left[j] = c
        if c > 0:
            busy[region[j]] += 1
        if (
            need[j] >= threshold
            and alive[j]
            and case_type[j] < 0
            and wait_type[j] < 0
            and c == 0
            and u_seek[j] < p
        ):
            seekers[k] = j
            k += 1
    return busy, seekers[:k]


@njit
def recognise(
    need: np.ndarray,
    case_type: np.ndarray,
    wait_type: np.ndarray,
    alive: np.ndarray,
    known_office: np.ndarray,
    idx_age: np.ndarray,
    out_of_home: np.ndarray,
    u_known: np.ndarray,
    u_crisis: np.ndarray,
    threshold_help: float,
    threshold_crisis: float,
    p_crisis: float,
    p_self_request: float,
    referral_factor: float,
    p_report: float,
    young_adult_factor: float,
    adult_months: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`model.families.FamilyTable.recognise`, family by family.

    ``p_report`` is the capped report probability. ``u_crisis < p_crisis`` compares in
    ``float32`` (a Python number against a ``float32`` array in numpy), ``u_known <
    p_known`` in ``float64`` (an array of probabilities).

    Returns:
        Rows of entitled families that became known, rows in crisis (row order).
    """
    pc = np.float32(p_crisis)
    low = min(threshold_help, threshold_crisis)
    known = np.empty(need.size, dtype=np.int64)
    crisis = np.empty(need.size, dtype=np.int64)
    nk = nc = 0
    for j in range(need.size):
        v = need[j]
        if not v >= low:
            continue
        t = case_type[j]
        in_home = not (t >= 0 and out_of_home[t])
        is_crisis = alive[j] and in_home and v >= threshold_crisis and u_crisis[j] < pc
        if is_crisis:
            crisis[nc] = j
            nc += 1
            continue
        if not (alive[j] and t < 0 and wait_type[j] < 0 and v >= threshold_help):
            continue
        p_self = min(p_self_request * (referral_factor if known_office[j] else 1.0), 1.0)
        p_known = 1.0 - (1.0 - p_self) * (1.0 - p_report)
        if idx_age[j] >= adult_months:
            p_known = p_known * young_adult_factor
        if u_known[j] < p_known:
            known[nk] = j
            nk += 1
    return known[:nk], crisis[:nc]


@njit
def month_counts(
    region: np.ndarray,
    alive: np.ndarray,
    case_type: np.ndarray,
    wait_type: np.ndarray,
    need: np.ndarray,
    counsel_left: np.ndarray,
    project_effect: np.ndarray,
    threshold: float,
    n_regions: int,
    n_types: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recorder's monthly counts of families, in one pass over the family table.

    What :func:`model.reporters.waiting_families`, ``unmet_need_families``,
    ``counselled_families``, ``project_reach``, ``families_alive``, ``active_cases``
    and ``waiting_by_type`` count, each a mask and a ``np.bincount`` there (counts of
    whole numbers: exact, whatever the order).

    Returns:
        ``per_region`` (``float64``, 5 × regions: waiting, unmet need, counselled,
        reached by a project, alive), ``active`` and ``waiting`` per region and help
        type (``float64``, regions × types).
    """
    per_region = np.zeros((5, n_regions), dtype=np.float64)
    active = np.zeros((n_regions, n_types), dtype=np.float64)
    waiting = np.zeros((n_regions, n_types), dtype=np.float64)
    for j in range(region.size):
        r = region[j]
        t = case_type[j]
        w = wait_type[j]
        if w >= 0:
            per_region[0, r] += 1.0
            waiting[r, w] += 1.0
        if t >= 0:
            active[r, t] += 1.0
        if counsel_left[j] > 0:
            per_region[2, r] += 1.0
        if alive[j]:
            per_region[4, r] += 1.0
            if t < 0 and need[j] >= threshold:
                per_region[1, r] += 1.0
            if project_effect[j] != 0.0:
                per_region[3, r] += 1.0
    return per_region, active, waiting
