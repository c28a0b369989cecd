"""Providers, regional bodies and the Jugendamt as Mesa agents.

Families are not Mesa agents in the vectorised engine (see ``model.families``); the
agents here are few and act on the family table through the model.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.allocation import (
    allocation_weights,
    office_split,
    quota_deficits,
    quota_shares,
    split_cents,
)
from model.incentives import Closing
from model.params import POTS, OfficeSpec, ProviderSpec

if TYPE_CHECKING:
    from model.model import SozialraumModel

BOUND, R1, R2, CENTRAL = range(len(POTS))


class Provider(mesa.Agent):
    """A Träger: staff, FLS capacity, reserves; hires and sheds with a lag.

    Args:
        model: The model.
        spec: Starting values from the scenario.
        index: Position in the model's provider list (ledger provider index).
        region: Region index served, or -1 for every region.
    """

    def __init__(self, model: SozialraumModel, spec: ProviderSpec, index: int, region: int) -> None:
        super().__init__(model)
        scale = model.params.scale
        self.name = spec.name
        self.index = index
        self.region = region
        self.role = spec.role
        self.staff = spec.staff_fte * scale
        self.reserves = spec.reserves * scale
        self.attractiveness = spec.attractiveness
        self.active = True
        self.negative_months = 0
        self.start_reserves = self.reserves
        self.pending: deque[tuple[int, float]] = deque()
        self.revenue = 0.0
        """Revenue booked this month, EUR."""
        self.transfers = 0.0
        """Other money this month (flat instalments, bonus, malus, flat-case costs), EUR."""
        self.used_fls = 0.0
        """FLS per month in use by active cases (updated by the model)."""
        self.demand_fls = 0.0
        """FLS per month asked for by families waiting for this provider's kind of help."""
        self.last_month = (0.0, 0.0, 0.0)
        """(revenue, transfers, cost) of the last month booked, EUR."""
        self.office_cost = 0.0
        """Monthly cost of the Sozialraumbüros this Träger runs, EUR (set each
        January; their money arrives as transfers)."""

    @property
    def ambulant(self) -> bool:
        """Whether the provider delivers FLS-billed help."""
        return self.role in ("sozialraumtraeger", "ambulant")

    def capacity_fls(self) -> float:
        """FLS per month the current staff can deliver."""
        return self.staff * self.model.params.provider.fls_per_fte_month if self.active else 0.0

    def step(self) -> None:
        """Book the month's economics, decide on staff, and leave if reserves run out.

        Revenue is what the month's helps billed (plus transfers, among them the
        instalments of the Sozialraumbüros it runs); cost is staff times
        ``cost_per_fte_month`` plus the offices' monthly cost. The provider aims at
        ``target_utilisation`` of its capacity for the demand it sees (active plus
        waiting helps); a change is
        decided now, limited to ``max_staff_change`` of the staff, and takes effect
        after ``hiring_lag_months``. With reserves below zero for
        ``exit_after_months`` months in a row the provider leaves the market (not
        during the burn-in, which only sets up staff; reserves start at the scenario's
        values in the first reported month). Stationary providers are modelled as a
        market whose prices cover costs.
        """
        if not self.active:
            self.last_month = (0.0, 0.0, 0.0)
            return
        p = self.model.params.provider
        now = self.model.month_abs
        while self.pending and self.pending[0][0] <= now:
            self.staff = max(0.0, self.staff + self.pending.popleft()[1])
        if not self.ambulant:
            self.reserves += self.transfers
            self.last_month = (self.revenue, self.transfers, self.revenue)
            self.revenue = self.transfers = 0.0
            return
        cost = self.staff * p.cost_per_fte_month + self.office_cost
        self.reserves += self.revenue + self.transfers - cost
        self.last_month = (self.revenue, self.transfers, cost)
        self.revenue = self.transfers = 0.0
        wanted = (self.used_fls + self.demand_fls) / (p.fls_per_fte_month * p.target_utilisation)
        planned = self.staff + sum(d for _, d in self.pending)
        limit = p.max_staff_change * max(self.staff, 1.0)
        # np.clip(wanted - planned, -limit, limit) on floats: the same number (a
        # zero's sign may differ, and a zero step is never taken)
        step = min(max(wanted - planned, -limit), limit)
        if abs(step) > 1e-9:
            self.pending.append((now + p.hiring_lag_months, step))
        if self.model.in_burn_in:
            return
        self.negative_months = self.negative_months + 1 if self.reserves < 0 else 0
        if self.negative_months >= p.exit_after_months:
            self.active = False
            self.model.provider_exits[self.model.month_abs] += 1
            self.model.on_provider_exit(self)


