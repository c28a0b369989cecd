"""Outcome reporters and the tidy results table.

Monthly reporters are named module-level functions of the model returning one value
per region (or per region and help type); :class:`Recorder` calls them every
reported month, counts events as they happen (grants, starts, endings, counselling)
and turns everything into one long table with the columns
``run_id, year, month, region, metric, value, unit``. ``month`` is 1–12 for monthly
figures and 0 for yearly figures; ``region`` ``"Gesamt"`` is the whole Kreis.

Yearly figures per region and for "Gesamt": budget, spending, carry-over and result
per pot; bonus and malus; new and counted cases per help type, absolute and per
10,000 under-21; share of stationary help; escalations; waiting families and waiting
time; unmet (latent) need; helps that ended while the family's need was still at or above the
entitlement threshold (``ended_with_need``, the direct price of shortened helps);
counselling; project reach; providers' staff, reserves, exits and market
concentration (HHI); Jugendeinwohnerwert and cost per Jugendeinwohnerwert.

Outcomes a Jugendamt can count in its own files (docs/ODD.md, 4.11): families waiting
on 1 January and 31 December, follow-on helps, re-referrals within 12 months, helps
ended against the Hilfeplan; and the stock bookkeeping per help type: stock on
31 December and helps started, with the granted helps that never started
(``grants_withdrawn``), so that per region and type

* stock 1 Jan (``cases − new_cases``) + ``started_cases`` − ``ended_cases`` = ``stock_dec``,
* ``waiting_families_jan`` + ``new_cases`` − ``started_cases`` − ``grants_withdrawn``
  = ``waiting_families_dec``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model import kernels
from model.allocation import jugendeinwohnerwert
from model.families import END_ESCALATION, END_REASONS, END_SUCCESS
from model.params import POTS

if TYPE_CHECKING:
    from model.agents import Provider
    from model.incentives import Closing
    from model.model import SozialraumModel

TOTAL = "Gesamt"


def _provider_region(m: SozialraumModel, provider: Provider, names: list[str]) -> str:
    """The region label of a provider: its region, the regions it serves, or ``Gesamt``.

    A provider serving some but not all regions (``ProviderSpec.regions``) is labelled
    with those regions in the scenario's order (``"Nord, Süd"``), not as the whole Kreis.
    """
    if provider.region >= 0:
        return names[provider.region]
    served = [n for r, n in enumerate(names) if m.serves(provider, r)]
    return TOTAL if len(served) == len(names) else ", ".join(served)


FOLLOW_ON_WINDOW_MONTHS = 1
"""A help granted at most this many months after the family's previous help ended (in
the same or the next month) is a follow-on help (``follow_on_helps``): decided at or
right after the closing Hilfeplan meeting. A definition of the metric (docs/ODD.md,
4.11), not an assumption about families."""

REREFERRAL_WINDOW_MONTHS = 12
"""A help granted later than a follow-on help but at most this many months after the
family's previous help ended is a re-referral (``rereferrals_12m``)."""

_NEVER = np.iinfo(np.int32).min // 2
"""Month of the last ended help of a family that has had none."""


KREIS_METRICS: tuple[str, ...] = (
    "active_cases",
    "bonus",
    "cases_per_10k_total",
    "cases_total",
    "cost_per_jew",
    "counselled_families",
    "counselling_appointments",
    "counselling_new_families",
    "ended_ageing_out",
    "ended_escalation",
    "ended_family_exit",
    "ended_planned",
    "ended_success",
    "ended_against_plan",
    "ended_against_plan_share",
    "ended_with_need",
    "escalations",
    "families",
    "follow_on_helps",
    "grants_withdrawn",
    "hhi",
    "hilfeplan_reviews",
    "jugendeinwohnerwert",
    "lead_provider_reserves",
    "malus",
    "mean_waiting_months",
    "new_cases_total",
    "overspent",
    "project_reach",
    "projects_active",
    "provider_exits",
    "provider_reserves",
    "provider_staff",
    "providers_active",
    "rereferral_share",
    "rereferrals_12m",
    "stationary_share",
    "total_budget",
    "total_spent",
    "under21",
    "unmet_need_families",
    "waiting_families",
    "waiting_families_dec",
    "waiting_families_jan",
)
"""Metrics that are neither per help type nor per pot."""

