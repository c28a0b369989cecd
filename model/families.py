"""Families and their cases as a columnar agent set (vectorised engine).

One row per family, in numpy arrays owned by the model. Each per-family rule is a
vectorised method whose docstring states the rule for one family; the per-agent
reference implementation (``model.reference``) writes the same rules family by
family. A family has at most one active help at a time (simplification, stated in
docs/ODD.md); the case lives in the family's row.

Case states of a family: no case; *waiting* (help granted, no provider with capacity
yet); *active* (help running with one provider and one funding pot).
"""

from __future__ import annotations

import numpy as np

from model import kernels
from model.params import ModelParams
from model.population import AGE_LIMIT_MONTHS, MAX_CHILDREN, NewFamilies

ADULT_MONTHS = 18 * 12
"""Age (months) from which a child counts as a young adult (§41)."""

END_SUCCESS, END_PLANNED, END_ESCALATION, END_AGEING_OUT, END_EXIT = range(5)
END_REASONS: tuple[str, ...] = ("success", "planned", "escalation", "ageing_out", "family_exit")


def _as_rows(rows: np.ndarray) -> np.ndarray:
    """Row indices as ``int64`` for a kernel (a boolean mask becomes its rows)."""
    rows = np.asarray(rows)
    return np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64, copy=False)


