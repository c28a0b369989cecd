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

from model.allocation import allocation_weights, split_cents
from model.incentives import Closing
from model.params import POTS, ProviderSpec

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

    @property
    def ambulant(self) -> bool:
        """Whether the provider delivers FLS-billed help."""
        return self.role in ("sozialraumtraeger", "ambulant")

    def capacity_fls(self) -> float:
        """FLS per month the current staff can deliver."""
        return self.staff * self.model.params.provider.fls_per_fte_month if self.active else 0.0

    def step(self) -> None:
        """Book the month's economics, decide on staff, and leave if reserves run out.

        Revenue is what the month's helps billed (plus transfers); cost is staff times
        ``cost_per_fte_month``. The provider aims at ``target_utilisation`` of its
        capacity for the demand it sees (active plus waiting helps); a change is
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
        cost = self.staff * p.cost_per_fte_month
        self.reserves += self.revenue + self.transfers - cost
        self.last_month = (self.revenue, self.transfers, cost)
        self.revenue = self.transfers = 0.0
        wanted = (self.used_fls + self.demand_fls) / (p.fls_per_fte_month * p.target_utilisation)
        planned = self.staff + sum(d for _, d in self.pending)
        step = float(
            np.clip(
                wanted - planned,
                -p.max_staff_change * max(self.staff, 1.0),
                p.max_staff_change * max(self.staff, 1.0),
            )
        )
        if abs(step) > 1e-9:
            self.pending.append((now + p.hiring_lag_months, step))
        if self.model.in_burn_in:
            return
        self.negative_months = self.negative_months + 1 if self.reserves < 0 else 0
        if self.negative_months >= p.exit_after_months:
            self.active = False
            self.model.provider_exits[self.model.month_abs] += 1
            self.model.on_provider_exit(self)


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
        for k in range(len(POTS)):
            last = None if self.last_spent is None else self.last_spent[:, k]
            if k == BOUND and last is not None:
                last = last - self.coordination
            w = allocation_weights(self.model.budget, regions, under21, last)
            self.allocation[:, k] = split_cents(int(totals[k]), w)
        self.coordination = self.coordination_cents(year_index)
        self.allocation[:, BOUND] += self.coordination
        self.pressure[:] = 0.0

    def controlling(self, months_elapsed: int, spent: np.ndarray) -> None:
        """Quarterly controlling: forecast the year-end and set savings pressure.

        The forecast extrapolates spending so far linearly; a region forecast to
        overspend regional budget 2 gets savings pressure in proportion to the
        overrun (full pressure at ``pressure_full_overrun``, e.g. 10 % over).
        """
        budget = (self.allocation + self.carry_in).astype(float)
        self.forecast = spent * 12.0 / months_elapsed
        with np.errstate(divide="ignore", invalid="ignore"):
            overrun = np.where(budget[:, R2] > 0, self.forecast[:, R2] / budget[:, R2] - 1.0, 0.0)
        full = self.model.params.provider.pressure_full_overrun
        self.pressure = np.clip(overrun / full, 0.0, 1.0)