PER_TYPE_METRICS: tuple[str, ...] = (
    "cases",
    "cases_per_10k",
    "ended_cases",
    "new_cases",
    "new_cases_per_10k",
    "spent_help",
    "started_cases",
    "stock_dec",
)
"""Metric stems reported per help type as ``{stem}_{code}``."""

PER_POT_METRICS: tuple[str, ...] = ("budget", "spent", "carry_over", "result")
"""Metric stems reported per pot as ``{stem}_{pot}``."""


def metric_names(help_codes: tuple[str, ...]) -> frozenset[str]:
    """Every metric name a run with these help types reports.

    >>> "cases_per_10k_31" in metric_names(("31",))
    True
    """
    names = set(KREIS_METRICS)
    names.update(f"{stem}_{code}" for stem in PER_TYPE_METRICS for code in help_codes)
    names.update(f"{stem}_{pot}" for stem in PER_POT_METRICS for pot in POTS)
    return frozenset(names)


# ---------------------------------------------------------------------- counting
def tally(
    target: np.ndarray,
    first: np.ndarray,
    second: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> None:
    """Add counts (or ``weights``) at the indices ``first`` (and ``second``) to ``target``.

    The same as ``np.add.at(target, (first, second), weights or 1)`` for a 1-d or 2-d
    ``target``, done with one ``np.bincount`` (much faster for many rows; exact for
    counts and integer weights).

    >>> a, b = np.zeros((2, 3)), np.zeros((2, 3))
    >>> r, t = np.array([0, 1, 1, 1]), np.array([2, 0, 0, 1])
    >>> tally(a, r, t); np.add.at(b, (r, t), 1); bool((a == b).all()), a[1].tolist()
    (True, [2.0, 1.0, 0.0])
    >>> c = np.zeros(2); tally(c, r, weights=np.array([5, 1, 2, 3])); c.tolist()
    [5.0, 6.0]
    """
    if first.size == 0:
        return
    flat = first.astype(np.int64)
    if second is not None:
        flat = flat * target.shape[1] + second.astype(np.int64)
    counts = np.bincount(flat, weights=weights, minlength=target.size)
    target += counts.reshape(target.shape)


# ---------------------------------------------------------------------- reporters
def _by_region_and_type(model: SozialraumModel, rows: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Count of ``rows`` per region and help type (``types`` per row)."""
    out = np.zeros((model.n_regions, model.n_types))
    tally(out, model.families.region[rows], types)
    return out


def active_cases(model: SozialraumModel) -> np.ndarray:
    """Active helps per region and help type at the end of the month."""
    f = model.families
    return _by_region_and_type(model, f.active, f.case_type[f.active])


def waiting_families(model: SozialraumModel) -> np.ndarray:
    """Families with a granted help still waiting for a provider, per region."""
    f = model.families
    return np.bincount(f.region[f.waiting], minlength=model.n_regions).astype(float)


def waiting_by_type(model: SozialraumModel) -> np.ndarray:
    """Granted helps still waiting for a provider, per region and help type."""
    f = model.families
    return _by_region_and_type(model, f.waiting, f.wait_type[f.waiting])


def unmet_need_families(model: SozialraumModel) -> np.ndarray:
    """Families with need at or above the entitlement threshold and no running help."""
    f = model.families
    mask = f.alive & ~f.active & (f.need >= model.params.need.threshold_help)
    return np.bincount(f.region[mask], minlength=model.n_regions).astype(float)


def counselled_families(model: SozialraumModel) -> np.ndarray:
    """Families in counselling at a Sozialraumbüro, per region."""
    f = model.families
    return np.bincount(f.region[f.counsel_left > 0], minlength=model.n_regions).astype(float)


def project_reach(model: SozialraumModel) -> np.ndarray:
    """Families currently reached by at least one prevention project, per region."""
    f = model.families
    mask = f.alive & (f.project_effect != 0)
    return np.bincount(f.region[mask], minlength=model.n_regions).astype(float)


def projects_active(model: SozialraumModel) -> np.ndarray:
    """Running prevention projects per region."""
    return np.array([len(b.active_projects(model.month_abs)) for b in model.bodies], dtype=float)


def under21(model: SozialraumModel) -> np.ndarray:
    """Young people under 21 per region."""
    return model.under21_by_region()


def families_alive(model: SozialraumModel) -> np.ndarray:
    """Families with children under 21 per region."""
    f = model.families
    return np.bincount(f.region[f.alive], minlength=model.n_regions).astype(float)


def lead_provider_reserves(model: SozialraumModel) -> np.ndarray:
    """Reserves of each region's Sozialraumträger, EUR."""
    out = np.zeros(model.n_regions)
    for r, i in enumerate(model.lead_provider):
        if i >= 0:
            out[r] = model.providers[i].reserves
    return out


def provider_totals(model: SozialraumModel) -> dict[str, float]:
    """Kreis-wide provider figures: active ambulatory providers, staff, reserves, HHI.

    HHI is the Herfindahl-Hirschman index of the providers' shares of FLS in use
    (0–10,000; above 2,500 counts as highly concentrated).
    """
    amb = [p for p in model.providers if p.ambulant]
    used = np.array([p.used_fls for p in amb])
    shares = used / used.sum() if used.sum() > 0 else np.zeros_like(used)
    return {
        "providers_active": float(sum(p.active for p in amb)),
        "provider_staff": float(sum(p.staff for p in amb if p.active)),
        "provider_reserves": float(sum(p.reserves for p in amb if p.active)),
        "hhi": float((shares * 100) ** 2 @ np.ones_like(shares)) if shares.size else 0.0,
    }


MONTHLY_REGION_REPORTERS = {
    "waiting_families": (waiting_families, "Familien"),
    "unmet_need_families": (unmet_need_families, "Familien"),
    "counselled_families": (counselled_families, "Familien"),
    "project_reach": (project_reach, "Familien"),
    "projects_active": (projects_active, "Projekte"),
    "under21": (under21, "Personen"),
    "families": (families_alive, "Familien"),
    "lead_provider_reserves": (lead_provider_reserves, "EUR"),
}
"""Monthly per-region reporters: metric name -> (function, unit)."""

FUSED_REGION_REPORTERS = (
    "waiting_families",
    "unmet_need_families",
    "counselled_families",
    "project_reach",
    "families",
)
"""The monthly reporters :meth:`Recorder.record_month` counts in one pass
(:func:`model.kernels.month_counts`, in this order); their functions above are the
reference the kernel's test compares with."""


class Recorder:
    """Collects reporters and events of one run into arrays, then a tidy table."""

    def __init__(self, model: SozialraumModel) -> None:
        self.model = model
        n_months = 12 * model.params.years
        r, t = model.n_regions, model.n_types
        self.monthly = {name: np.zeros((n_months, r)) for name in MONTHLY_REGION_REPORTERS}
        self.active = np.zeros((n_months, r, t))
        self.new = np.zeros((n_months, r, t))
        self.ended = np.zeros((n_months, r, t))
        self.ended_reason = np.zeros((n_months, r, len(END_REASONS)))
        self.ended_with_need = np.zeros((n_months, r))
        self.escalations = np.zeros((n_months, r))
        self.starts = np.zeros((n_months, r))
        self.started = np.zeros((n_months, r, t))
        self.withdrawn = np.zeros((n_months, r, t))
        self.waiting = np.zeros((n_months, r, t))
        self.follow_on = np.zeros((n_months, r))
        self.rereferrals = np.zeros((n_months, r))
        self.against_plan = np.zeros((n_months, r))
        self.ended_hze = np.zeros((n_months, r))
        self.wait_sum = np.zeros((n_months, r))
        self.counsel_new = np.zeros((n_months, r))
        self.reviews = np.zeros((n_months, r))
        self.spent = np.zeros((n_months, r, len(POTS)))
        self.kreis = {
            k: np.zeros(n_months)
            for k in ("providers_active", "provider_staff", "provider_reserves", "hhi")
        }
        self.exits = np.zeros(n_months)
        n_prov = len(model.providers)
        self.prov = {
            k: np.zeros((n_months, n_prov))
            for k in (
                "staff",
                "reserves",
                "revenue",
                "transfers",
                "cost",
                "fls",
                "capacity",
                "active",
            )
        }
        self.active_at_year_start = np.zeros((model.params.years, r, t))
        self.waiting_at_year_start = np.zeros((model.params.years, r, t))
        capacity = model.families.capacity
        self.last_end_month = np.full(capacity, _NEVER, dtype=np.int32)
        """Per family row: the month (``month_abs``) its last help ended, burn-in
        included; valid only while ``last_end_generation`` equals the row's generation."""
        self.last_end_generation = np.full(capacity, -1, dtype=np.int32)
        """Per family row: the row's generation when its last help ended (a row reused
        by a new family has a new generation, so the new family has no earlier help)."""
        self.h_hze = np.array([h.trait != "crisis" for h in model.params.help_types])
        """Help types of the Hilfen zur Erziehung in the wide sense of the statistics
        (§§27–35, §35a, §41): all but the Inobhutnahme (§42)."""
        self.closings: list[Closing] = []
        self.jew = np.zeros((model.params.years, r))

    # -------------------------------------------------------------- events
    def _slot(self) -> int | None:
        m = self.model.month_abs - self.model.params.burn_in_months
        return m if m >= 0 else None

    def count_grants(self, rows: np.ndarray, types: np.ndarray, escalated: bool) -> None:
        """Granted helps (new cases); escalations counted separately.

        A grant is a follow-on help if the family's previous help ended at most
        :data:`FOLLOW_ON_WINDOW_MONTHS` months before (every escalation is one), a
        re-referral if it ended later but at most :data:`REREFERRAL_WINDOW_MONTHS`
        months before.
        """
        s = self._slot()
        if s is None or rows.size == 0:
            return
        f = self.model.families
        reg = f.region[rows]
        tally(self.new[s], reg, types)
        if escalated:
            tally(self.escalations[s], reg)
        earlier = self.last_end_generation[rows] == f.generation[rows]
        gap = self.model.month_abs - self.last_end_month[rows].astype(np.int64)
        follow = earlier & (gap <= FOLLOW_ON_WINDOW_MONTHS)
        again = earlier & ~follow & (gap <= REREFERRAL_WINDOW_MONTHS)
        tally(self.follow_on[s], reg[follow])
        tally(self.rereferrals[s], reg[again])

    def count_starts(self, rows: np.ndarray) -> None:
        """Helps starting with a provider, with the months they waited."""
        s = self._slot()
        if s is None:
            return
        f = self.model.families
        reg = f.region[rows]
        tally(self.starts[s], reg)
        tally(self.started[s], reg, f.wait_type[rows])
        tally(self.wait_sum[s], reg, weights=f.wait_months[rows])

    def count_withdrawn(self, rows: np.ndarray) -> None:
        """Granted helps that will never start: their grant is dropped before a start.

        Call before the grant is cleared: the family leaves the model while it waits,
        or a crisis replaces the waiting grant by an Inobhutnahme.
        """
        s = self._slot()
        if s is None or rows.size == 0:
            return
        f = self.model.families
        tally(self.withdrawn[s], f.region[rows], f.wait_type[rows])

    def count_ends(self, rows: np.ndarray, reasons: np.ndarray) -> None:
        """Ending helps by type and reason (escalations by crisis included).

        Call before the helps are cleared. Remembers the month of each family's last
        ended help, in the burn-in too. A help of the Hilfen zur Erziehung (not §42)
        ends against the plan if it ends before its planned duration
        (``case_months < case_planned``, the Hilfeplan as last updated) for a reason
        other than success.
        """
        if rows.size == 0:
            return
        f = self.model.families
        self.last_end_month[rows] = self.model.month_abs
        self.last_end_generation[rows] = f.generation[rows]
        s = self._slot()
        if s is None:
            return
        reg = f.region[rows]
        types = f.case_type[rows]
        tally(self.ended[s], reg, types)
        tally(self.ended_reason[s], reg, reasons)
        still = (reasons != END_ESCALATION) & (
            f.need[rows] >= self.model.params.need.threshold_help
        )
        tally(self.ended_with_need[s], reg[still])
        hze = self.h_hze[types]
        early = hze & (reasons != END_SUCCESS) & (f.case_months[rows] < f.case_planned[rows])
        tally(self.ended_hze[s], reg[hze])
        tally(self.against_plan[s], reg[early])

    def count_escalations(self, rows: np.ndarray) -> None:
        """Helps interrupted by a crisis (escalation to §42)."""
        s = self._slot()
        if s is None or rows.size == 0:
            return
        tally(self.escalations[s], self.model.families.region[rows])

    def count_reviews(self, rows: np.ndarray) -> None:
        """Hilfeplan reviews (§36) held this month (each with a provider report)."""
        s = self._slot()
        if s is None:
            return
        tally(self.reviews[s], self.model.families.region[rows])

    def count_counselling(self, rows: np.ndarray) -> None:
        """Families starting counselling."""
        s = self._slot()
        if s is None:
            return
        tally(self.counsel_new[s], self.model.families.region[rows])

    # -------------------------------------------------------------- periodic
    def open_year(self) -> None:
        """January: remember the stock of helps carried into the year and the JEW."""
        y = self.model.year_index
        if y < 0:
            return
        self.active_at_year_start[y] = active_cases(self.model)
        self.waiting_at_year_start[y] = waiting_by_type(self.model)
        m = self.model
        self.jew[y] = jugendeinwohnerwert(
            m.params.regions, m.under21_by_region(), m.params.budget.index_weights
        )

    def record_month(self) -> None:
        """Call every monthly reporter."""
        s = self._slot()
        if s is None:
            return
        m = self.model
        f = m.families
        per_region, self.active[s], self.waiting[s] = kernels.month_counts(
            f.region,
            f.alive,
            f.case_type,
            f.wait_type,
            f.need,
            f.counsel_left,
            f.project_effect,
            m.params.need.threshold_help,
            m.n_regions,
            m.n_types,
        )
        for name, row in zip(FUSED_REGION_REPORTERS, per_region, strict=True):
            self.monthly[name][s] = row
        for name, (fn, _) in MONTHLY_REGION_REPORTERS.items():
            if name not in FUSED_REGION_REPORTERS:
                self.monthly[name][s] = fn(m)
        self.spent[s] = (m.ledger.running - m._month_spent_start) / 100.0
        for k, v in provider_totals(m).items():
            self.kreis[k][s] = v
        self.exits[s] = m.provider_exits[m.month_abs]
        pv = self.prov
        providers = m.providers
        pv["staff"][s] = [p.staff if p.active else 0.0 for p in providers]
        pv["reserves"][s] = [p.reserves for p in providers]
        pv["revenue"][s] = [p.last_month[0] for p in providers]
        pv["transfers"][s] = [p.last_month[1] for p in providers]
        pv["cost"][s] = [p.last_month[2] for p in providers]
        pv["fls"][s] = [p.used_fls if p.active else 0.0 for p in providers]
        pv["capacity"][s] = [p.capacity_fls() for p in providers]
        pv["active"][s] = [float(p.active) for p in providers]

    def record_year(self, closing: Closing) -> None:
        """December: keep the year's closing."""
        if self.model.year_index >= 0:
            self.closings.append(closing)

    # -------------------------------------------------------------- output
    def provider_frame(self, run_id: str) -> pd.DataFrame:
        """Each provider's year: staff, reserves, revenue, costs, utilisation, exit.

        One row per provider and reported year. Staff, reserves and ``active`` are
        December values; money and FLS are sums over the year; utilisation is FLS in
        use over capacity, averaged over the months the provider was active.
        """
        m = self.model
        p = m.params
        years = p.years
        names = [pr.name for pr in m.providers]

        def by_year(a: np.ndarray, how: str) -> np.ndarray:
            shaped = a.reshape(years, 12, len(names))
            return {"sum": shaped.sum(axis=1), "last": shaped[:, -1]}[how]

        util = np.divide(
            self.prov["fls"],
            self.prov["capacity"],
            out=np.zeros_like(self.prov["fls"]),
            where=self.prov["capacity"] > 0,
        ).reshape(years, 12, len(names))
        months_active = self.prov["active"].reshape(years, 12, len(names)).sum(axis=1)
        utilisation = util.sum(axis=1) / np.maximum(months_active, 1)
        region_names = [*p.region_names]
        rows = {
            "run_id": run_id,
            "year": np.repeat(p.budget.start_year + np.arange(years), len(names)),
            "provider": np.tile(np.array(names, dtype=object), years),
            "role": np.tile(np.array([pr.role for pr in m.providers], dtype=object), years),
            "region": np.tile(
                np.array(
                    [_provider_region(m, pr, region_names) for pr in m.providers],
                    dtype=object,
                ),
                years,
            ),
            "staff_fte": by_year(self.prov["staff"], "last").ravel(),
            "reserves_eur": by_year(self.prov["reserves"], "last").ravel(),
            "revenue_eur": by_year(self.prov["revenue"], "sum").ravel(),
            "transfers_eur": by_year(self.prov["transfers"], "sum").ravel(),
            "cost_eur": by_year(self.prov["cost"], "sum").ravel(),
            "fls_delivered": by_year(self.prov["fls"], "sum").ravel(),
            "utilisation": utilisation.ravel(),
            "active": by_year(self.prov["active"], "last").ravel() > 0,
        }
        return pd.DataFrame(rows)

    def _spending_by_type(self) -> np.ndarray:
        """Kreis payments for helps per reported year, region and help type, EUR."""
        m = self.model
        a = m.ledger.arrays()
        rel = a["month"] - m.params.burn_in_months
        item_to_type = np.full(len(m.ledger.items), -1)
        item_to_type[m.item_of_type] = np.arange(m.n_types)
        t = item_to_type[a["item"]] if a["item"].size else a["item"]
        keep = (rel >= 0) & (a["kind"] == 0) & (t >= 0)
        out = np.zeros((m.params.years, m.n_regions, m.n_types))
        np.add.at(out, (rel[keep] // 12, a["region"][keep], t[keep]), a["cents"][keep] / 100.0)
        return out

    def frame(self, run_id: str) -> pd.DataFrame:
        """All outcomes as one tidy table."""
        m = self.model
        p = m.params
        regions = list(p.region_names)
        years = p.years
        cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("year", "month", "region", "metric", "value", "unit")
        }

        def add(metric: str, unit: str, values: np.ndarray, monthly: bool) -> None:
            """values: (periods, regions) including a last column for Gesamt."""
            periods = values.shape[0]
            if monthly:
                year = p.budget.start_year + np.arange(periods) // 12
                month = np.arange(periods) % 12 + 1
            else:
                year = p.budget.start_year + np.arange(periods)
                month = np.zeros(periods, dtype=int)
            names = [*regions, TOTAL]
            cols["year"].append(np.repeat(year, len(names)))
            cols["month"].append(np.repeat(month, len(names)))
            cols["region"].append(np.tile(np.array(names, dtype=object), periods))
            cols["metric"].append(np.full(periods * len(names), metric, dtype=object))
            cols["value"].append(values.reshape(-1).astype(float))
            cols["unit"].append(np.full(periods * len(names), unit, dtype=object))

        def with_total(a: np.ndarray, how: str = "sum") -> np.ndarray:
            tot = a.sum(axis=1, keepdims=True) if how == "sum" else a.mean(axis=1, keepdims=True)
            return np.concatenate([a, tot], axis=1)

        def yearly(a: np.ndarray, how: str) -> np.ndarray:
            shaped = a.reshape(years, 12, *a.shape[1:])
            return shaped.sum(axis=1) if how == "sum" else shaped.mean(axis=1)

        codes = p.help_codes
        # monthly
        for k, pot in enumerate(POTS):
            add(f"spent_{pot}", "EUR", with_total(self.spent[:, :, k]), True)
        add("active_cases", "Fälle", with_total(self.active.sum(axis=2)), True)
        for name, (_, unit) in MONTHLY_REGION_REPORTERS.items():
            add(name, unit, with_total(self.monthly[name]), True)

        # yearly
        u21 = with_total(yearly(self.monthly["under21"], "mean"))
        per10k = 10_000.0 / np.maximum(u21, 1.0)
        new_y = yearly(self.new, "sum")
        ended_y = yearly(self.ended, "sum")
        counted = self.active_at_year_start + new_y  # stock on 1 Jan + granted in the year
        started_y = yearly(self.started, "sum")
        stock_dec = self.active.reshape(years, 12, *self.active.shape[1:])[:, -1]
        for j, code in enumerate(codes):
            add(f"new_cases_{code}", "Fälle", with_total(new_y[:, :, j]), False)
            add(f"cases_{code}", "Fälle", with_total(counted[:, :, j]), False)
            add(
                f"cases_per_10k_{code}",
                "je 10.000 u21",
                with_total(counted[:, :, j]) * per10k,
                False,
            )
            add(
                f"new_cases_per_10k_{code}",
                "je 10.000 u21",
                with_total(new_y[:, :, j]) * per10k,
                False,
            )
            add(f"ended_cases_{code}", "Fälle", with_total(ended_y[:, :, j]), False)
            add(f"started_cases_{code}", "Fälle", with_total(started_y[:, :, j]), False)
            add(f"stock_dec_{code}", "Fälle", with_total(stock_dec[:, :, j]), False)
        all_counted = with_total(counted.sum(axis=2))
        add("cases_total", "Fälle", all_counted, False)
        add("cases_per_10k_total", "je 10.000 u21", all_counted * per10k, False)
        add("new_cases_total", "Fälle", with_total(new_y.sum(axis=2)), False)
        stat = with_total(counted[:, :, m.h_stationary].sum(axis=2))
        add("stationary_share", "Anteil", stat / np.maximum(all_counted, 1.0), False)
        reasons_y = yearly(self.ended_reason, "sum")
        for j, reason in enumerate(END_REASONS):
            add(f"ended_{reason}", "Fälle", with_total(reasons_y[:, :, j]), False)
        add(
            "ended_with_need",
            "Fälle",
            with_total(yearly(self.ended_with_need, "sum")),
            False,
        )
        add("escalations", "Fälle", with_total(yearly(self.escalations, "sum")), False)
        ended_hze = with_total(yearly(self.ended_hze, "sum"))
        against = with_total(yearly(self.against_plan, "sum"))
        add("ended_against_plan", "Fälle", against, False)
        add("ended_against_plan_share", "Anteil", against / np.maximum(ended_hze, 1.0), False)
        new_total = with_total(new_y.sum(axis=2))
        rereferrals = with_total(yearly(self.rereferrals, "sum"))
        add("follow_on_helps", "Fälle", with_total(yearly(self.follow_on, "sum")), False)
        add("rereferrals_12m", "Fälle", rereferrals, False)
        add("rereferral_share", "Anteil", rereferrals / np.maximum(new_total, 1.0), False)
        waiting_dec = self.waiting.reshape(years, 12, *self.waiting.shape[1:])[:, -1]
        add(
            "waiting_families_jan",
            "Familien",
            with_total(self.waiting_at_year_start.sum(axis=2)),
            False,
        )
        add("waiting_families_dec", "Familien", with_total(waiting_dec.sum(axis=2)), False)
        add(
            "grants_withdrawn",
            "Fälle",
            with_total(yearly(self.withdrawn, "sum").sum(axis=2)),
            False,
        )
        add("hilfeplan_reviews", "Fälle", with_total(yearly(self.reviews, "sum")), False)
        by_type = self._spending_by_type()
        for j, code in enumerate(codes):
            add(f"spent_help_{code}", "EUR", with_total(by_type[:, :, j]), False)
        for name in (
            "waiting_families",
            "unmet_need_families",
            "counselled_families",
            "project_reach",
            "projects_active",
            "families",
        ):
            add(
                name,
                MONTHLY_REGION_REPORTERS[name][1],
                with_total(yearly(self.monthly[name], "mean")),
                False,
            )
        add("under21", "Personen", u21, False)
        starts = with_total(yearly(self.starts, "sum"))
        waits = with_total(yearly(self.wait_sum, "sum"))
        add("mean_waiting_months", "Monate", waits / np.maximum(starts, 1.0), False)
        counsel_new = with_total(yearly(self.counsel_new, "sum"))
        add("counselling_new_families", "Familien", counsel_new, False)
        appts = (
            with_total(yearly(self.monthly["counselled_families"], "sum"))
            * p.counselling.appointments_per_family_month
        )
        add("counselling_appointments", "Termine", appts, False)
        # money from the closings
        budget = np.stack([c.available for c in self.closings]) / 100.0
        spent = np.stack([c.spent for c in self.closings]) / 100.0
        carry = np.stack([c.carry_out for c in self.closings]) / 100.0
        result = np.stack([c.result for c in self.closings]) / 100.0
        for k, pot in enumerate(POTS):
            add(f"budget_{pot}", "EUR", with_total(budget[:, :, k]), False)
            add(f"spent_{pot}", "EUR", with_total(spent[:, :, k]), False)
            add(f"carry_over_{pot}", "EUR", with_total(carry[:, :, k]), False)
            add(f"result_{pot}", "EUR", with_total(result[:, :, k]), False)
        total_budget = with_total(budget.sum(axis=2))
        total_spent = with_total(spent.sum(axis=2))
        add("total_budget", "EUR", total_budget, False)
        add("total_spent", "EUR", total_spent, False)
        add("overspent", "ja/nein", (total_spent > total_budget).astype(float), False)
        add("bonus", "EUR", with_total(np.stack([c.bonus for c in self.closings]) / 100.0), False)
        add("malus", "EUR", with_total(np.stack([c.malus for c in self.closings]) / 100.0), False)
        jew = with_total(self.jew)
        add("jugendeinwohnerwert", "JEW", jew, False)
        add("cost_per_jew", "EUR je JEW", total_spent / np.maximum(jew, 1.0), False)
        add(
            "lead_provider_reserves",
            "EUR",
            with_total(yearly(self.monthly["lead_provider_reserves"], "mean")),
            False,
        )

        # Kreis-wide provider figures (region Gesamt only)
        kreis_rows = []
        for k, unit in (
            ("providers_active", "Träger"),
            ("provider_staff", "VZÄ"),
            ("provider_reserves", "EUR"),
            ("hhi", "HHI"),
        ):
            yv = (
                self.kreis[k].reshape(years, 12)[:, -1]
                if k != "hhi"
                else self.kreis[k].reshape(years, 12).mean(axis=1)
            )
            kreis_rows.append((k, unit, yv))
        kreis_rows.append(("provider_exits", "Träger", self.exits.reshape(years, 12).sum(axis=1)))
        for k, unit, yv in kreis_rows:
            cols["year"].append(p.budget.start_year + np.arange(years))
            cols["month"].append(np.zeros(years, dtype=int))
            cols["region"].append(np.full(years, TOTAL, dtype=object))
            cols["metric"].append(np.full(years, k, dtype=object))
            cols["value"].append(np.asarray(yv, dtype=float))
            cols["unit"].append(np.full(years, unit, dtype=object))
        out = pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})
        out.insert(0, "run_id", run_id)
        out["year"] = out["year"].astype(np.int32)
        out["month"] = out["month"].astype(np.int8)
        return out
