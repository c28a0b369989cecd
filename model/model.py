"""The Sozialraum model: monthly steps, quarterly controlling, yearly budget cycle.

One step is one month. In January the Jugendamt allocates the pots to the regions
and the regional bodies approve projects; every quarter the Jugendamt controls
spending; in December the year is closed and the incentive scheme settles the
balances. Families and their cases are a columnar table (``model.families``);
providers, regional bodies and the Jugendamt are Mesa agents (``model.agents``).

Order within a month: demography, project reach, need, counselling, Hilfeplan
reviews, recognition and crisis, assessment and grants, provider assignment,
billing, providers' economics, controlling, reporting, year-end closing.
"""

from __future__ import annotations

import dataclasses
import math

import mesa
import numpy as np

from model import kernels, reporters
from model.agents import (
    BOUND,
    CENTRAL,
    R1,
    R2,
    Jugendamt,
    Project,
    Provider,
    RegionalBody,
    SozialraumOffice,
)
from model.allocation import split_cents
from model.families import (
    END_ESCALATION,
    END_EXIT,
    FamilyTable,
)
from model.incentives import Closing, IncentiveScheme, make_scheme
from model.ledger import Ledger
from model.params import (
    POTS,
    BudgetParams,
    IncentiveParams,
    ModelParams,
    carried_by_regional2,
)
from model.population import NewFamilies, draw_families, initial_families, municipality_table
from model.streams import Streams

WEEKS_PER_MONTH = 52.0 / 12.0
DAYS_PER_MONTH = 365.0 / 12.0
CHOICE_ROUNDS = 4
"""Rounds in which families still waiting choose another provider in the same month."""
GOLDEN = 0.6180339887498949
"""Shift of a family's choice uniform between rounds (a fresh, fixed draw)."""
MAX_PROPOSAL_FACTOR = 3
"""Candidate proposals drawn per region and year, as a multiple of the mean (fixed
amount of random numbers per year for common random numbers)."""


def _take_in_order(
    claim: np.ndarray,
    j: int,
    provider_index: int,
    fls_need: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
) -> np.ndarray:
    """A provider takes the families that chose it, in priority order, while it has room.

    The families ``claim`` (positions in the waiting list, in priority order) are
    taken as long as the running sum of their hours ``fls_need`` fits the free
    capacity ``free[j]``; from the first that does not fit, all later ones are turned
    away. ``chosen`` gets ``provider_index`` for those taken, ``free[j]`` drops by
    their hours.

    >>> free, chosen = np.array([25.0]), np.full(3, -1)
    >>> _take_in_order(np.arange(3), 0, 7, np.array([10.0, 10.0, 10.0]), free, chosen)
    array([ True,  True, False])
    >>> chosen.tolist(), free.tolist()
    ([7, 7, -1], [5.0])

    Returns:
        Which of ``claim`` were taken.
    """
    total = np.cumsum(fls_need[claim])
    ok = total <= free[j]
    if ok.any():
        chosen[claim[ok]] = provider_index
        free[j] -= total[ok][-1]
    return ok


def _choice_rounds(
    cand: np.ndarray,
    waiting: np.ndarray,
    fls_need: np.ndarray,
    options: np.ndarray,
    attract: np.ndarray,
    free: np.ndarray,
    chosen: np.ndarray,
    u: np.ndarray,
    provider_index: np.ndarray,
) -> None:
    """The free choice in ``CHOICE_ROUNDS`` rounds, with whole-array numpy operations.

    What :func:`model.kernels.choice_rounds` does (its docstring states the rule),
    for weights the kernel does not take (a negative or non-finite attractiveness).
    ``free`` and ``chosen`` are updated.
    """
    n_amb = attract.size
    for k in range(CHOICE_ROUNDS):
        open_ = chosen[cand] < 0
        if not open_.any():
            break
        c = cand[open_]
        w = attract * options[open_] * (free[None, :] >= fls_need[c, None])
        has = w.sum(axis=1) > 0
        c, w = c[has], w[has]
        if c.size == 0:
            break
        cum = np.cumsum(w, axis=1)
        uu = (u[waiting[c]] + k * GOLDEN) % 1.0
        pick = np.minimum((uu[:, None] * cum[:, -1:] >= cum).sum(axis=1), n_amb - 1)
        for j in np.unique(pick):
            _take_in_order(c[pick == j], j, int(provider_index[j]), fls_need, free, chosen)


