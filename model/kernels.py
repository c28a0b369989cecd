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


def njit(
    fn: Callable[..., Any] | None = None, *, error_model: str = "python"
) -> Callable[..., Any]:
    """``numba.njit(cache=True, nogil=True)``, compiled on the first call.

    ``error_model="numpy"`` (``@njit(error_model="numpy")``) makes a float division by
    zero give ``inf``/``nan`` as numpy does, instead of raising. Once compiled, the
    module's name is bound to the compiled function itself, so that later calls
    (``kernels.<name>(…)``, a few dozen a simulated month) skip this wrapper.
    """
    if fn is None:
        return functools.partial(njit, error_model=error_model)
    compiled: Callable[..., Any] | None = None

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        nonlocal compiled
        if compiled is None:
            import numba

            compiled = numba.njit(cache=True, nogil=True, error_model=error_model)(fn)
            if globals().get(fn.__name__) is call:
                globals()[fn.__name__] = compiled
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


@njit(error_model="numpy")
def need_month(
    need: np.ndarray,
    history: np.ndarray,
    level_fixed: np.ndarray,
    n_born: np.ndarray,
    births_left: np.ndarray,
    counsel_left: np.ndarray,
    project_effect: np.ndarray,
    case_type: np.ndarray,
    case_fls: np.ndarray,
    region: np.ndarray,
    h_is_fls: np.ndarray,
    h_fls: np.ndarray,
    h_effect: np.ndarray,
    direct_share: np.ndarray,
    reference_share: float,
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
    """:func:`need_step` with the help reduction computed family by family.

    The reduction is :meth:`model.families.FamilyTable.help_reduction`'s, in its
    order of operations: ``help_effect[t] · (fls / mean_fls[t]) · (direct_share[r] /
    reference_share)`` for an FLS-billed help of type t in region r,
    ``help_effect[t]`` (times 1.0 twice: the same bits) for a day-rate help, 0
    without an active help (a division by zero gives ``inf``/``nan`` as in numpy).
    Then the same arithmetic as :func:`need_step`.
    """
    sd = np.float32(shock_sd)
    # the reductions first, so that the need loop below stays branch-free (SIMD)
    reductions = np.empty(need.size, dtype=np.float64)
    for j in range(need.size):
        reduction = 0.0
        t = case_type[j]
        if t >= 0:
            if h_is_fls[t]:
                rel = case_fls[j] / h_fls[t]
                direct = direct_share[region[j]] / reference_share
                reduction = h_effect[t] * rel * direct
            else:
                reduction = h_effect[t]
        reductions[j] = reduction
    for j in range(need.size):
        h = history[j]
        if history_factor != 1.0:
            h = h * history_factor
            history[j] = h
        reduction = reductions[j]
        children = n_born[j] + births_left[j] - 1
        level = level_fixed[j] + w_per_child * max(children, 0) + w_history * h
        delta = level + trend
        delta = delta - need[j]
        delta = delta * reversion
        delta = delta + np.float64(sd * z[j])
        if counselling_effect != 0.0:
            delta = delta - counselling_effect * (1.0 if counsel_left[j] > 0 else 0.0)
        delta = delta - project_effect[j]
        delta = delta - reduction
        value = need[j] + delta
        need[j] = (value if value > 0.0 else 0.0) if alive[j] else 0.0


@njit
def review_month(
    case_type: np.ndarray,
    case_months: np.ndarray,
    case_planned: np.ndarray,
    need: np.ndarray,
    idx_age: np.ndarray,
    h_age_min: np.ndarray,
    h_age_max: np.ndarray,
    h_escalates: np.ndarray,
    h_need_max: np.ndarray,
    interval: int,
    threshold_success: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`model.families.FamilyTable.review_month`, family by family.

    Per family with an active help: ``case_months += 1``; it is *reviewed* if the
    new month count is a multiple of ``interval``; its help ends for the first
    reason that applies (ageing out, then at a review or the planned end success,
    then escalation, then the planned end; the codes of ``model.families``); a
    reviewed help that continues and has run exactly ``interval`` months has its
    *first* review. Comparisons of ``int16`` ages and months with the per-type
    arrays as numpy does them (promoted to the wider type).

    Returns:
        Rows reviewed, rows whose help ends, the reason per ending row (``int8``),
        rows at their first review that continue (all in row order, ``int64``).
    """
    n = case_type.size
    reviewed = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    reasons = np.empty(n, dtype=np.int8)
    first = np.empty(n, dtype=np.int64)
    nr = ne = nf = 0
    for j in range(n):
        t = case_type[j]
        if t < 0:
            continue
        months = case_months[j] + 1
        case_months[j] = months
        months = case_months[j]  # as stored (int16)
        is_review = months % interval == 0
        if is_review:
            reviewed[nr] = j
            nr += 1
        age = idx_age[j]
        planned_end = months >= case_planned[j]
        due = is_review or planned_end
        reason = -1
        if age >= h_age_max[t] or age < 0:
            reason = 3  # END_AGEING_OUT
        elif due and need[j] < threshold_success:
            reason = 0  # END_SUCCESS
        else:
            target = h_escalates[t]
            tgt = max(target, 0)
            can_escalate = target >= 0 and age >= h_age_min[tgt] and age < h_age_max[tgt]
            if due and need[j] >= h_need_max[t] and can_escalate:
                reason = 2  # END_ESCALATION
            elif planned_end:
                reason = 1  # END_PLANNED
        if reason >= 0:
            ends[ne] = j
            reasons[ne] = reason
            ne += 1
        elif is_review and months == interval:
            first[nf] = j
            nf += 1
    return reviewed[:nr], ends[:ne], reasons[:ne], first[:nf]


@njit
def under21_by_region(
    region: np.ndarray, alive: np.ndarray, n_born: np.ndarray, n_regions: int
) -> np.ndarray:
    """Children under 21 of the living families per region.

    As ``float64``, like ``np.bincount(region, weights=where(alive, n_born, 0))``
    (sums of whole numbers: exact, whatever the order).
    """
    # whole numbers, counted in eight interleaved integer lanes (no chain of
    # dependent additions on one bin), then summed: the same exact totals
    lanes = np.zeros((8, n_regions), dtype=np.int64)
    for j in range(region.size):
        if alive[j]:
            lanes[j & 7, region[j]] += n_born[j]
    out = np.zeros(n_regions, dtype=np.float64)
    for r in range(n_regions):
        total = 0
        for k in range(8):
            total += lanes[k, r]
        out[r] = np.float64(total)
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
        t = case_type[j]
        if c > 0 or t >= 0:  # else nothing changes (and nothing is written)
            if c > 0:
                c -= 1
            if t >= 0:
                c = 0
            counsel_left[j] = c
            if c > 0:
                busy[region[j]] += 1
        if (
            need[j] >= threshold
            and alive[j]
            and t < 0
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


@njit
def case_load(
    case_type: np.ndarray,
    case_provider: np.ndarray,
    case_fls: np.ndarray,
    region: np.ndarray,
    wait_type: np.ndarray,
    staff_hours_per_fls: np.ndarray,
    h_group: np.ndarray,
    h_placed: np.ndarray,
    weeks_per_month: float,
    n_providers: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The providers' load at the start of the provider assignment, in one pass.

    Per provider: the staff hours per month its active cases take,
    ``fls · weeks_per_month · staff_hours_per_fls[region] / group_size[type]`` (in
    that order of operations), added up in row order as ``np.bincount(provider,
    weights=…)`` adds them (so the sums are bit-identical).

    Returns:
        Hours per provider (``float64``), the rows of families waiting for a
        provider (row order), and the number of active helps of a type that takes a
        place (``h_placed``).
    """
    used = np.zeros(n_providers, dtype=np.float64)
    waiting = np.empty(case_type.size, dtype=np.int64)
    nw = 0
    placed = 0
    for j in range(case_type.size):
        t = case_type[j]
        if t >= 0:
            hours = case_fls[j] * weeks_per_month * staff_hours_per_fls[region[j]] / h_group[t]
            used[case_provider[j]] += hours
            if h_placed[t]:
                placed += 1
        if wait_type[j] >= 0:
            waiting[nw] = j
            nw += 1
    return used, waiting[:nw], placed


@njit
def choice_rounds(
    cand: np.ndarray,
    waiting: np.ndarray,
    fls_need: np.ndarray,
    options: np.ndarray,
    attract: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
    u_choice: np.ndarray,
    provider_index: np.ndarray,
    rounds: int,
    golden: float,
) -> None:
    """The free choice of ``SozialraumModel._assign_providers``, round by round.

    In round k each open candidate (``cand``: positions in ``waiting`` with
    ``chosen < 0``) weighs provider j by ``attract[j] · options[i, j] · [free[j] ≥
    need]``; a candidate with no positive weight sits the round out. With the
    running sums ``cum`` of the weights, its draw ``uu = (u + k · golden) mod 1``
    (``float32``, as numpy adds a Python number to a ``float32`` array) picks
    ``min(#{j: uu · cum[-1] ≥ cum[j]}, n − 1)``. Provider by provider (ascending),
    its choosers are taken in candidate order while the running sum of their hours
    stays within its free capacity at the start of the round
    (``model.model._take_in_order``); ``free`` and ``chosen`` are updated. Stops
    early when no candidate is open or none has a positive weight.

    The weights must be finite and not negative (the caller checks
    ``attract``), so "a positive weight" is "a positive row sum" whatever the order
    of the sum.
    """
    n_amb = attract.size
    n = cand.size
    picks = np.empty(n, dtype=np.int64)
    rows = np.empty(n, dtype=np.int64)
    w = np.empty(n_amb, dtype=np.float64)
    cum = np.empty(n_amb, dtype=np.float64)
    one = np.float32(1.0)
    for k in range(rounds):
        shift = np.float32(k * golden)
        n_open = 0
        n_has = 0
        for i in range(n):
            c = cand[i]
            if chosen[c] >= 0:
                continue
            n_open += 1
            positive = False
            for j in range(n_amb):
                wj = attract[j] * (1.0 if options[i, j] else 0.0)
                wj = wj * (1.0 if free[j] >= fls_need[c] else 0.0)
                w[j] = wj
                if wj > 0.0:
                    positive = True
            if not positive:
                continue
            total = w[0]
            cum[0] = total
            for j in range(1, n_amb):
                total = total + w[j]
                cum[j] = total
            uu = (np.float32(u_choice[waiting[c]]) + shift) % one
            threshold = np.float64(uu) * cum[n_amb - 1]
            pick = 0
            for j in range(n_amb):
                if threshold >= cum[j]:
                    pick += 1
            rows[n_has] = c
            picks[n_has] = min(pick, n_amb - 1)
            n_has += 1
        if n_open == 0 or n_has == 0:
            break
        for j in range(n_amb):
            room = free[j]
            taken = False
            started = False
            total = 0.0
            last = 0.0
            for i in range(n_has):
                if picks[i] != j:
                    continue
                c = rows[i]
                if started:
                    total = total + fls_need[c]
                else:  # as np.cumsum: the first sum is the first value itself
                    total = fls_need[c]
                    started = True
                if total <= room:
                    chosen[c] = provider_index[j]
                    last = total
                    taken = True
            if taken:
                free[j] -= last


@njit
def book_lines(
    month: int,
    kind: int,
    region: np.ndarray,
    pot: np.ndarray,
    item: np.ndarray,
    provider: np.ndarray,
    cents: np.ndarray,
    n_pots: int,
    n_items: int,
    n_providers: int,
    running: np.ndarray,
) -> np.ndarray:
    """:meth:`model.ledger.Ledger.book` for many lines: aggregate, add up, lay out.

    Lines with the same (region, pot, item, provider) become one, in ascending
    order of the combined key ``((region · n_pots + pot) · n_items + item) ·
    n_providers + provider + 1`` (the order of ``np.unique``), their cents added as
    integers (what the ledger's exact float sums give), the keys decoded from the
    combined key. Each line's cents are added to ``running[region, pot]``.

    Returns:
        The booking block (``int64``, rows of :data:`model.ledger.COLUMNS`: month,
        region, pot, item, provider, kind, cents).
    """
    n = cents.size
    combined = np.empty(n, dtype=np.int64)
    for i in range(n):
        combined[i] = ((region[i] * n_pots + pot[i]) * n_items + item[i]) * n_providers + (
            provider[i] + 1
        )
    order = np.argsort(combined)
    uniq = np.empty(n, dtype=np.int64)
    sums = np.zeros(n, dtype=np.int64)
    m = -1
    for i in range(n):
        key = combined[order[i]]
        if m < 0 or key != uniq[m]:
            m += 1
            uniq[m] = key
        sums[m] += cents[order[i]]
    m += 1
    block = np.empty((7, m), dtype=np.int64)
    for k in range(m):
        key = uniq[k]
        prov = key % n_providers
        rest = key // n_providers
        it = rest % n_items
        rest = rest // n_items
        r = rest // n_pots
        p = rest % n_pots
        block[0, k] = month
        block[1, k] = r
        block[2, k] = p
        block[3, k] = it
        block[4, k] = prov - 1
        block[5, k] = kind
        block[6, k] = sums[k]
        running[r, p] += sums[k]
    return block


@njit
def choose_help(
    rows: np.ndarray,
    need: np.ndarray,
    idx_age: np.ndarray,
    disability: np.ndarray,
    u_type: np.ndarray,
    h_need_min: np.ndarray,
    h_need_max: np.ndarray,
    h_age_min: np.ndarray,
    h_age_max: np.ndarray,
    h_weight: np.ndarray,
    h_trait: np.ndarray,
    adult_months: int,
) -> tuple[np.ndarray, bool]:
    """:meth:`model.families.FamilyTable.choose_help` where some type fits every family.

    Per family: the weight of type t is ``selection_weight[t]`` if need, age and
    trait fit (``h_trait``: 0 none — minors only, 1 disability, 2 young adult, 3
    crisis — never), else 0; with their running sums ``cum`` the draw picks
    ``min(#{t: u · cum[-1] ≥ cum[t]}, n − 1)`` (``u`` ``float32`` times a ``float64``
    sum, as numpy multiplies them). The weights must be finite and not negative
    (the caller checks), so "no type fits" is "all weights 0".

    Returns:
        The type per family (``int16``), and False if some family has no fitting
        type (then the result is void: the caller takes the numpy rule, which
        relaxes the need band with ``exp``).
    """
    n_types = h_weight.size
    out = np.empty(rows.size, dtype=np.int16)
    cum = np.empty(n_types, dtype=np.float64)
    for i in range(rows.size):
        j = rows[i]
        v = need[j]
        age = idx_age[j]
        young_adult = age >= adult_months
        total = 0.0
        positive = False
        for t in range(n_types):
            trait = h_trait[t]
            if trait == 1:
                trait_ok = disability[j]
            elif trait == 2:
                trait_ok = young_adult
            elif trait == 3:
                trait_ok = False
            else:
                trait_ok = not young_adult
            fits = (
                v >= h_need_min[t]
                and v < h_need_max[t]
                and age >= h_age_min[t]
                and age < h_age_max[t]
                and trait_ok
            )
            w = h_weight[t] * (1.0 if fits else 0.0)
            if w > 0.0:
                positive = True
            total = w if t == 0 else total + w
            cum[t] = total
        if not positive:
            return out, False
        threshold = np.float64(u_type[j]) * cum[n_types - 1]
        pick = 0
        for t in range(n_types):
            if threshold >= cum[t]:
                pick += 1
        out[i] = min(pick, n_types - 1)
    return out, True


@njit
def case_bills(
    case_type: np.ndarray,
    case_fls: np.ndarray,
    case_pot: np.ndarray,
    case_provider: np.ndarray,
    region: np.ndarray,
    h_is_fls: np.ndarray,
    h_group: np.ndarray,
    h_rate: np.ndarray,
    fls_rate: float,
    weeks_per_month: float,
    days_per_month: float,
    n_providers: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The month's bills of the active helps (``SozialraumModel._billing``), in row order.

    Per active help of type t: ``fls · weeks_per_month · fls_rate / group_size[t]``
    EUR for an FLS-billed help, ``daily_rate[t] · days_per_month`` else (in that
    order of operations), rounded half to even to whole cents.

    Returns:
        Per bill: cents, type, pot, region and provider (``int64``); the rows
        billed; and per provider the cents billed as a ``float64`` sum in row order
        (as ``np.bincount(provider, weights=cents)`` adds them).
    """
    n = case_type.size
    cents = np.empty(n, dtype=np.int64)
    types = np.empty(n, dtype=np.int64)
    pots = np.empty(n, dtype=np.int64)
    regions = np.empty(n, dtype=np.int64)
    providers = np.empty(n, dtype=np.int64)
    rows = np.empty(n, dtype=np.int64)
    revenue = np.zeros(n_providers, dtype=np.float64)
    k = 0
    for j in range(n):
        t = case_type[j]
        if t < 0:
            continue
        if h_is_fls[t]:
            eur = case_fls[j] * weeks_per_month * fls_rate / h_group[t]
        else:
            eur = h_rate[t] * days_per_month
        c = np.int64(np.rint(eur * 100))
        cents[k] = c
        types[k] = t
        pots[k] = case_pot[j]
        regions[k] = region[j]
        providers[k] = case_provider[j]
        rows[k] = j
        revenue[case_provider[j]] += np.float64(c)
        k += 1
    return cents[:k], types[:k], pots[:k], regions[:k], providers[:k], rows[:k], revenue


@njit
def admit_in_order(
    seekers: np.ndarray, region: np.ndarray, u: np.ndarray, free_slots: np.ndarray
) -> np.ndarray:
    """Per region, the first ``free_slots[r]`` of its ``seekers`` in the order of ``u``.

    Ties in ``u`` keep the order of ``seekers`` (a stable sort, as ``np.lexsort``).

    Returns:
        The admitted rows, region by region, each region's in the order of ``u``
        (the order of ``seekers[np.lexsort((u[seekers], region[seekers]))]``).
    """
    n = seekers.size
    out = np.empty(n, dtype=np.int64)
    k = 0
    for r in range(free_slots.size):
        slots = free_slots[r]
        if slots <= 0:
            continue
        mine = np.empty(n, dtype=np.int64)
        keys = np.empty(n, dtype=u.dtype)
        m = 0
        for i in range(n):
            if region[seekers[i]] == r:
                mine[m] = seekers[i]
                keys[m] = u[seekers[i]]
                m += 1
        order = np.argsort(keys[:m], kind="mergesort")
        for i in range(min(slots, m)):
            out[k] = mine[order[i]]
            k += 1
    return out[:k]


@njit
def place_families(
    rows: np.ndarray,
    region: np.ndarray,
    municipality: np.ndarray,
    child_age: np.ndarray,
    births_left: np.ndarray,
    next_birth: np.ndarray,
    single_parent: np.ndarray,
    sgb2: np.ndarray,
    disability: np.ndarray,
    trait: np.ndarray,
    new_region: np.ndarray,
    new_municipality: np.ndarray,
    new_child_age: np.ndarray,
    new_births_left: np.ndarray,
    new_next_birth: np.ndarray,
    new_single_parent: np.ndarray,
    new_sgb2: np.ndarray,
    new_disability: np.ndarray,
    new_trait: np.ndarray,
    n_born: np.ndarray,
    idx_age: np.ndarray,
    level_fixed: np.ndarray,
    history: np.ndarray,
    need: np.ndarray,
    adult_months: int,
    base: float,
    w_single_parent: float,
    w_sgb2: float,
    w_disability: float,
    w_per_child: float,
    w_history: float,
) -> None:
    """The family attributes of :meth:`model.families.FamilyTable.place`, row by row.

    Writes the new families' attributes (``new_child_age`` family-major, the table
    slot-major; values cast to the table's types), clears ``history``, recomputes
    the child count and index-child age (:meth:`FamilyTable.refresh_ages`) and sets
    ``level_fixed = base + w_single_parent·single_parent + w_sgb2·sgb2 +
    w_disability·disability + trait`` and ``need = level_fixed + w_per_child·max(
    children − 1, 0) + w_history·history`` (:meth:`FamilyTable.level`), in numpy's
    order of operations. The other columns ``place`` resets are left to it.
    """
    n_slots = child_age.shape[0]
    for i in range(rows.size):
        j = rows[i]
        region[j] = new_region[i]
        municipality[j] = new_municipality[i]
        for s in range(n_slots):
            child_age[s, j] = new_child_age[i, s]
        births_left[j] = new_births_left[i]
        next_birth[j] = new_next_birth[i]
        single_parent[j] = new_single_parent[i]
        sgb2[j] = new_sgb2[i]
        disability[j] = new_disability[i]
        trait[j] = new_trait[i]
        history[j] = 0.0
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
        fixed = base + w_single_parent * (1.0 if single_parent[j] else 0.0)
        fixed = fixed + w_sgb2 * (1.0 if sgb2[j] else 0.0)
        fixed = fixed + w_disability * (1.0 if disability[j] else 0.0)
        fixed = fixed + trait[j]
        level_fixed[j] = fixed
        children = n_born[j] + births_left[j] - 1
        need[j] = fixed + w_per_child * max(children, 0) + w_history * history[j]


@njit
def clear_cases(
    rows: np.ndarray,
    history: np.ndarray,
    history_step: float,
    case_type: np.ndarray,
    case_pot: np.ndarray,
    case_provider: np.ndarray,
    case_months: np.ndarray,
    case_planned: np.ndarray,
    case_fls: np.ndarray,
) -> None:
    """Clear the case columns of ``rows`` (distinct rows), and count an earlier help.

    ``history_step`` is added to each row's ``history``: 1 for an ended help
    (``history[rows] += 1``), 0 to clear the case only (then nothing is added).
    """
    for j in rows:
        if history_step != 0.0:
            history[j] += history_step
        case_type[j] = -1
        case_pot[j] = -1
        case_provider[j] = -1
        case_months[j] = 0
        case_planned[j] = 0
        case_fls[j] = 0.0


@njit
def clear_waits(
    rows: np.ndarray,
    wait_type: np.ndarray,
    wait_pot: np.ndarray,
    wait_months: np.ndarray,
    wait_planned: np.ndarray,
    wait_fls: np.ndarray,
    wait_escalated: np.ndarray,
) -> None:
    """Clear the columns of the granted, not started helps of ``rows``."""
    for j in rows:
        wait_type[j] = -1
        wait_pot[j] = -1
        wait_months[j] = 0
        wait_planned[j] = 0
        wait_fls[j] = 0.0
        wait_escalated[j] = False


@njit
def first_free_rows(alive: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` rows (ascending) where ``alive`` is False.

    ``np.flatnonzero(~alive)[:n]``: fewer if there are not as many; the scan stops
    at the n-th.
    """
    out = np.empty(max(n, 0), dtype=np.int64)
    k = 0
    for j in range(alive.size):
        if k >= n:
            break
        if not alive[j]:
            out[k] = j
            k += 1
    return out[:k]


@njit
def start_cases(
    rows: np.ndarray,
    provider: np.ndarray,
    case_type: np.ndarray,
    case_pot: np.ndarray,
    case_provider: np.ndarray,
    case_months: np.ndarray,
    case_planned: np.ndarray,
    case_fls: np.ndarray,
    counsel_left: np.ndarray,
    wait_type: np.ndarray,
    wait_pot: np.ndarray,
    wait_months: np.ndarray,
    wait_planned: np.ndarray,
    wait_fls: np.ndarray,
    wait_escalated: np.ndarray,
) -> None:
    """:meth:`model.families.FamilyTable.start`, row by row (distinct rows).

    The granted help becomes the case (type, pot, planned duration and FLS of the
    grant, month 0, ``provider[i]``), counselling stops, the grant is cleared.
    """
    for i in range(rows.size):
        j = rows[i]
        case_type[j] = wait_type[j]
        case_pot[j] = wait_pot[j]
        case_provider[j] = provider[i]
        case_months[j] = 0
        case_planned[j] = wait_planned[j]
        case_fls[j] = wait_fls[j]
        counsel_left[j] = 0
        wait_type[j] = -1
        wait_pot[j] = -1
        wait_months[j] = 0
        wait_planned[j] = 0
        wait_fls[j] = 0.0
        wait_escalated[j] = False


@njit
def write_grants(
    rows: np.ndarray,
    help_type: np.ndarray,
    pot: np.ndarray,
    planned: np.ndarray,
    fls: np.ndarray,
    escalated: bool,
    wait_type: np.ndarray,
    wait_pot: np.ndarray,
    wait_planned: np.ndarray,
    wait_fls: np.ndarray,
    wait_months: np.ndarray,
    wait_escalated: np.ndarray,
) -> None:
    """:meth:`model.families.FamilyTable.grant` with one ``escalated`` for all rows.

    Row by row (distinct rows), the values cast to the table's types.
    """
    for i in range(rows.size):
        j = rows[i]
        wait_type[j] = help_type[i]
        wait_pot[j] = pot[i]
        wait_planned[j] = planned[i]
        wait_fls[j] = fls[i]
        wait_months[j] = 0
        wait_escalated[j] = escalated