class SozialraumOffice(mesa.Agent):
    """A Sozialraumbüro: fixed costs first, counselling positions from the rest.

    Each January it receives its bound budget for the year
    (:meth:`Jugendamt.allocate`), pays rent, travel and overhead (grown like the
    budgets, scaled like everything) and staffs ``(budget − fixed costs) /
    cost_per_fte_year`` counselling positions (none if the fixed costs take it all);
    its capacity is positions × ``appointments_per_fte_month``. Its money is booked
    to its Träger, whose books carry the office's instalments and costs: the office
    costs ``max(budget, fixed costs)`` a year, so the Träger breaks even on it unless
    the budget does not cover the fixed costs. Reading: a Träger that leaves the
    market for fallspezifische help keeps running its office.

    Args:
        model: The model.
        index: Position in ``ModelParams.offices``.
        region: Region index of the office's Sozialraum.
        provider: Index of its Träger in the model's provider list.
    """

    def __init__(self, model: SozialraumModel, index: int, region: int, provider: int) -> None:
        super().__init__(model)
        self.index = index
        self.region = region
        self.provider = provider
        self.budget = 0.0
        """This year's bound budget, EUR."""
        self.fixed = 0.0
        """This year's rent, travel and overhead, EUR."""
        self.staff = 0.0
        """Counselling positions this year, FTE."""
        self.capacity = 0.0
        """Counselling appointments per month."""

    @property
    def spec(self) -> OfficeSpec:
        """The office's parameters (read from the model's current parameters)."""
        return self.model.params.offices[self.index]

    def open_year(self, budget_cents: int, growth: float) -> None:
        """January: the year's budget, fixed costs, positions and capacity.

        Args:
            budget_cents: The office's bound budget for the year (cents).
            growth: Growth factor of the budgets since the first year (prices).
        """
        c = self.model.params.counselling
        self.budget = budget_cents / 100.0
        self.fixed = self.spec.fixed_costs * growth * self.model.params.scale
        self.staff = max(self.budget - self.fixed, 0.0) / c.cost_per_fte_year
        self.capacity = self.staff * c.appointments_per_fte_month

    @property
    def cost_month(self) -> float:
        """What the office costs its Träger per month, EUR."""
        return max(self.budget, self.fixed) / 12.0


@dataclass
class Project:
    """A prevention project (fallunspezifische Arbeit) funded from regional budget 1."""

    ident: int
    region: int
    provider: int
    cost_year: float
    """Yearly cost, EUR."""
    reach: int
    """Families reached."""
    effect: float
    """True monthly need reduction for a reached family (not known to the bodies)."""
    start: int
    end: int
    """Absolute months [start, end)."""
    members: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    generations: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    stopped: bool = False


class RegionalBody(mesa.Agent):
    """Sozialraumgremium / regionaler Beirat of one region.

    Holds regional budgets 1 and 2 (as allocated by the Jugendamt), approves prevention
    projects once a year (a positive vote is needed) and reviews them in Q1.
    """

    def __init__(self, model: SozialraumModel, region: int) -> None:
        super().__init__(model)
        self.region = region
        self.projects: list[Project] = []

    def active_projects(self, month: int) -> list[Project]:
        """Projects running in an absolute month."""
        return [p for p in self.projects if p.start <= month < p.end and not p.stopped]

    def approve(self, available_cents: int, proposals: list[dict], month: int) -> int:
        """January: fund running projects first, then vote on new proposals.

        A proposal gets a positive vote when its expected reach per 10,000 EUR is at
        least ``vote_min_score``; approved proposals are funded in order of that score
        while money lasts. Returns cents committed for this year.
        """
        months_left = 12
        committed = 0
        for p in self.active_projects(month):
            share = min(p.end - month, months_left) / 12
            committed += round(p.cost_year * share * 100)
        pp = self.model.params.projects
        ranked = sorted(proposals, key=lambda q: -q["score"])
        for q in ranked:
            if q["score"] < pp.vote_min_score:
                continue
            need = round(q["cost"] * min(q["duration"], months_left) / 12 * 100)
            if committed + need > available_cents:
                continue
            committed += need
            self.projects.append(
                Project(
                    ident=self.model.next_project_id(),
                    region=self.region,
                    provider=q["provider"],
                    cost_year=q["cost"],
                    reach=q["reach"],
                    effect=q["effect"],
                    start=month,
                    end=month + q["duration"],
                )
            )
        return committed

    def review(self, month: int, noise: np.ndarray) -> None:
        """Q1 review: projects whose observed effect is too small stop after March."""
        pp = self.model.params.projects
        running = self.active_projects(month)
        if len(running) > noise.size:
            raise RuntimeError(f"{len(running)} projects to review, {noise.size} draws")
        for p, e in zip(running, noise, strict=False):
            observed = p.effect + e
            if observed < pp.review_min_effect:
                p.end = min(p.end, month + 1)