def _sum_before(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per element: the sum of ``values`` over the earlier elements of its group.

    "Earlier" is the order of the arrays; ``groups`` are indices ``0 .. n_groups - 1``.

    >>> _sum_before(np.array([5, 1, 2, 3]), np.array([1, 0, 1, 1]), 2).tolist()
    [0, 0, 5, 7]
    """
    order = np.argsort(groups, kind="stable")
    v, g = values[order], groups[order]
    cum = np.cumsum(v)
    before_group = np.concatenate(([0], cum))[np.searchsorted(g, np.arange(n_groups))]
    out = np.empty_like(cum)
    out[order] = cum - v - before_group[g]
    return out


class SozialraumModel(mesa.Model):
    """Agent-based model of a Kreis' youth-welfare budget with Sozialraum pots.

    Args:
        params: All parameters of the run.
        rng: Seed (or generator) of the run's single random generator.
    """

    def __init__(self, params: ModelParams, rng: int | np.random.Generator | None = None) -> None:
        super().__init__(rng=rng)
        self.params = params
        self.streams = Streams.from_generator(self.rng)
        self.n_regions = len(params.regions)
        self.n_types = len(params.help_types)
        self.month_abs = 0
        self._u21_month = -1
        self._u21 = np.zeros(len(params.regions))
        self.total_months = params.burn_in_months + 12 * params.years
        self._project_seq = 0

        ht = params.help_types
        self.h_is_fls = np.array([h.billing == "fls" for h in ht])
        self.h_fls = np.array([h.fls_per_week for h in ht])
        self.h_rate = np.array([h.daily_rate for h in ht])
        self.h_group = np.array([max(h.group_size, 1.0) for h in ht])
        self.h_duration = np.array([h.mean_duration_months for h in ht])
        r2_codes = params.budget.regional2_help_types
        self.h_r2 = np.array([carried_by_regional2(h, r2_codes) for h in ht])
        self.h_stationary = np.array([h.setting == "stationaer" for h in ht])
        self.h_placed = np.array([h.setting in ("teilstationaer", "stationaer") for h in ht])
        self._pot_r2 = np.where(self.h_r2, R2, CENTRAL).astype(np.int8)
        """Per help type: its pot once there is a regional budget 2 (see :meth:`_grant`)."""
        self._pot_central = np.full(len(ht), CENTRAL, dtype=np.int8)
        """Per help type: its pot without a regional budget 2 (the central budget)."""
        self.staff_hours_per_fls = np.array([r.staff_hours_per_fls for r in params.regions])
        """Per region: staff hours one billed FLS takes (direct contact plus travel and
        documentation); a provider's capacity is counted in staff hours."""
        self.crisis_type = next((i for i, h in enumerate(ht) if h.trait == "crisis"), None)
        self.group_type = next((i for i, h in enumerate(ht) if h.group_offer_replaces), -1)
        """Index of the fallübergreifende group offer regional budget 2 can fund (-1: none)."""
        replaced = ht[self.group_type].group_offer_replaces if self.group_type >= 0 else ()
        self.h_replaceable = np.array([h.code in replaced for h in ht], dtype=bool) & self.h_r2
        """Per help type: whether a group place can replace it (it is one the group
        offer names, and regional budget 2 carries it)."""
        self.group_places = np.zeros(self.n_regions, dtype=np.int64)
        """Per region: places in the group offer its regional budget 2 pays this year."""
        self._u_group: np.ndarray | None = None

        # population
        fam0 = initial_families(params, self.streams.population)
        n0 = fam0.region.size
        self.n_families_start = n0
        # the population grows in the reported years only (see _demography)
        growth = (1.0 + params.population.growth_per_year) ** params.years
        capacity = math.ceil(n0 * max(growth, 1.0) * 1.08) + 64
        self.families = self._make_families(capacity)
        self.families.place(fam0, np.arange(n0))
        _, mun_pop, _ = municipality_table(params)
        self.mun_cum = np.cumsum(mun_pop) / mun_pop.sum()
        self._market_key: tuple[bool, ...] | None = None
        self._market_index = np.zeros(0, dtype=np.int64)
        self._market_attract_ok = True
        self._market: tuple[list[Provider], np.ndarray, np.ndarray, np.ndarray] = (
            [],
            np.zeros((0, 0)),
            np.zeros(0),
            np.zeros(0, dtype=np.int64),
        )
        self._reach_set = True
        self._arrival_pool: NewFamilies | None = None
        self._arrival_pos = 0

        # agents
        self.jugendamt = Jugendamt(self)
        self.bodies = [RegionalBody(self, r) for r in range(self.n_regions)]
        names = params.region_names
        self.providers: list[Provider] = []
        self._served: list[frozenset[int] | None] = []
        """Per provider: the regions it serves when it serves some but not all
        (``ProviderSpec.regions``); None: its ``region`` decides (-1: every region)."""
        for i, spec in enumerate(params.providers):
            region = names.index(spec.region) if spec.region is not None else -1
            self.providers.append(Provider(self, spec, i, region))
            self._served.append(
                frozenset(names.index(n) for n in spec.regions) if spec.regions else None
            )
        self.lead_provider = np.full(self.n_regions, -1, dtype=np.int64)
        """Per region: index of the Sozialraumträger that leads it (-1: none); the
        first listed provider wins."""
        for p, spec in zip(self.providers, params.providers, strict=True):
            if p.role != "sozialraumtraeger":
                continue
            if spec.lead_regions:
                led = [names.index(n) for n in spec.lead_regions]
            elif spec.regions:
                led = [names.index(n) for n in spec.regions]
            else:
                led = [p.region] if p.region >= 0 else []
            for r in led:
                if self.lead_provider[r] < 0:
                    self.lead_provider[r] = p.index
        self.offices = self._make_offices()
        self.ledger = Ledger(names, [p.name for p in self.providers])
        self.item_of_type = np.array([self.ledger.item_id(h.code) for h in ht])
        self.office_item = self.ledger.item_id("sozialraumbuero")
        self.flat_item = self.ledger.item_id("pauschalbudget")
        self.incentive_item = self.ledger.item_id("anreiz")

        self._r2_delivered = np.zeros((self.n_regions, len(self.providers)), dtype=np.int64)
        """Per region and provider: cents billed this year for helps carried by
        regional budget 2 (the delivered shares of :meth:`incentive_shares`)."""
        self._r2_overflow = np.zeros(self.n_regions, dtype=np.int64)
        """Per region: cents of regional budget 2's part the central budget paid this
        year because the region's money was used up."""
        self.provider_exits = np.zeros(self.total_months, dtype=np.int64)
        self.recorder = reporters.Recorder(self)
        self._policy_on = False
        self._set_policy(
            active=params.burn_in_months == 0 or params.budget.burn_in_rules == "scenario"
        )
        self.counselling_capacity = np.zeros(self.n_regions)
        self._month_spent_start = np.zeros((self.n_regions, len(POTS)), dtype=np.int64)

    # ------------------------------------------------------------------ setup helpers
    def _make_families(self, capacity: int) -> FamilyTable:
        """The family implementation (the per-agent reference overrides this)."""
        return FamilyTable(self.params, capacity)

    def _set_policy(self, active: bool) -> None:
        """Switch between the pre-reform burn-in rules and the scenario's rules.

        With ``budget.burn_in_rules == "scenario"`` the scenario's rules apply from
        the first month and this is never called with ``active=False``.
        """
        self._policy_on = active
        if active:
            self.budget: BudgetParams = self.params.budget
            self.scheme: IncentiveScheme = make_scheme(self.params.incentive)
        else:
            self.budget = dataclasses.replace(
                self.params.budget, bound_share=1.0, regional2_share=0.0
            )
            self.scheme = make_scheme(IncentiveParams(scheme="none"))

    def _make_offices(self) -> list[SozialraumOffice]:
        """The Sozialraumbüros, each in its Sozialraum's region, run by its Träger.

        Sets :attr:`office_region`, :attr:`office_provider` and
        :attr:`office_population` (inhabitants of each office's Sozialraum).

        Raises:
            ValueError: For a Sozialraum that is no municipality of a region or a
                Träger that is not a provider (the scenario files check both first).
        """
        p = self.params
        where = {
            m.name: (r, m.population) for r, reg in enumerate(p.regions) for m in reg.municipalities
        }
        by_name = {prov.name: prov.index for prov in self.providers}
        offices: list[SozialraumOffice] = []
        for i, spec in enumerate(p.offices):
            if spec.sozialraum not in where:
                raise ValueError(f"office {spec.name!r}: unknown Sozialraum {spec.sozialraum!r}")
            if spec.provider not in by_name:
                raise ValueError(f"office {spec.name!r}: unknown provider {spec.provider!r}")
            offices.append(
                SozialraumOffice(self, i, where[spec.sozialraum][0], by_name[spec.provider])
            )
        self.office_region = np.array([o.region for o in offices], dtype=np.int64)
        """Per office: its region index."""
        self.office_provider = np.array([o.provider for o in offices], dtype=np.int64)
        """Per office: the index of its Träger."""
        self.office_population = np.array([where[s.sozialraum][1] for s in p.offices], dtype=float)
        """Per office: inhabitants of its Sozialraum (municipality file)."""
        return offices

    @property
    def policy_on(self) -> bool:
        """Whether the scenario's rules apply (False under the pre-reform burn-in rules)."""
        return self._policy_on

    def next_project_id(self) -> int:
        """A new project number."""
        self._project_seq += 1
        return self._project_seq

    @property
    def in_burn_in(self) -> bool:
        """Whether the current month belongs to the burn-in."""
        return self.month_abs < self.params.burn_in_months

    @property
    def year_index(self) -> int:
        """Budget year relative to the first reported year (negative in burn-in)."""
        return (self.month_abs - self.params.burn_in_months) // 12

    @property
    def month_of_year(self) -> int:
        """Calendar month 1..12 of the current step."""
        return (self.month_abs - self.params.burn_in_months) % 12 + 1

    def under21_by_region(self) -> np.ndarray:
        """Under-21 population per region (computed once per month)."""
        if self._u21_month != self.month_abs:
            f = self.families
            self._u21 = kernels.under21_by_region(f.region, f.alive, f.n_born, self.n_regions)
            self._u21_month = self.month_abs
        return self._u21

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month."""
        if self.month_abs == self.params.burn_in_months > 0:
            if not self._policy_on:
                self._set_policy(active=True)
                self._hand_over()
            self.jugendamt.carry_in[:] = 0
            for p in self.providers:
                p.reserves = p.start_reserves
                p.negative_months = 0
        if self.month_of_year == 1:
            self._open_year()
        self._month_spent_start = self.ledger.running.copy()
        self._demography()
        self._u21_month = -1
        self._u_cases = self.streams.cases.random((3, self.families.capacity), dtype=np.float32)
        self._u_group = (
            self.streams.groups.random(self.families.capacity, dtype=np.float32)
            if self.group_places.any()
            else None
        )
        self._refresh_project_reach()
        f = self.families
        trend = self.params.need.trend_per_year * max(self.year_index, 0) + (
            self.params.need.trend_per_year * (self.month_of_year - 1) / 12
            if self.year_index >= 0
            else 0.0
        )
        z = self.streams.need.standard_normal(f.capacity, dtype=np.float32)
        f.update_need(z, trend)
        self._counselling()
        self._reviews()
        self._recognition()
        self._assign_providers()
        self._billing()
        self.agents_by_type[Provider].do("step")
        moy = self.month_of_year
        if moy % 3 == 0:
            self.jugendamt.controlling(moy, self.ledger.running, self._r2_overflow)
        if moy == 3:
            self._q1_review()
        self.recorder.record_month()
        if moy == 12:
            self._close_year()
        self.month_abs += 1

    def run(self) -> None:
        """Run all months (burn-in and reported years)."""
        while self.month_abs < self.total_months:
            self.step()

    # ------------------------------------------------------------------ January
    def _open_year(self) -> None:
        ja = self.jugendamt
        u21 = self.under21_by_region()
        ja.allocate(self.year_index, u21)
        self._open_group_places()
        self.ledger.reset_running()
        self._r2_delivered[:] = 0
        self._r2_overflow[:] = 0
        self.recorder.open_year()
        if self.offices:
            self._open_offices()
        else:
            # counselling capacity from the bound budget (staff share of it), without
            # the Sozialraumkosten of the Sozialraumträger
            c = self.params.counselling
            bound_eur = (ja.allocation[:, BOUND] - ja.coordination) / 100.0
            fte = bound_eur * (1.0 - c.fixed_share) / c.cost_per_fte_year
            self.counselling_capacity = fte * c.appointments_per_fte_month
        # projects: regional bodies vote on this year's proposals
        available = ja.allocation[:, R1] + ja.carry_in[:, R1]
        proposals = self._draw_proposals()
        self._reach_keys = self.streams.projects.random(self.families.capacity)
        for body in self.bodies:
            body.approve(int(available[body.region]), proposals[body.region], self.month_abs)

    def _open_group_places(self) -> None:
        """January: per region, the places in the group offer regional budget 2 pays.

        ``floor(regional2_group_share × (regional budget 2 + carry-over) / (12 ×
        cost of a place per month))``, a place costing the group type's ``fls_per_week
        · 52/12 · fls_rate / group_size`` (its share of the group's FLS).
        """
        g = self.group_type
        share = self.budget.regional2_group_share
        self.group_places[:] = 0
        if g < 0 or share <= 0 or self.budget.regional2_share <= 0:
            return
        ja = self.jugendamt
        month = self.h_fls[g] * WEEKS_PER_MONTH * self.params.provider.fls_rate / self.h_group[g]
        eur = share * np.maximum(ja.allocation[:, R2] + ja.carry_in[:, R2], 0) / 100.0
        self.group_places[:] = np.floor(eur / (12.0 * month)).astype(np.int64)

    def _open_offices(self) -> None:
        """January: every Sozialraumbüro's budget, positions and capacity.

        A region's counselling capacity is the sum of its offices' capacities; each
        Träger's monthly office cost is the sum of its offices' (:class:`SozialraumOffice`).
        """
        growth = (1.0 + self.budget.yearly_increase) ** max(self.year_index, 0)
        capacity = np.zeros(self.n_regions)
        for p in self.providers:
            p.office_cost = 0.0
        for o in self.offices:
            o.open_year(int(self.jugendamt.office_budget[o.index]), growth)
            capacity[o.region] += o.capacity
            self.providers[o.provider].office_cost += o.cost_month
        self.counselling_capacity = capacity

    def _draw_proposals(self) -> list[list[dict]]:
        """Project proposals of the year per region (fixed amount of draws)."""
        pp = self.params.projects
        rng = self.streams.projects
        mean = pp.proposals_per_region * self.params.scale
        n_max = math.ceil(mean * MAX_PROPOSAL_FACTOR) + 3
        out: list[list[dict]] = []
        candidates = [p.index for p in self.providers if p.ambulant]
        for r in range(self.n_regions):
            count = min(int(rng.poisson(mean)), n_max)
            cost = rng.normal(pp.cost_mean, pp.cost_sd, n_max)
            cost = np.maximum(cost, pp.cost_mean * pp.cost_min_share)
            score = rng.normal(
                pp.families_per_10k_eur, pp.families_per_10k_eur * pp.reach_cv, n_max
            )
            score = np.maximum(score, 0.0)
            effect = rng.normal(pp.effect_mean, pp.effect_sd, n_max)
            duration = rng.choice(np.asarray(pp.duration_months), n_max)
            prov_u = rng.random(n_max)
            local = [i for i in candidates if self.serves(self.providers[i], r)]
            out.append(
                [
                    {
                        "cost": float(cost[i]),
                        "score": float(score[i]),
                        "reach": round(score[i] * cost[i] / 10_000),
                        "effect": float(effect[i]),
                        "duration": int(duration[i]),
                        "provider": local[int(prov_u[i] * len(local))] if local else -1,
                    }
                    for i in range(count)
                ]
            )
        return out

    def _refresh_project_reach(self) -> None:
        """Per family: the sum of the effects of running projects that reach it."""
        f = self.families
        if self._reach_set:
            f.project_effect[:] = 0.0
            self._reach_set = False
        for body in self.bodies:
            for proj in body.active_projects(self.month_abs):
                if proj.members.size == 0 and proj.reach > 0:
                    self._select_members(proj, self._reach_keys)
                alive = f.generation[proj.members] == proj.generations
                f.project_effect[proj.members[alive]] += proj.effect
                self._reach_set = True

    def _select_members(self, proj: Project, u: np.ndarray) -> None:
        """Families a starting project reaches: weighted towards higher need.

        Weighted sampling without replacement by exponential keys
        ``-log(u') / w`` with ``w = exp(targeting * z(need))``; ``u'`` is the year's
        reach uniform (drawn every January, whatever is approved) shifted by a
        project-specific offset, so the amount of random numbers drawn never depends
        on the policy.
        """
        f = self.families
        rows = np.flatnonzero(f.alive & (f.region == proj.region))
        if rows.size == 0:
            return
        need = f.need[rows]
        zn = (need - need.mean()) / (need.std() + 1e-9)
        w = np.exp(self.params.projects.targeting * zn)
        offset = (proj.ident * GOLDEN) % 1.0
        uu = (u[rows] + offset) % 1.0
        key = -np.log(np.maximum(uu, 1e-12)) / w
        k = min(proj.reach, rows.size)
        chosen = rows[np.argpartition(key, k - 1)[:k]] if k > 0 else rows[:0]
        proj.members = chosen
        proj.generations = f.generation[chosen].copy()

    # ------------------------------------------------------------------ demography
    def _demography(self) -> None:
        f = self.families
        rng = self.streams.demography
        u_spacing = rng.random(f.capacity, dtype=np.float32)
        leaving = f.age_one_month(u_spacing)
        if leaving.size:
            active = leaving[f.case_type[leaving] >= 0]
            self.recorder.count_ends(active, np.full(active.size, END_EXIT))
            self.recorder.count_withdrawn(leaving[f.wait_type[leaving] >= 0])
            f.end(active)
            f.remove(leaving)
        target = round(self.n_families_start * self._population_growth())
        n_new = max(target - int(np.count_nonzero(f.alive)), 0)
        if n_new:
            f.place(self._arrivals(n_new), f.free_rows(n_new))

    def _population_growth(self) -> float:
        """Growth factor of the number of families at the end of this month.

        The synthesised population is the one of the first reported month: during
        the burn-in the number of families stays constant (leaving families are
        replaced), and it grows by ``population.growth_per_year`` from the first
        reported month on. A burn-in is a device to build up the stock of running
        helps, not history; had the population grown in it, a longer burn-in would
        have reported a larger Kreis.
        """
        reported = max(self.month_abs + 1 - self.params.burn_in_months, 0)
        return (1.0 + self.params.population.growth_per_year) ** (reported / 12.0)

    def _arrivals(self, n: int) -> NewFamilies:
        """The next ``n`` newly founded families (a first child is born).

        Arrivals are drawn in batches of about a year's worth from the demography
        stream (fewer, larger draws); their number never depends on the policy.
        """
        pool = self._arrival_pool
        if pool is None or self._arrival_pos + n > pool.region.size:
            size = max(n * 12, 256)
            rng = self.streams.demography
            mun = np.searchsorted(self.mun_cum, rng.random(size), side="right")
            mun = np.minimum(mun, self.mun_cum.size - 1)
            pool = self._arrival_pool = draw_families(self.params, size, mun, rng, newborn=True)
            self._arrival_pos = 0
        sl = slice(self._arrival_pos, self._arrival_pos + n)
        self._arrival_pos += n
        return NewFamilies(**{k: getattr(pool, k)[sl] for k in NewFamilies.__dataclass_fields__})

    # ------------------------------------------------------------------ counselling
    def _counselling(self) -> None:
        """Sozialraumbüros admit families seeking counselling up to their capacity."""
        f = self.families
        c = self.params.counselling
        u = self.streams.counselling.random((2, f.capacity), dtype=np.float32)
        in_counselling, seekers = f.counselling_month(u[0], self.n_regions)
        if seekers.size == 0:
            return
        busy = in_counselling * c.appointments_per_family_month
        free_slots = np.floor(
            np.maximum(self.counselling_capacity - busy, 0) / c.appointments_per_family_month
        ).astype(np.int64)
        # per region the seekers in the order of their draw, up to its free slots
        admitted = kernels.admit_in_order(seekers, f.region, u[1], free_slots)
        f.start_counselling(admitted)
        self.recorder.count_counselling(admitted)

    # ------------------------------------------------------------------ cases
    def _reviews(self) -> None:
        f = self.families
        reviewed, rows, reason, first = f.review_month()
        self.recorder.count_reviews(reviewed)
        self._provider_proposals(first)
        if rows.size == 0:
            return
        self.recorder.count_ends(rows, reason)
        esc = rows[reason == END_ESCALATION]
        targets = f.h_escalates[f.case_type[esc]]
        f.end(rows)
        self._grant(esc, targets.astype(np.int16), escalated=True)

    def _provider_proposals(self, first: np.ndarray) -> None:
        """At a help's first Hilfeplan review the provider proposes the rest of it.

        The Jugendamt sets type, planned duration and intensity at the grant (§36);
        the provider influences them only through its proposal at the first review
        (after ``review_interval_months``), which the ASD accepts. With
        responsiveness r and savings signal s (at the time of the review, with the
        controlling's pressure), an FLS-billed help that continues gets

        ``remaining duration × (1 − r·cut·s)(1 + r·ext·(1 − s))`` (at least a month) and
        ``FLS per week × (1 − r·icut·s)``

        (``provider.savings_duration_cut``, ``per_hour_extension``,
        ``savings_intensity_cut``). Helps shorter than the review interval, and
        day-rate helps, keep their Hilfeplan.

        Args:
            first: Rows of the families whose help had its first review this month
                and continues (:meth:`FamilyTable.review_month`).
        """
        f = self.families
        rows = first
        if rows.size == 0:
            return
        rows = rows[self.h_is_fls[f.case_type[rows]]]
        pp = self.params.provider
        r = pp.responsiveness
        if rows.size == 0 or r == 0:
            return
        pot = f.case_pot[rows].astype(np.int64)
        s = self.savings_signal(pot, f.region[rows])
        if self.budget.incentive_recipients == "lead_provider":
            # only a recipient has a reason to save: the Sozialraumträger's helps
            lead = f.case_provider[rows] == self.lead_provider[f.region[rows]]
            s = np.where((pot == R2) & ~lead, 0.0, s)
        shorter = 1.0 - r * pp.savings_duration_cut * s
        factor = shorter * (1.0 + r * pp.per_hour_extension * (1.0 - s))
        months = f.case_months[rows].astype(np.int64)
        remaining = np.maximum(f.case_planned[rows].astype(np.int64) - months, 0)
        proposed = np.where(remaining > 0, np.maximum(1, np.ceil(remaining * factor)), 0)
        f.case_planned[rows] = np.minimum(months + proposed, np.iinfo(np.int16).max)
        f.case_fls[rows] = f.case_fls[rows] * (1.0 - r * pp.savings_intensity_cut * s)

    def _recognition(self) -> None:
        f = self.families
        u = self.streams.recognition.random((2, f.capacity), dtype=np.float32)
        known, crisis = f.recognise(u[0], u[1])
        u_type = self.streams.assessment.random(f.capacity, dtype=np.float32)
        if crisis.size and self.crisis_type is not None:
            interrupted = crisis[f.case_type[crisis] >= 0]
            self.recorder.count_ends(interrupted, np.full(interrupted.size, END_ESCALATION))
            self.recorder.count_escalations(interrupted)
            f.end(interrupted)
            self.recorder.count_withdrawn(crisis[f.wait_type[crisis] >= 0])
            f.clear_wait(crisis)
            self._grant(
                crisis, np.full(crisis.size, self.crisis_type, dtype=np.int16), escalated=False
            )
        if known.size:
            types = f.choose_help(known, u_type)
            self._grant(known, types, escalated=False)

    def regional2_stake(self) -> float:
        """Share of a carried help's bill that regional budget 2 pays.

        ``pro_rata``: the share of the ambulatory funds given to the regions; so a
        region keeps (or loses) that share of every euro its helps cost less (or
        more). ``first_come``: the whole bill, while the money lasts.
        """
        if self.budget.regional2_payment == "first_come":
            return 1.0
        return float(self.budget.regional2_share)

    def savings_signal(self, pot: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Per case: how strongly its providers are rewarded for saving (0..1).

        For a help of regional budget 2 in region r with controlling pressure p_r
        (:meth:`Jugendamt.controlling`), scheme signal g (the scheme's reward for a
        euro saved in the pot) and stake a (:meth:`regional2_stake`, the share of the
        help's bill that regional budget 2 pays):

        ``s = clip(a · (g · (1 + p_r) + c · p_r), 0, 1)``

        with c = ``provider.controlling_signal``: the Jugendamt's controlling asks the
        region's providers to save when the region is forecast to overrun its
        regional budget 2, with or without a reward; the larger the share of the
        bills the region answers for, the more that request weighs. Helps of the
        other pots get the scheme's signal alone (no controlling of those pots).
        """
        base = np.array([self.scheme.savings_signal(k) for k in range(len(POTS))])
        p = self.jugendamt.pressure[region]
        s = base[pot] * (1.0 + p)
        r2 = pot == R2
        if r2.any():
            c = self.params.provider.controlling_signal
            s[r2] = self.regional2_stake() * (s[r2] + c * p[r2])
        return np.clip(s, 0.0, 1.0)

    def _hand_over(self) -> None:
        """The reform date: regional budget 2 takes over the helps it carries.

        With scope ``running`` (and ``lead_provider``: those of the region's
        Sozialraumträger) every help of a regional-budget-2 type that is running or
        granted and waiting moves to regional budget 2, so the first reform year
        carries the same helps as the second. With ``new_grants`` nothing moves.
        """
        b = self.budget
        if b.regional2_share <= 0 or b.regional2_scope == "new_grants":
            return
        f = self.families
        run = np.flatnonzero(f.active)
        run = run[self.h_r2[f.case_type[run]]]
        if b.regional2_scope == "lead_provider":
            run = run[f.case_provider[run] == self.lead_provider[f.region[run]]]
        f.case_pot[run] = R2
        wait = np.flatnonzero(f.waiting)
        f.wait_pot[wait[self.h_r2[f.wait_type[wait]]]] = R2

    def _grant(self, rows: np.ndarray, types: np.ndarray, escalated: bool) -> None:
        """The Jugendamt grants a help to every family in ``rows`` (never refused).

        Funding pot: once there is a regional budget 2 (``regional2_share`` > 0), every
        help of a regional-budget-2 type is carried by the region's regional budget 2
        (which pays its part of the bills, see :meth:`_billing`), every other help by
        the central budget; with scope ``lead_provider`` a carried help that does not
        start with the region's Sozialraumträger returns to the central budget
        (:meth:`_assign_providers`). The Hilfeplan: planned duration exponential with
        the type's mean, FLS per week uniform within ± ``intensity_spread`` of the
        type's mean. Providers influence the rest of a help only at its first review
        (:meth:`_provider_proposals`).
        """
        if rows.size == 0:
            return
        f = self.families
        u = self._u_cases
        types = self._offer_group_places(rows, types)
        # the pot per help type: regional budget 2 for its types once it exists
        pot = (self._pot_r2 if self.budget.regional2_share > 0 else self._pot_central)[types]
        pp = self.params.provider
        fls_case = self.h_is_fls[types]
        base = -np.log1p(-np.minimum(u[1][rows], 1 - 1e-12)) * self.h_duration[types]
        planned = np.maximum(1, np.ceil(base)).astype(np.int16)
        fls = self.h_fls[types] * (1.0 + pp.intensity_spread * (2.0 * u[2][rows] - 1.0))
        f.grant(rows, types, pot, planned, np.where(fls_case, fls, 0.0), escalated)
        self.recorder.count_grants(rows, types, escalated)

    def _offer_group_places(self, rows: np.ndarray, types: np.ndarray) -> np.ndarray:
        """Grants that take a free place in their region's group offer instead.

        A grant of a help the group offer can replace (``group_offer_replaces``) and
        regional budget 2 carries becomes a group place when the Hilfeplan finds the
        group fitting (the family's draw of the ``groups`` stream below
        ``group_offer_fit``) and its region has a free place: the region's places
        (:meth:`_open_group_places`) less the group helps that run or wait there,
        taken in the order of ``rows``. The family's entitlement is the same; only the
        form of the help changes.

        Returns:
            The help types, with the group type where a place was taken.
        """
        g = self.group_type
        if self._u_group is None:  # no region has places this year
            return types
        fit = self.params.help_types[g].group_offer_fit
        cand = np.flatnonzero(self.h_replaceable[types] & (self._u_group[rows] < fit))
        if cand.size == 0:
            return types
        f = self.families
        taken = (f.case_type == g) | (f.wait_type == g)
        free = self.group_places - np.bincount(f.region[taken], minlength=self.n_regions)
        reg = f.region[rows[cand]].astype(np.int64)
        rank = _sum_before(np.ones(cand.size, dtype=np.int64), reg, self.n_regions)
        out = types.copy()
        out[cand[rank < free[reg]]] = g
        return out

    def _case_fls_month(self, rows: np.ndarray) -> np.ndarray:
        """Staff hours per month a case takes of its provider's capacity.

        Its billed FLS times the region's staff hours per FLS.
        """
        f = self.families
        t = f.case_type[rows]
        hours = self.staff_hours_per_fls[f.region[rows]]
        return f.case_fls[rows] * WEEKS_PER_MONTH * hours / self.h_group[t]

    def _assign_providers(self) -> None:
        """Waiting families get a provider with free capacity (Wunsch- und Wahlrecht).

        Families who have waited longest go first, the rest in random order. Where
        ``provider.lead_referral_share`` > 0, a referral round to the region's
        Sozialraumträger comes first (:meth:`_refer_to_lead`). Then, in up to
        ``CHOICE_ROUNDS`` rounds, each family still waiting for an FLS-billed help
        chooses among the providers of its region (and those active in every region)
        whose free capacity covers its hours, with probability proportional to their
        attractiveness; a provider takes its choosers in priority order as long as
        its capacity lasts, the others choose again in the next round. Day- and
        place-based helps take free places of the stationary market in priority
        order; other day-rate helps (§35a, §41, §42) are not limited by places, an
        Inobhutnahme starts at once. Whoever finds no provider keeps waiting; their
        hours count as demand that providers see when they plan staff.
        """
        f = self.families
        referral = self.params.provider.lead_referral_share
        u = self.streams.choice.random((3 if referral > 0 else 2, f.capacity), dtype=np.float32)
        # per provider the hours its active cases take (as np.bincount of
        # _case_fls_month over the active rows), the waiting rows, the placed helps
        used, waiting, n_in_places = kernels.case_load(
            f.case_type,
            f.case_provider,
            f.case_fls,
            f.region,
            f.wait_type,
            self.staff_hours_per_fls,
            self.h_group,
            self.h_placed,
            WEEKS_PER_MONTH,
            len(self.providers),
        )
        for p in self.providers:
            p.used_fls = float(used[p.index]) if p.ambulant else 0.0
            p.demand_fls = 0.0
        if waiting.size == 0:
            return
        waiting = waiting[np.lexsort((u[0][waiting], -f.wait_months[waiting]))]
        types = f.wait_type[waiting]
        hours = self.staff_hours_per_fls[f.region[waiting]]
        fls_need = f.wait_fls[waiting] * WEEKS_PER_MONTH * hours / self.h_group[types]
        chosen = np.full(waiting.size, -1, dtype=np.int64)

        amb, serves, attract, lead_col = self._ambulant_market()
        if amb:
            amb_index, attract_ok = self._market_index, self._market_attract_ok
            free = np.array([p.capacity_fls() - p.used_fls for p in amb])
            cand = np.flatnonzero(self.h_is_fls[types])
            options = serves[f.region[waiting[cand]]]
            group = np.flatnonzero(types[cand] == self.group_type)
            if group.size:
                lead = lead_col[f.region[waiting[cand[group]]]]
                group, lead = group[lead >= 0], lead[lead >= 0]
                options[group] = False  # the group offer is the Sozialraumträger's
                options[group, lead] = True
            turned_away = (
                self._refer_to_lead(
                    amb, lead_col, waiting, cand, u[2], referral, fls_need, free, chosen
                )
                if referral > 0
                else np.zeros(len(amb))
            )
            if cand.size:
                if attract_ok:
                    kernels.choice_rounds(
                        cand,
                        waiting,
                        fls_need,
                        options,
                        attract,
                        free,
                        chosen,
                        u[1],
                        amb_index,
                        CHOICE_ROUNDS,
                        GOLDEN,
                    )
                else:  # weights the kernel does not take: the whole-array rounds
                    _choice_rounds(
                        cand, waiting, fls_need, options, attract, free, chosen, u[1], amb_index
                    )
            open_ = chosen[cand] < 0
            if open_.any():
                unserved = cand[open_]
                demand = options[open_] * fls_need[unserved, None]
                demand = demand / np.maximum(options[open_].sum(axis=1), 1)[:, None]
                for j, p in enumerate(amb):
                    p.used_fls = p.capacity_fls() - free[j]
                    p.demand_fls = float(demand[:, j].sum() + turned_away[j])
            else:  # no unserved demand: a sum over no rows is 0.0
                for j, p in enumerate(amb):
                    p.used_fls = p.capacity_fls() - free[j]
                    p.demand_fls = float(0.0 + turned_away[j])

        stationary = [p for p in self.providers if not p.ambulant and p.active]
        daily = np.flatnonzero(~self.h_is_fls[types])
        if stationary and daily.size:
            placed = self.h_placed[types[daily]]
            u21 = float(self.under21_by_region().sum())
            places = self.params.provider.stationary_places_per_1000_u21 * u21 / 1000.0
            n_free = max(int(places - float(n_in_places)), 0)
            take = np.concatenate([daily[~placed], daily[placed][:n_free]])
            pick = (u[1][waiting[take]] * len(stationary)).astype(int)
            pick = np.minimum(pick, len(stationary) - 1)
            chosen[take] = np.array([p.index for p in stationary])[pick]

        started = chosen >= 0
        if started.any():
            rows = waiting[started]
            self.recorder.count_starts(rows)
            f.start(rows, chosen[started].astype(np.int16))
            if self.budget.regional2_scope == "lead_provider":
                other = f.case_provider[rows] != self.lead_provider[f.region[rows]]
                back = rows[other & (f.case_pot[rows] == R2)]
                f.case_pot[back] = CENTRAL
        f.tick_waiting(waiting[~started])

    def _refer_to_lead(
        self,
        amb: list[Provider],
        lead_col: np.ndarray,
        waiting: np.ndarray,
        cand: np.ndarray,
        u: np.ndarray,
        share: float,
        fls_need: np.ndarray,
        free: np.ndarray,
        chosen: np.ndarray,
    ) -> np.ndarray:
        """Referral round before the free choice (``provider.lead_referral_share``).

        Each waiting family of an FLS-billed help (positions ``cand`` in ``waiting``)
        whose region has an active lead provider (its position in ``amb``:
        ``lead_col``) is referred to it with probability ``share`` (its own draw
        ``u``). The lead takes its referred families by
        :func:`_take_in_order`; those it cannot take choose freely afterwards.
        ``free`` and ``chosen`` are updated.

        Returns:
            Per provider of ``amb``: the hours it turned away (its demand when it
            plans staff).
        """
        lead = lead_col[self.families.region[waiting[cand]]]
        referred = (u[waiting[cand]] < share) & (lead >= 0)
        turned_away = np.zeros(len(amb))
        for j in np.unique(lead[referred]):
            claim = cand[referred & (lead == j)]
            ok = _take_in_order(claim, j, amb[j].index, fls_need, free, chosen)
            turned_away[j] = float(fls_need[claim[~ok]].sum())
        return turned_away

    def _ambulant_market(self) -> tuple[list[Provider], np.ndarray, np.ndarray, np.ndarray]:
        """The ambulatory market: active providers and what the choice needs of them.

        Returns the active ambulatory providers, which regions each serves, their
        attractiveness, and per region the position of its Sozialraumträger among
        them (-1: none active). Cached until a provider leaves the market, with the
        providers' indices (``_market_index``) and whether every attractiveness is
        finite and not negative (``_market_attract_ok``: the compiled choice applies).
        """
        key = tuple(p.active for p in self.providers)
        if self._market_key != key:
            amb = [p for p in self.providers if p.ambulant and p.active]
            serves = np.array(
                [[self.serves(p, r) for p in amb] for r in range(self.n_regions)], dtype=bool
            ).reshape(self.n_regions, len(amb))
            attract = np.array([p.attractiveness for p in amb], dtype=float)
            col = {p.index: j for j, p in enumerate(amb)}
            lead_col = np.array([col.get(int(i), -1) for i in self.lead_provider], dtype=np.int64)
            self._market = (amb, serves, attract, lead_col)
            self._market_index = np.array([p.index for p in amb], dtype=np.int64)
            self._market_attract_ok = bool(np.all(attract >= 0) and np.all(np.isfinite(attract)))
            self._market_key = key
        return self._market

    def serves(self, provider: Provider, region: int) -> bool:
        """Whether a provider is active in a region (index)."""
        served = self._served[provider.index]
        if served is None:
            return provider.region in (region, -1)
        return region in served

    def on_provider_exit(self, provider: Provider) -> None:
        """A provider leaves the market; its running helps move on.

        Each running help moves to the provider with most free capacity in the same
        region: a running help is never interrupted.
        """
        f = self.families
        rows = np.flatnonzero(f.active & (f.case_provider == provider.index))
        for row in rows:
            region = f.region[row]
            cands = [
                p
                for p in self.providers
                if p.active and p.ambulant == provider.ambulant and self.serves(p, region)
            ]
            if not cands:
                cands = [p for p in self.providers if p.active]
            best = max(cands, key=lambda p: p.capacity_fls() - p.used_fls)
            f.case_provider[row] = best.index
            if (
                self.budget.regional2_scope == "lead_provider"
                and f.case_pot[row] == R2
                and best.index != self.lead_provider[region]
            ):
                f.case_pot[row] = CENTRAL  # regional budget 2 carries only its helps
            best.used_fls += float(self._case_fls_month(np.array([row]))[0])

    # ------------------------------------------------------------------ money
    def _billing(self) -> None:
        """Book the month's payments: helps, Sozialraumbüros, projects, flat budgets.

        The bound budget pays the Sozialraumbüros in twelve monthly instalments (to
        each office's Träger, which books them as transfers) and
        the Sozialraumkosten (``budget.coordination_hours``) in four instalments at
        the end of each quarter (Ulm §10(3)), both to the region's Sozialraumträger.
        """
        f = self.families
        m = self.month_abs
        moy = self.month_of_year
        ja = self.jugendamt
        fp = self.params.provider
        # per active help (row order): EUR = FLS · 52/12 · fls_rate / group size for
        # FLS-billed helps, daily rate · 365/12 else; rounded to whole cents
        cents, t, pot, region, prov, _, revenue_cents = kernels.case_bills(
            f.case_type,
            f.case_fls,
            f.case_pot,
            f.case_provider,
            f.region,
            self.h_is_fls,
            self.h_group,
            self.h_rate,
            fp.fls_rate,
            WEEKS_PER_MONTH,
            DAYS_PER_MONTH,
            len(self.providers),
        )
        item = self.item_of_type[t]
        carried = pot == R2
        any_carried = bool(carried.any())
        if any_carried:
            regional = self._regional2_part(cents, region, carried, t == self.group_type)
            np.add.at(self._r2_delivered, (region[carried], prov[carried]), cents[carried])
            central = cents - regional
        flat = R2 in self.scheme.flat_pots()
        if any_carried:
            keep = ~carried
            r_c, i_c, p_c = region[carried], item[carried], prov[carried]
            lines = [(region[keep], pot[keep], item[keep], prov[keep], cents[keep])]
            parts = [(CENTRAL, central[carried])]
            if not flat:
                parts.append((R2, regional[carried]))
            for k, part in parts:
                some = part != 0  # a split part of nothing is no booking
                lines.append((r_c[some], np.full(some.sum(), k), i_c[some], p_c[some], part[some]))
            cols = [np.concatenate(c) for c in zip(*lines, strict=True)]
            self.ledger.book(m, cols[0], cols[1], cols[2], cols[3], "case", cols[4])
        else:
            self.ledger.book(m, region, pot, item, prov, "case", cents)
        revenue = revenue_cents / 100.0
        for p in self.providers:
            p.revenue += revenue[p.index]
        if flat and any_carried:  # the Sozialraumträger pays its part out of the flat budget
            lead = self.lead_provider[region[carried]]
            owed = np.bincount(
                lead[lead >= 0],
                weights=regional[carried][lead >= 0],
                minlength=len(self.providers),
            )
            for p in self.providers:
                p.transfers -= owed[p.index] / 100.0
        # bound budget: Sozialraumbüro funding in twelve exact instalments, to the
        # office's Träger (without offices: to the region's Sozialraumträger)
        if self.offices:
            office = _instalment(ja.office_budget, moy, 12)
            self.ledger.book(
                m,
                self.office_region,
                BOUND,
                self.office_item,
                self.office_provider,
                "office",
                office,
            )
            for o in self.offices:
                self.providers[o.provider].transfers += office[o.index] / 100.0
        else:
            office = _instalment(ja.allocation[:, BOUND] - ja.coordination, moy, 12)
            self.ledger.book(
                m,
                np.arange(self.n_regions),
                BOUND,
                self.office_item,
                self.lead_provider,
                "office",
                office,
            )
        # bound budget: Sozialraumkosten, billed at the end of each quarter
        if moy % 3 == 0 and ja.coordination.any():
            self.ledger.book(
                m,
                np.arange(self.n_regions),
                BOUND,
                self.ledger.item_id("sozialraumkosten"),
                self.lead_provider,
                "office",
                _instalment(ja.coordination, moy // 3, 4),
            )
        # flat budgets: quarterly instalments to the Sozialraumträger
        if moy in (1, 4, 7, 10):
            q = (moy - 1) // 3 + 1
            for k in self.scheme.flat_pots():
                avail = ja.allocation[:, k] + ja.carry_in[:, k]
                amount = _instalment(avail, q, 4)
                self.ledger.book(
                    m,
                    np.arange(self.n_regions),
                    k,
                    self.flat_item,
                    self.lead_provider,
                    "flat",
                    amount,
                )
                for r in range(self.n_regions):
                    if self.lead_provider[r] >= 0:
                        self.providers[self.lead_provider[r]].transfers += amount[r] / 100.0
        # projects: monthly cost from regional budget 1 (one line per project)
        running = [(body.region, p) for body in self.bodies for p in body.active_projects(m)]
        if running:
            self.ledger.book(
                m,
                np.array([r for r, _ in running]),
                R1,
                np.array([self.ledger.item_id(f"projekt_{p.ident}") for _, p in running]),
                np.array([p.provider for _, p in running]),
                "project",
                np.array([round(p.cost_year * 100 / 12) for _, p in running]),
            )

    def _regional2_part(
        self, cents: np.ndarray, region: np.ndarray, carried: np.ndarray, group: np.ndarray
    ) -> np.ndarray:
        """Per bill: the cents regional budget 2 pays this month (0 if not carried).

        ``pro_rata``: the stake (:meth:`regional2_stake`) of each carried bill,
        ``first_come``: the whole bill; a place in the group offer (``group``) the
        region funds in full either way. With exhaustion ``central`` (and no flat
        budget) a region pays only while its money lasts: bills in row order until
        the region's remaining regional budget 2 is used up, the bill that crosses
        the line in part; the central budget pays the rest. With ``next_year`` (or a
        flat budget, whose Sozialraumträger carries the risk) it always pays its part.
        """
        part = np.zeros_like(cents)
        if not carried.any():
            return part
        stake = np.where(group[carried], 1.0, self.regional2_stake())
        want = np.rint(cents[carried] * stake).astype(np.int64)
        if self.budget.regional2_exhaustion == "central" and R2 not in self.scheme.flat_pots():
            ja = self.jugendamt
            left = ja.allocation[:, R2] + ja.carry_in[:, R2] - self.ledger.running[:, R2]
            left = np.maximum(left, 0)
            reg = region[carried]
            before = _sum_before(want, reg, self.n_regions)
            paid = np.clip(left[reg] - before, 0, want)
            np.add.at(self._r2_overflow, reg, want - paid)
            want = paid
        part[carried] = want
        return part

    def _q1_review(self) -> None:
        """Regional bodies review their projects; observations are noisy."""
        pp = self.params.projects
        n_max = math.ceil(pp.proposals_per_region * self.params.scale * MAX_PROPOSAL_FACTOR) + 3
        years = math.ceil(max(pp.duration_months) / 12)
        for body in self.bodies:
            # one draw for every project a region can have running (fixed amount)
            noise = self.streams.projects.normal(0.0, pp.effect_sd, n_max * (years + 1))
            body.review(self.month_abs, noise)

    def incentive_shares(self) -> np.ndarray:
        """Per region and provider: the share of incentive money each receives (rows sum to 1).

        ``budget.incentive_recipients``: ``lead_provider``: the region's
        Sozialraumträger; ``delivered_share``: every provider in proportion to what it
        billed this year for the helps regional budget 2 carries in the region (the
        Sozialraumträger if none); ``regional_body``: no provider (the money goes to
        the region's regional budget 1, see :meth:`_close_year`).
        """
        n_prov = len(self.providers)
        shares = np.zeros((self.n_regions, n_prov))
        rule = self.budget.incentive_recipients
        if rule == "regional_body":
            return shares
        for r in range(self.n_regions):
            delivered = self._r2_delivered[r].astype(float)
            if rule == "delivered_share" and delivered.sum() > 0:
                shares[r] = delivered / delivered.sum()
            elif self.lead_provider[r] >= 0:
                shares[r, self.lead_provider[r]] = 1.0
        return shares

    def _pay_incentive(self, cents: np.ndarray, kind: str) -> None:
        """Book a bonus (paid) or malus (charged) per region to its recipients.

        Each region's amount is split in whole cents by :meth:`incentive_shares`
        (largest remainder); a region without a recipient pays nothing.
        """
        if not cents.any():
            return
        shares = self.incentive_shares()
        sign = 1 if kind == "bonus" else -1
        for r in np.flatnonzero(cents):
            if shares[r].sum() <= 0:
                continue
            parts = split_cents(int(cents[r]), shares[r])
            who = np.flatnonzero(parts)
            self.ledger.book(
                self.month_abs, r, R2, self.incentive_item, who, kind, sign * parts[who]
            )
            for i in who:
                self.providers[i].reserves += sign * parts[i] / 100.0

    def _close_year(self) -> None:
        """December: bonus/malus, then the scheme settles every balance."""
        ja = self.jugendamt
        closing = Closing(
            allocation=ja.allocation.copy(),
            carry_in=ja.carry_in.copy(),
            spent=self.ledger.running.copy(),
            regional2_overflow=self._r2_overflow.copy(),
        )
        bonus, malus = self.scheme.incentive_payments(closing)
        to_body = self.budget.incentive_recipients == "regional_body"
        if not to_body:
            self._pay_incentive(bonus, "bonus")
            self._pay_incentive(malus, "malus")
        closing.spent = self.ledger.running.copy()
        closing.bonus, closing.malus = bonus, malus
        self.scheme.settle(closing)
        if to_body:
            # the region's regional body gets the bonus (and bears the malus) in
            # next year's regional budget 1; the Kreis' result changes accordingly
            net = bonus - malus
            closing.result[:, R2] -= net
            closing.carry_out[:, R2] += net
            closing.next_carry_in[:, R1] += net
        if self.budget.regional2_exhaustion == "next_year":
            # the overrun of regional budget 2 is deducted from next year's
            deficit = np.minimum(closing.result[:, R2], 0)
            closing.result[:, R2] -= deficit
            closing.carry_out[:, R2] += deficit
            closing.next_carry_in[:, R2] += deficit
        ja.carry_in = closing.next_carry_in.copy()
        ja.last_spent = closing.cost  # the history key follows cost, not the capped booking
        ja.closings.append((self.year_index, closing))
        self.recorder.record_year(closing)


def _instalment(total: np.ndarray, k: int, n: int) -> np.ndarray:
    """The k-th of n instalments (1-based) of whole-cent totals; they add up exactly.

    >>> [int(_instalment(np.array([100]), k, 3)[0]) for k in (1, 2, 3)]
    [33, 33, 34]
    """
    total = np.asarray(total, dtype=np.int64)
    return (total * k) // n - (total * (k - 1)) // n