class FamilyTable:
    """Columnar storage of all families of a run, with their cases.

    Args:
        params: Run parameters.
        capacity: Number of rows (families alive at once, with headroom).
    """

    def __init__(self, params: ModelParams, capacity: int) -> None:
        self.params = params
        self.capacity = capacity
        n = capacity
        self.alive = np.zeros(n, dtype=bool)
        self.region = np.zeros(n, dtype=np.int16)
        self.municipality = np.zeros(n, dtype=np.int16)
        self.child_age = np.full((MAX_CHILDREN, n), -1, dtype=np.int16)
        """Child ages in months, slot-major (slot, family); -1 = no child in the slot."""
        self.births_left = np.zeros(n, dtype=np.int8)
        self.next_birth = np.zeros(n, dtype=np.int16)
        self.single_parent = np.zeros(n, dtype=bool)
        self.sgb2 = np.zeros(n, dtype=bool)
        self.disability = np.zeros(n, dtype=bool)
        self.trait = np.zeros(n)
        self.level_fixed = np.zeros(n)
        """The part of the need level that never changes (see :meth:`level`)."""
        self.history = np.zeros(n)
        """Earlier helps, each fading with ``history_half_life_months``."""
        self.need = np.zeros(n)
        self.generation = np.zeros(n, dtype=np.int32)
        """Incremented whenever a row is reused by a new family."""
        self.counsel_left = np.zeros(n, dtype=np.int16)
        self.known_office = np.zeros(n, dtype=bool)
        self.project_effect = np.zeros(n)
        self.n_born = np.zeros(n, dtype=np.int16)
        """Children under 21 (cached; updated by :meth:`refresh_ages`)."""
        self.idx_age = np.full(n, -1, dtype=np.int16)
        """Index child's age in months (cached; see :meth:`index_child_age`)."""
        # case columns
        self.case_type = np.full(n, -1, dtype=np.int16)
        self.case_pot = np.full(n, -1, dtype=np.int8)
        self.case_provider = np.full(n, -1, dtype=np.int16)
        self.case_months = np.zeros(n, dtype=np.int16)
        self.case_planned = np.zeros(n, dtype=np.int16)
        self.case_fls = np.zeros(n)
        self.wait_type = np.full(n, -1, dtype=np.int16)
        self.wait_pot = np.full(n, -1, dtype=np.int8)
        self.wait_months = np.zeros(n, dtype=np.int16)
        self.wait_planned = np.zeros(n, dtype=np.int16)
        self.wait_fls = np.zeros(n)
        self.wait_escalated = np.zeros(n, dtype=bool)

        ht = params.help_types
        self.h_need_min = np.array([h.need_min for h in ht])
        self.h_need_max = np.array([h.need_max for h in ht])
        self.h_age_min = np.array([h.age_min_years * 12 for h in ht])
        self.h_age_max = np.array([h.age_max_years * 12 for h in ht])
        self.h_weight = np.array([h.selection_weight for h in ht])
        self.h_effect = np.array([h.help_effect for h in ht])
        self.h_fls = np.array([h.fls_per_week for h in ht])
        self.h_is_fls = np.array([h.billing == "fls" for h in ht])
        self.h_trait = np.array([h.trait for h in ht])
        self.h_out_of_home = np.array([h.setting in ("stationaer", "krise") for h in ht])
        codes = params.help_codes
        self.h_escalates = np.array(
            [codes.index(h.escalates_to) if h.escalates_to else -1 for h in ht], dtype=np.int16
        )
        self.direct_share = np.array([r.direct_contact_share for r in params.regions])
        traits = ("none", "disability", "young_adult", "crisis")
        self.h_trait_code = np.array(
            [traits.index(t) if t in traits else -1 for t in self.h_trait], dtype=np.int8
        )
        """Per help type: its trait as a code for :func:`model.kernels.choose_help`."""
        self._weights_ok = bool(
            np.all(np.isfinite(self.h_weight) & (self.h_weight >= 0))
            and np.all(self.h_trait_code >= 0)
        )
        """Whether the compiled :meth:`choose_help` applies (finite, non-negative
        selection weights and known traits); else the whole-array rule."""

    # ------------------------------------------------------------------ population
    def place(self, fam: NewFamilies, rows: np.ndarray) -> None:
        """Write new families into free rows (their case columns are cleared).

        Per new family: its attributes, no earlier helps (``history`` 0), a new
        ``generation``, no counselling, office contact or project; the cached child
        count and index-child age (:meth:`refresh_ages`); ``level_fixed = base +
        w_single_parent*single_parent + w_sgb2*sgb2 + w_disability*disability +
        trait`` and need at its level (:meth:`level`). The attributes, ages and
        levels are written in one pass (:func:`model.kernels.place_families`).
        """
        rows = _as_rows(rows)
        self.alive[rows] = True
        p = self.params.need
        kernels.place_families(
            rows,
            self.region,
            self.municipality,
            self.child_age,
            self.births_left,
            self.next_birth,
            self.single_parent,
            self.sgb2,
            self.disability,
            self.trait,
            np.asarray(fam.region),
            np.asarray(fam.municipality),
            np.asarray(fam.child_age),
            np.asarray(fam.births_left),
            np.asarray(fam.next_birth),
            np.asarray(fam.single_parent),
            np.asarray(fam.sgb2),
            np.asarray(fam.disability),
            np.asarray(fam.trait),
            self.n_born,
            self.idx_age,
            self.level_fixed,
            self.history,
            self.need,
            ADULT_MONTHS,
            p.base,
            p.w_single_parent,
            p.w_sgb2,
            p.w_disability,
            p.w_per_child,
            p.w_history,
        )
        self.generation[rows] += 1
        self.counsel_left[rows] = 0
        self.known_office[rows] = False
        self.project_effect[rows] = 0.0
        self._clear_case(rows)
        self.clear_wait(rows)

    def _clear_case(self, rows: np.ndarray) -> None:
        """Clear the case columns of ``rows`` (distinct rows)."""
        kernels.clear_cases(
            _as_rows(rows),
            self.history,
            0.0,
            self.case_type,
            self.case_pot,
            self.case_provider,
            self.case_months,
            self.case_planned,
            self.case_fls,
        )

    def clear_wait(self, rows: np.ndarray) -> None:
        """Forget granted helps that have not started (replaced or moot)."""
        kernels.clear_waits(
            _as_rows(rows),
            self.wait_type,
            self.wait_pot,
            self.wait_months,
            self.wait_planned,
            self.wait_fls,
            self.wait_escalated,
        )

    def free_rows(self, n: int) -> np.ndarray:
        """The first ``n`` rows not holding a living family."""
        free = kernels.first_free_rows(self.alive, n)
        if free.size < n:
            n_free = int(np.count_nonzero(~self.alive))
            raise RuntimeError(
                f"family table full: {n} new families, {n_free} free rows "
                f"(capacity {self.capacity})"
            )
        return free

    # ------------------------------------------------------------------ derived
    def refresh_ages(self, rows: np.ndarray | slice = slice(None)) -> None:
        """Recompute the cached child counts and index-child ages."""
        ages = self.child_age[:, rows]
        self.n_born[rows] = (ages >= 0).sum(axis=0)
        minor = np.where(ages < ADULT_MONTHS, ages, -1).max(axis=0)
        self.idx_age[rows] = np.where(minor >= 0, minor, ages.max(axis=0))

    def level(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Need level each family reverts to.

        Per family: ``base + w_single_parent*single_parent + w_sgb2*sgb2 +
        w_per_child*max(children - 1, 0) + w_history*history +
        w_disability*disability + trait``, where *children* counts the children
        under 21 and those still to be born. The parts that never change are kept in
        ``level_fixed`` when the family is placed.
        """
        p = self.params.need
        n_children = self.n_born[rows] + self.births_left[rows]
        return (
            self.level_fixed[rows]
            + p.w_per_child * np.maximum(n_children - 1, 0)
            + p.w_history * self.history[rows]
        )

    def index_child_age(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Age in months of the child a help is for.

        That is the oldest minor, else the oldest young adult under 21; -1 if the
        family has no child under 21.
        """
        return self.idx_age[rows]

    @property
    def active(self) -> np.ndarray:
        """Mask of families with an active help."""
        return self.case_type >= 0

    @property
    def waiting(self) -> np.ndarray:
        """Mask of families with a granted help waiting for a provider."""
        return self.wait_type >= 0

    # ------------------------------------------------------------------ rules
    def age_one_month(self, u_spacing: np.ndarray) -> np.ndarray:
        """Age children by a month, give births, let children leave at 21.

        Per family: every child gets a month older; a child turning 21 leaves; if a
        birth is due (``next_birth`` reaches 0) a child of age 0 joins in the first
        free slot (with all slots taken the birth waits a month) and the next birth is
        scheduled after a spacing drawn from ``child_spacing_months`` (uniform
        ``u_spacing``). A family with no child under 21 and no birth to come
        leaves the model.

        Args:
            u_spacing: One uniform number per row (demography stream).

        Returns:
            Rows of families leaving this month (before their rows are freed).
        """
        lo, hi = self.params.population.child_spacing_months
        return kernels.age_one_month(
            self.child_age,
            self.alive,
            self.births_left,
            self.next_birth,
            self.n_born,
            self.idx_age,
            u_spacing,
            lo,
            hi - lo + 1,
            ADULT_MONTHS,
            AGE_LIMIT_MONTHS,
        )

    def remove(self, rows: np.ndarray) -> None:
        """Free the rows of families that leave (their cases must be ended first)."""
        self.alive[rows] = False
        self._clear_case(rows)
        self.clear_wait(rows)
        self.counsel_left[rows] = 0
        self.project_effect[rows] = 0.0

    def help_reduction(self) -> np.ndarray:
        """Need reduction per month from the family's active help.

        Per family with an active help of type t: ``help_effect[t]``, scaled for
        FLS-billed helps by ``fls / mean_fls[t]`` and by the region's direct-contact
        share relative to ``effect_reference_contact_share`` (travel and documentation
        do not help the family);
        0 without an active help.
        """
        on = np.flatnonzero(self.case_type >= 0)
        tt = self.case_type[on]
        fls_case = self.h_is_fls[tt]
        rel = np.where(fls_case, self.case_fls[on] / np.where(fls_case, self.h_fls[tt], 1.0), 1.0)
        ref = self.params.provider.effect_reference_contact_share
        direct = np.where(fls_case, self.direct_share[self.region[on]] / ref, 1.0)
        out = np.zeros(self.capacity)
        out[on] = self.h_effect[tt] * rel * direct
        return out

    def update_need(self, z: np.ndarray, trend: float) -> None:
        """Move every family's need by one month.

        Per family: first the earlier helps fade, ``history *= 0.5 **
        (1 / history_half_life_months)`` (unless the half-life is 0); then ``need' =
        max(0, need + reversion*(level + trend - need) + shock_sd*z -
        counselling_effect*[counselled] - project_effect - help_reduction)``, where
        ``trend`` is the accumulated need trend and ``z`` a standard normal shock.

        Args:
            z: One standard normal number per row (need stream).
            trend: Accumulated shift of need levels since the start.
        """
        p = self.params.need
        half_life = p.history_half_life_months
        # the help reduction (:meth:`help_reduction`) is computed in the same pass
        kernels.need_month(
            self.need,
            self.history,
            self.level_fixed,
            self.n_born,
            self.births_left,
            self.counsel_left,
            self.project_effect,
            self.case_type,
            self.case_fls,
            self.region,
            self.h_is_fls,
            self.h_fls,
            self.h_effect,
            self.direct_share,
            self.params.provider.effect_reference_contact_share,
            self.alive,
            z,
            0.5 ** (1.0 / half_life) if half_life > 0 else 1.0,
            p.w_per_child,
            p.w_history,
            trend,
            p.reversion,
            p.shock_sd,
            p.counselling_effect,
        )

    def counselling_month(
        self, u_seek: np.ndarray, n_regions: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Counselling episodes run down a month; who is counselled; who seeks it.

        Per family: a running episode loses a month, and ends when a help is active.
        A family seeks counselling at a Sozialraumbüro if it is alive, has no help
        active or granted, is not in counselling (after the month's tick), its need is
        at or above ``threshold_counselling``, and ``u_seek < p_seek``.

        Args:
            u_seek: One uniform number per row (counselling stream).
            n_regions: Number of regions.

        Returns:
            Families in counselling per region after the tick, and the rows of the
            families seeking counselling.
        """
        p = self.params
        return kernels.counselling_month(
            self.counsel_left,
            self.case_type,
            self.wait_type,
            self.alive,
            self.need,
            self.region,
            u_seek,
            p.need.threshold_counselling,
            p.counselling.p_seek,
            n_regions,
        )

    def start_counselling(self, rows: np.ndarray) -> None:
        """Admitted families are counselled for ``months`` and known to the office."""
        self.counsel_left[rows] = self.params.counselling.months
        self.known_office[rows] = True

    def recognise(self, u_known: np.ndarray, u_crisis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which needs become known to the Jugendamt this month.

        Per family: a *crisis* (§8a) happens if need >= ``threshold_crisis``, the family
        is not already in an out-of-home or crisis help, and ``u_crisis < p_crisis``.
        Otherwise an entitled family (need >= ``threshold_help``, no help active or
        granted) becomes known if ``u_known < 1 - (1 - p_self)(1 - p_report)``, with
        ``p_self`` multiplied by ``counselling_referral_factor`` for families known to
        a Sozialraumbüro and ``p_report`` by ``report_rate_factor`` (each capped at
        1); the probability is multiplied by ``young_adult_factor`` if the index child
        is 18–20.

        Returns:
            (rows of entitled families that became known, rows in crisis).
        """
        p = self.params
        r = p.recognition
        return kernels.recognise(
            self.need,
            self.case_type,
            self.wait_type,
            self.alive,
            self.known_office,
            self.idx_age,
            self.h_out_of_home,
            u_known,
            u_crisis,
            p.need.threshold_help,
            p.need.threshold_crisis,
            r.p_crisis,
            r.p_self_request,
            r.counselling_referral_factor,
            min(r.p_report * r.report_rate_factor, 1.0),
            r.young_adult_factor,
            ADULT_MONTHS,
        )

    def choose_help(self, rows: np.ndarray, u_type: np.ndarray) -> np.ndarray:
        """The help type the Jugendamt grants after assessment.

        Per family: among help types whose need band contains the family's need,
        whose age band contains the index child's age and whose trait the family has
        (§35a: disability trait; §41: index child 18–20, the only trait for young
        adults — types without a trait are for minors only; §42 only after a crisis,
        not here), draw one with probability proportional to ``selection_weight``. If no
        type fits the need band, the need band is relaxed and types fitting age and
        trait are weighted by ``selection_weight * exp(-|need - band middle|)``, the
        middle of an open band (``need_max`` 99) taken with the band capped at
        ``need_min + 3``. If no type fits age and trait at all (only possible for a
        family whose children have all turned 21 while a birth is still due), any
        non-crisis type is drawn by ``selection_weight``: an entitled help is never
        refused.

        Args:
            rows: Families assessed.
            u_type: One uniform number per row of the table (assessment stream).

        Returns:
            Help type index per assessed family.
        """
        if rows.size == 0:
            return np.zeros(0, dtype=np.int16)
        if self._weights_ok:
            types, every_row_fits = kernels.choose_help(
                rows,
                self.need,
                self.idx_age,
                self.disability,
                u_type,
                self.h_need_min,
                self.h_need_max,
                self.h_age_min,
                self.h_age_max,
                self.h_weight,
                self.h_trait_code,
                ADULT_MONTHS,
            )
            if every_row_fits:
                return types
        need = self.need[rows][:, None]
        age = self.index_child_age(rows)[:, None]
        age_ok = (age >= self.h_age_min) & (age < self.h_age_max)
        young_adult = age >= ADULT_MONTHS
        trait_ok = np.where(
            self.h_trait == "disability",
            self.disability[rows][:, None],
            np.where(
                self.h_trait == "young_adult",
                young_adult,
                np.where(self.h_trait == "crisis", False, ~young_adult),
            ),
        )
        band = (need >= self.h_need_min) & (need < self.h_need_max)
        w = self.h_weight * (band & age_ok & trait_ok)
        empty = w.sum(axis=1) <= 0
        if empty.any():
            mid = (self.h_need_min + np.minimum(self.h_need_max, self.h_need_min + 3.0)) / 2
            relaxed = self.h_weight * np.exp(-np.abs(need - mid)) * (age_ok & trait_ok)
            w[empty] = relaxed[empty]
        still = w.sum(axis=1) <= 0
        if still.any():  # no type fits the age: take the broadest non-crisis help
            w[still] = self.h_weight * (self.h_trait != "crisis")
        cum = np.cumsum(w, axis=1)
        pick = (u_type[rows][:, None] * cum[:, -1:] >= cum).sum(axis=1)
        return np.minimum(pick, len(self.h_weight) - 1).astype(np.int16)

    def grant(
        self,
        rows: np.ndarray,
        help_type: np.ndarray,
        pot: np.ndarray,
        planned: np.ndarray,
        fls: np.ndarray,
        escalated: np.ndarray | bool,
    ) -> None:
        """Record granted helps; they wait until a provider takes them on.

        ``rows`` are distinct; ``escalated`` is one flag per row or one for all.
        """
        if np.ndim(escalated) == 0:
            kernels.write_grants(
                _as_rows(rows),
                help_type,
                pot,
                planned,
                fls,
                bool(escalated),
                self.wait_type,
                self.wait_pot,
                self.wait_planned,
                self.wait_fls,
                self.wait_months,
                self.wait_escalated,
            )
            return
        self.wait_type[rows] = help_type
        self.wait_pot[rows] = pot
        self.wait_planned[rows] = planned
        self.wait_fls[rows] = fls
        self.wait_months[rows] = 0
        self.wait_escalated[rows] = escalated

    def start(self, rows: np.ndarray, provider: np.ndarray) -> None:
        """Granted helps begin with their provider (distinct rows).

        The grant's type, pot, planned duration and FLS become the case's, at month
        0; counselling stops; the grant is cleared (:func:`model.kernels.start_cases`).
        """
        kernels.start_cases(
            _as_rows(rows),
            np.asarray(provider, dtype=np.int16),
            self.case_type,
            self.case_pot,
            self.case_provider,
            self.case_months,
            self.case_planned,
            self.case_fls,
            self.counsel_left,
            self.wait_type,
            self.wait_pot,
            self.wait_months,
            self.wait_planned,
            self.wait_fls,
            self.wait_escalated,
        )

    def tick_waiting(self, rows: np.ndarray | None = None) -> None:
        """Families still waiting wait one month longer.

        Args:
            rows: The rows of all families still waiting (distinct), if the caller
                knows them; else the table finds them.
        """
        self.wait_months[self.waiting if rows is None else rows] += 1

    def review(self) -> tuple[np.ndarray, np.ndarray]:
        """Advance active helps by a month and decide which end.

        Per family with an active help of type t (after ``case_months += 1``):
        the index child outgrowing the type's age band ends it (*ageing out*); at a
        Hilfeplan review (every ``review_interval_months``) or at the planned end,
        need below ``threshold_success`` ends it (*success*), need at or above the
        type's ``need_max`` with an escalation target for the child's age ends it
        (*escalation*: a more intensive help follows), and reaching the planned
        duration ends it (*planned*).

        Returns:
            (rows whose help ends, reason code per row).
        """
        _, ends, reasons, _ = self.review_month()
        return ends, reasons

    def review_month(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The month's Hilfeplan step: which helps are reviewed, end, or are proposed.

        Per family with an active help: it is *reviewed* this month if its month
        count after the tick (``case_months + 1``) is a multiple of
        ``review_interval_months``; then :meth:`review` (the tick and the endings);
        a reviewed help that continues with exactly ``review_interval_months`` months
        has its first review (the provider's proposal, see
        ``SozialraumModel._provider_proposals``). One pass over the table
        (:func:`model.kernels.review_month`).

        Returns:
            (rows reviewed, rows whose help ends, reason code per ending row, rows at
            their first review whose help continues), each in row order.
        """
        p = self.params
        return kernels.review_month(
            self.case_type,
            self.case_months,
            self.case_planned,
            self.need,
            self.idx_age,
            self.h_age_min,
            self.h_age_max,
            self.h_escalates,
            self.h_need_max,
            p.review_interval_months,
            p.need.threshold_success,
        )

    def end(self, rows: np.ndarray) -> None:
        """End the helps of these families (distinct rows); each counts as an earlier help."""
        kernels.clear_cases(
            _as_rows(rows),
            self.history,
            1.0,
            self.case_type,
            self.case_pot,
            self.case_provider,
            self.case_months,
            self.case_planned,
            self.case_fls,
        )