class Jugendamt(mesa.Agent):
    """The Jugendamt: allocates budgets, grants every entitled help, controls, closes.

    It keeps the final responsibility (Letztverantwortung): every need that becomes
    known is assessed and a help is granted, whatever the budget says.
    """

    def __init__(self, model: SozialraumModel) -> None:
        super().__init__(model)
        n = len(model.params.regions)
        self.allocation = np.zeros((n, len(POTS)), dtype=np.int64)
        self.carry_in = np.zeros((n, len(POTS)), dtype=np.int64)
        self.coordination = np.zeros(n, dtype=np.int64)
        """Per region: the year's Sozialraumkosten in cents (part of the bound budget)."""
        n_off = len(model.params.offices)
        self.office_budget = np.zeros(n_off, dtype=np.int64)
        """Per Sozialraumbüro: the year's bound budget in cents (compensation included)."""
        self.office_compensation = np.zeros(n_off, dtype=np.int64)
        """Per Sozialraumbüro: the year's compensation of its deficit in cents."""
        self.office_freed = np.zeros(n_off, dtype=np.int64)
        """Per Sozialraumbüro: the part of its deficit not compensated this year, in
        cents; it goes to regional budget 1 of its region."""
        self.last_spent: np.ndarray | None = None
        self.pressure = np.zeros(n)
        """Savings pressure per region from quarterly controlling (0..1)."""
        self.forecast = np.zeros((n, len(POTS)))
        self.closings: list[tuple[int, Closing]] = []

    def keyed_totals(self, year_index: int) -> np.ndarray:
        """EUR per pot that the allocation key splits (the funds of the scenario file).

        Args:
            year_index: Budget year (0 = first simulated year, negative in burn-in).
        """
        b = self.model.budget
        growth = (1.0 + b.yearly_increase) ** max(year_index, 0)
        scale = self.model.params.scale
        return (
            np.array(
                [
                    b.sozialraum_funds * b.bound_share,
                    b.sozialraum_funds * (1.0 - b.bound_share),
                    b.ambulatory_funds * b.regional2_share,
                    b.central_funds + b.ambulatory_funds * (1.0 - b.regional2_share),
                ]
            )
            * growth
            * scale
        )

    def coordination_cents(self, year_index: int) -> np.ndarray:
        """Per region: Sozialraumkosten of a budget year in cents.

        The sum of ``budget.coordination_hours`` times the FLS rate, with the yearly
        increase and the simulated scale like every budget; the same in every region
        (the hour caps are per Sozialraumträger, Ulm §6(2)).
        """
        b = self.model.budget
        hours = math.fsum(b.coordination_hours.values())
        growth = (1.0 + b.yearly_increase) ** max(year_index, 0)
        eur = hours * self.model.params.provider.fls_rate * growth * self.model.params.scale
        return np.full(len(self.model.params.regions), round(eur * 100), dtype=np.int64)

    def pot_totals(self, year_index: int) -> np.ndarray:
        """EUR per pot for a budget year, Sozialraumkosten included.

        :meth:`keyed_totals` plus, in the bound budget, the Sozialraumkosten of every
        region (:meth:`coordination_cents`).
        """
        totals = self.keyed_totals(year_index)
        totals[BOUND] += self.coordination_cents(year_index).sum() / 100.0
        return totals

    def allocate(self, year_index: int, under21: np.ndarray) -> None:
        """January: split every pot between regions by the allocation key.

        The Sozialraumkosten are not split by the key: every region's bound budget
        gets its own (:meth:`coordination_cents`).
        """
        totals = np.rint(self.keyed_totals(year_index) * 100).astype(np.int64)
        regions = self.model.params.regions
        by_office = bool(self.model.params.offices)
        for k in range(len(POTS)):
            if by_office and k in (BOUND, R1):
                continue
            last = None if self.last_spent is None else self.last_spent[:, k]
            if k == BOUND and last is not None:
                last = last - self.coordination
            w = allocation_weights(self.model.budget, regions, under21, last)
            self.allocation[:, k] = split_cents(int(totals[k]), w)
        if by_office:
            self._allocate_offices(year_index)
        self.coordination = self.coordination_cents(year_index)
        self.allocation[:, BOUND] += self.coordination
        self.pressure[:] = 0.0

    def quota_active(self, year_index: int) -> bool:
        """Whether the scenario's quota splits the sozialraum funds of a budget year.

        From the quota's first calendar year on, never under the pre-reform rules
        of the burn-in (the quota is a reform decision).
        """
        quota = self.model.params.sozialraum_quota
        year = self.model.params.budget.start_year + year_index
        return quota is not None and self.model.policy_on and year >= quota.start_year

    def office_deficits(self) -> np.ndarray:
        """Per office: the deficit of its Sozialraum in the quota's first year, cents.

        The old budgets (``OfficeSpec.budget_before``, scaled) against the quota's
        split of that year's sozialraum funds (:func:`model.allocation.quota_deficits`);
        zero for Sozialräume that are not compensated or do not lose.
        """
        p = self.model.params
        quota = p.sozialraum_quota
        n = len(p.offices)
        if quota is None or not quota.compensated:
            return np.zeros(n, dtype=np.int64)
        b = p.budget
        first = quota.start_year - b.start_year
        growth = (1.0 + b.yearly_increase) ** max(first, 0)
        total = round(b.sozialraum_funds * growth * p.scale * 100)
        before = np.array([round(o.budget_before * p.scale * 100) for o in p.offices])
        comp = np.array([o.sozialraum in quota.compensated for o in p.offices])
        return quota_deficits(total, self.office_shares(new=True), before, comp)

    def office_shares(self, new: bool) -> np.ndarray:
        """Per office: its share of the sozialraum funds under the new or the old quota."""
        p = self.model.params
        if new and p.sozialraum_quota is not None:
            pop = self.model.office_population
            ind = [p.sozialraum_quota.indicators[o.sozialraum] for o in p.offices]
            return quota_shares(pop, ind, p.sozialraum_quota.index_weights)
        before = np.array([o.budget_before for o in p.offices], dtype=float)
        if before.sum() <= 0:
            before = self.model.office_population.astype(float)
        return before / max(float(before.sum()), 1e-12)

    def _allocate_offices(self, year_index: int) -> None:
        """The sozialraum funds by office: bound budgets and regional budgets 1.

        Before the quota (and in a pre-reform burn-in) the old quota splits them
        (``OfficeSpec.budget_before`` shares); from the quota's first year the new
        quota with the deficits of the compensated Sozialräume off the top, their
        compensation paid at the year's share of ``QuotaParams.compensation_path``
        and the rest of each deficit in regional budget 1 of its region
        (:func:`model.allocation.office_split`). A region's bound budget is the sum of
        its offices' budgets, its regional budget 1 the sum of its Sozialräume's parts.
        """
        p = self.model.params
        b = self.model.budget
        growth = (1.0 + b.yearly_increase) ** max(year_index, 0)
        total = round(b.sozialraum_funds * growth * p.scale * 100)
        n = len(p.offices)
        if self.quota_active(year_index):
            quota = p.sozialraum_quota
            assert quota is not None
            year = p.budget.start_year + year_index
            path = quota.compensation_path
            share = path[min(year - quota.start_year, len(path) - 1)] if path else 0.0
            bound, r1, comp, freed = office_split(
                total, self.office_shares(new=True), self.office_deficits(), share, b.bound_share
            )
        else:
            zero = np.zeros(n, dtype=np.int64)
            bound, r1, comp, freed = office_split(
                total, self.office_shares(new=False), zero, 0.0, b.bound_share
            )
        self.office_budget, self.office_compensation, self.office_freed = bound, comp, freed
        region = self.model.office_region
        for k, parts in ((BOUND, bound), (R1, r1)):
            col = np.zeros(len(p.regions), dtype=np.int64)
            np.add.at(col, region, parts)
            self.allocation[:, k] = col

    def controlling(
        self, months_elapsed: int, spent: np.ndarray, r2_overflow: np.ndarray | None = None
    ) -> None:
        """Quarterly controlling: forecast the year-end and set savings pressure.

        The forecast extrapolates spending so far linearly; a region forecast to
        overspend regional budget 2 gets savings pressure in proportion to the
        overrun (full pressure at ``pressure_full_overrun``, e.g. 10 % over). What
        a region's helps cost regional budget 2 counts in full: once its money is
        used up (exhaustion ``central``) the central budget pays its part of the
        bills, and that part (``r2_overflow``, cents so far this year) is part of the
        region's overrun, not a saving.

        Args:
            months_elapsed: Months of the budget year so far (3, 6, 9, 12).
            spent: Cents booked so far this year per region and pot.
            r2_overflow: Per region, cents of its regional-budget-2 part that the
                central budget paid so far this year (None: none).
        """
        budget = (self.allocation + self.carry_in).astype(float)
        claims = spent.astype(float)
        if r2_overflow is not None:
            claims[:, R2] += r2_overflow
        self.forecast = claims * 12.0 / months_elapsed
        with np.errstate(divide="ignore", invalid="ignore"):
            overrun = np.where(budget[:, R2] > 0, self.forecast[:, R2] / budget[:, R2] - 1.0, 0.0)
        full = self.model.params.provider.pressure_full_overrun
        self.pressure = np.clip(overrun / full, 0.0, 1.0)
