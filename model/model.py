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

from model import reporters
from model.agents import BOUND, CENTRAL, R1, R2, Jugendamt, Project, Provider, RegionalBody
from model.families import (
    END_ESCALATION,
    END_EXIT,
    FamilyTable,
)
from model.incentives import Closing, IncentiveScheme, make_scheme
from model.ledger import Ledger
from model.params import POTS, BudgetParams, IncentiveParams, ModelParams
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
        self.h_r2 = np.array(
            [h.regional2_eligible if r2_codes is None else h.code in r2_codes for h in ht]
        )
        self.h_stationary = np.array([h.setting == "stationaer" for h in ht])
        self.h_placed = np.array([h.setting in ("teilstationaer", "stationaer") for h in ht])
        self.crisis_type = next((i for i, h in enumerate(ht) if h.trait == "crisis"), None)

        # population
        fam0 = initial_families(params, self.streams.population)
        n0 = fam0.region.size
        self.n_families_start = n0
        growth = (1.0 + params.population.growth_per_year) ** (self.total_months / 12.0)
        capacity = math.ceil(n0 * max(growth, 1.0) * 1.08) + 64
        self.families = self._make_families(capacity)
        self.families.place(fam0, np.arange(n0))
        _, mun_pop, _ = municipality_table(params)
        self.mun_cum = np.cumsum(mun_pop) / mun_pop.sum()
        self._market_key: tuple[bool, ...] | None = None
        self._market: tuple[list[Provider], np.ndarray, np.ndarray] = (
            [],
            np.zeros((0, 0)),
            np.zeros(0),
        )
        self._reach_set = True
        self._arrival_pool: NewFamilies | None = None
        self._arrival_pos = 0

        # agents
        self.jugendamt = Jugendamt(self)
        self.bodies = [RegionalBody(self, r) for r in range(self.n_regions)]
        names = params.region_names
        self.providers: list[Provider] = []
        for i, spec in enumerate(params.providers):
            region = names.index(spec.region) if spec.region is not None else -1
            self.providers.append(Provider(self, spec, i, region))
        self.lead_provider = np.full(self.n_regions, -1, dtype=np.int64)
        """Per region: index of the Sozialraumträger that leads it (-1: none); the
        first listed provider wins."""
        for p, spec in zip(self.providers, params.providers, strict=True):
            if p.role != "sozialraumtraeger":
                continue
            if spec.lead_regions:
                led = [names.index(n) for n in spec.lead_regions]
            else:
                led = [p.region] if p.region >= 0 else []
            for r in led:
                if self.lead_provider[r] < 0:
                    self.lead_provider[r] = p.index
        self.ledger = Ledger(names, [p.name for p in self.providers])
        self.item_of_type = np.array([self.ledger.item_id(h.code) for h in ht])
        self.office_item = self.ledger.item_id("sozialraumbuero")
        self.flat_item = self.ledger.item_id("pauschalbudget")
        self.incentive_item = self.ledger.item_id("anreiz")

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
            self._u21 = np.bincount(f.region, weights=f.under21(), minlength=self.n_regions)
            self._u21_month = self.month_abs
        return self._u21

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month."""
        if self.month_abs == self.params.burn_in_months > 0:
            if not self._policy_on:
                self._set_policy(active=True)
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
            spent = (self.ledger.running).astype(float)
            self.jugendamt.controlling(moy, spent)
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
        self.ledger.reset_running()
        self.recorder.open_year()
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
            local = [i for i in candidates if self.providers[i].region in (r, -1)]
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
            active = leaving[f.active[leaving]]
            self.recorder.count_ends(active, np.full(active.size, END_EXIT))
            f.end(active)
            f.remove(leaving)
        growth = (1.0 + self.params.population.growth_per_year) ** ((self.month_abs + 1) / 12.0)
        target = round(self.n_families_start * growth)
        n_new = max(target - int(f.alive.sum()), 0)
        if n_new:
            f.place(self._arrivals(n_new), f.free_rows(n_new))

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
        f.tick_counselling()
        busy = (
            np.bincount(f.region[f.counsel_left > 0], minlength=self.n_regions)
            * c.appointments_per_family_month
        )
        free_slots = np.floor(
            np.maximum(self.counselling_capacity - busy, 0) / c.appointments_per_family_month
        ).astype(np.int64)
        seekers = f.counselling_demand(u[0])
        if seekers.size == 0:
            return
        order = np.lexsort((u[1][seekers], f.region[seekers]))
        seekers = seekers[order]
        reg = f.region[seekers]
        first = np.searchsorted(reg, np.arange(self.n_regions))
        rank = np.arange(seekers.size) - first[reg]
        admitted = seekers[rank < free_slots[reg]]
        f.start_counselling(admitted)
        self.recorder.count_counselling(admitted)

    # ------------------------------------------------------------------ cases
    def _reviews(self) -> None:
        f = self.families
        on = f.active
        due = on & ((f.case_months + 1) % self.params.review_interval_months == 0)
        self.recorder.count_reviews(np.flatnonzero(due))
        rows, reason = f.review()
        if rows.size == 0:
            return
        self.recorder.count_ends(rows, reason)
        esc = rows[reason == END_ESCALATION]
        targets = f.h_escalates[f.case_type[esc]]
        f.end(rows)
        self._grant(esc, targets.astype(np.int16), escalated=True)

    def _recognition(self) -> None:
        f = self.families
        u = self.streams.recognition.random((2, f.capacity), dtype=np.float32)
        known, crisis = f.recognise(u[0], u[1])
        u_type = self.streams.assessment.random(f.capacity, dtype=np.float32)
        if crisis.size and self.crisis_type is not None:
            interrupted = crisis[f.active[crisis]]
            self.recorder.count_ends(interrupted, np.full(interrupted.size, END_ESCALATION))
            self.recorder.count_escalations(interrupted)
            f.end(interrupted)
            f.clear_wait(crisis)
            self._grant(
                crisis, np.full(crisis.size, self.crisis_type, dtype=np.int16), escalated=False
            )
        if known.size:
            types = f.choose_help(known, u_type)
            self._grant(known, types, escalated=False)

    def savings_signal(self, pot: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Per case: how strongly its providers are rewarded for saving (0..1)."""
        base = np.array([self.scheme.savings_signal(k) for k in range(len(POTS))])
        s = base[pot] * (1.0 + self.jugendamt.pressure[region])
        return np.clip(s, 0.0, 1.0)

    def _grant(self, rows: np.ndarray, types: np.ndarray, escalated: bool) -> None:
        """The Jugendamt grants a help to every family in ``rows`` (never refused).

        Funding pot: a help of a regionalisable type goes to regional budget 2 with
        probability ``regional2_share`` (the share of the ambulatory funds given to the
        regions), else to the central budget. Planned duration: exponential with the
        type's mean; FLS per week: uniform within ± ``intensity_spread`` of the type's
        mean. Provider
        behaviour: with responsiveness r and savings signal s, FLS-billed helps get
        duration × (1 - r·cut·s)(1 + r·ext·(1 - s)) and intensity × (1 - r·icut·s).
        """
        if rows.size == 0:
            return
        f = self.families
        u = self._u_cases
        share = self.budget.regional2_share
        pot = np.where(self.h_r2[types] & (u[0][rows] < share), R2, CENTRAL).astype(np.int8)
        region = f.region[rows]
        pp = self.params.provider
        r = pp.responsiveness
        s = self.savings_signal(pot, region)
        fls_case = self.h_is_fls[types]
        dur_factor = np.where(
            fls_case,
            (1.0 - r * pp.savings_duration_cut * s) * (1.0 + r * pp.per_hour_extension * (1.0 - s)),
            1.0,
        )
        base = -np.log1p(-np.minimum(u[1][rows], 1 - 1e-12)) * self.h_duration[types]
        planned = np.maximum(1, np.ceil(base * dur_factor)).astype(np.int16)
        fls = (
            self.h_fls[types]
            * (1.0 + pp.intensity_spread * (2.0 * u[2][rows] - 1.0))
            * (1.0 - r * pp.savings_intensity_cut * s)
        )
        f.grant(
            rows, types, pot, planned, np.where(fls_case, fls, 0.0), np.full(rows.size, escalated)
        )
        self.recorder.count_grants(rows, types, escalated)

    def _case_fls_month(self, rows: np.ndarray) -> np.ndarray:
        """FLS per month a case takes of its provider's capacity."""
        f = self.families
        t = f.case_type[rows]
        return f.case_fls[rows] * WEEKS_PER_MONTH / self.h_group[t]

    def _assign_providers(self) -> None:
        """Waiting families get a provider with free capacity (Wunsch- und Wahlrecht).

        Families who have waited longest go first, the rest in random order. In up to
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
        u = self.streams.choice.random((2, f.capacity), dtype=np.float32)
        active = np.flatnonzero(f.active)
        prov = f.case_provider[active]
        n_prov = len(self.providers)
        used = np.bincount(prov, weights=self._case_fls_month(active), minlength=n_prov)
        for p in self.providers:
            p.used_fls = float(used[p.index]) if p.ambulant else 0.0
            p.demand_fls = 0.0
        waiting = np.flatnonzero(f.waiting)
        if waiting.size == 0:
            return
        waiting = waiting[np.lexsort((u[0][waiting], -f.wait_months[waiting]))]
        types = f.wait_type[waiting]
        fls_need = f.wait_fls[waiting] * WEEKS_PER_MONTH / self.h_group[types]
        chosen = np.full(waiting.size, -1, dtype=np.int64)

        amb, serves, attract = self._ambulant_market()
        if amb:
            free = np.array([p.capacity_fls() - p.used_fls for p in amb])
            cand = np.flatnonzero(self.h_is_fls[types])
            options = serves[f.region[waiting[cand]]]
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
                uu = (u[1][waiting[c]] + k * GOLDEN) % 1.0
                pick = np.minimum((uu[:, None] * cum[:, -1:] >= cum).sum(axis=1), len(amb) - 1)
                for j in np.unique(pick):
                    claim = c[pick == j]
                    total = np.cumsum(fls_need[claim])
                    ok = total <= free[j]
                    if ok.any():
                        chosen[claim[ok]] = amb[j].index
                        free[j] -= total[ok][-1]
            unserved = cand[chosen[cand] < 0]
            demand = options[chosen[cand] < 0] * fls_need[unserved, None]
            demand = demand / np.maximum(options[chosen[cand] < 0].sum(axis=1), 1)[:, None]
            for j, p in enumerate(amb):
                p.used_fls = p.capacity_fls() - free[j]
                p.demand_fls = float(demand[:, j].sum())

        stationary = [p for p in self.providers if not p.ambulant and p.active]
        daily = np.flatnonzero(~self.h_is_fls[types])
        if stationary and daily.size:
            placed = self.h_placed[types[daily]]
            u21 = float(self.under21_by_region().sum())
            places = self.params.provider.stationary_places_per_1000_u21 * u21 / 1000.0
            in_places = self.h_placed[f.case_type[active]]
            n_free = max(int(places - float(in_places.sum())), 0)
            take = np.concatenate([daily[~placed], daily[placed][:n_free]])
            pick = (u[1][waiting[take]] * len(stationary)).astype(int)
            pick = np.minimum(pick, len(stationary) - 1)
            chosen[take] = np.array([p.index for p in stationary])[pick]

        started = chosen >= 0
        if started.any():
            rows = waiting[started]
            self.recorder.count_starts(rows)
            f.start(rows, chosen[started].astype(np.int16))
        f.tick_waiting()

    def _ambulant_market(self) -> tuple[list[Provider], np.ndarray, np.ndarray]:
        """Active ambulatory providers, which regions each serves, and attractiveness.

        Cached until a provider leaves the market.
        """
        key = tuple(p.active for p in self.providers)
        if self._market_key != key:
            amb = [p for p in self.providers if p.ambulant and p.active]
            serves = np.array(
                [[p.region in (r, -1) for p in amb] for r in range(self.n_regions)], dtype=bool
            ).reshape(self.n_regions, len(amb))
            attract = np.array([p.attractiveness for p in amb], dtype=float)
            self._market = (amb, serves, attract)
            self._market_key = key
        return self._market

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
                if p.active and p.ambulant == provider.ambulant and p.region in (region, -1)
            ]
            if not cands:
                cands = [p for p in self.providers if p.active]
            best = max(cands, key=lambda p: p.capacity_fls() - p.used_fls)
            f.case_provider[row] = best.index
            best.used_fls += float(self._case_fls_month(np.array([row]))[0])

    # ------------------------------------------------------------------ money
    def _billing(self) -> None:
        """Book the month's payments: helps, Sozialraumbüros, projects, flat budgets.

        The bound budget pays the Sozialraumbüros in twelve monthly instalments and
        the Sozialraumkosten (``budget.coordination_hours``) in four instalments at
        the end of each quarter (Ulm §10(3)), both to the region's Sozialraumträger.
        """
        f = self.families
        m = self.month_abs
        moy = self.month_of_year
        ja = self.jugendamt
        fp = self.params.provider
        active = np.flatnonzero(f.active)
        t = f.case_type[active]
        eur = np.where(
            self.h_is_fls[t],
            f.case_fls[active] * WEEKS_PER_MONTH * fp.fls_rate / self.h_group[t],
            self.h_rate[t] * DAYS_PER_MONTH,
        )
        cents = np.rint(eur * 100).astype(np.int64)
        pot = f.case_pot[active].astype(np.int64)
        region = f.region[active].astype(np.int64)
        prov = f.case_provider[active].astype(np.int64)
        flat = np.isin(pot, self.scheme.flat_pots())
        self.ledger.book(
            m,
            region[~flat],
            pot[~flat],
            self.item_of_type[t[~flat]],
            prov[~flat],
            "case",
            cents[~flat],
        )
        revenue = np.bincount(prov, weights=cents, minlength=len(self.providers)) / 100.0
        for p in self.providers:
            p.revenue += revenue[p.index]
        if flat.any():  # the Sozialraumträger pays the helps out of its flat budget
            lead = self.lead_provider[region[flat]]
            owed = np.bincount(
                lead[lead >= 0], weights=cents[flat][lead >= 0], minlength=len(self.providers)
            )
            for p in self.providers:
                p.transfers -= owed[p.index] / 100.0
        # bound budget: Sozialraumbüro funding in twelve exact instalments
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
        # projects: monthly cost from regional budget 1
        for body in self.bodies:
            for proj in body.active_projects(m):
                c = round(proj.cost_year * 100 / 12)
                item = self.ledger.item_id(f"projekt_{proj.ident}")
                self.ledger.book(m, body.region, R1, item, proj.provider, "project", c)

    def _q1_review(self) -> None:
        """Regional bodies review their projects; observations are noisy."""
        pp = self.params.projects
        n_max = math.ceil(pp.proposals_per_region * self.params.scale * MAX_PROPOSAL_FACTOR) + 3
        years = math.ceil(max(pp.duration_months) / 12)
        for body in self.bodies:
            # one draw for every project a region can have running (fixed amount)
            noise = self.streams.projects.normal(0.0, pp.effect_sd, n_max * (years + 1))
            body.review(self.month_abs, noise)

    def _close_year(self) -> None:
        """December: bonus/malus, then the scheme settles every balance."""
        ja = self.jugendamt
        closing = Closing(
            allocation=ja.allocation.copy(),
            carry_in=ja.carry_in.copy(),
            spent=self.ledger.running.copy(),
        )
        bonus, malus = self.scheme.incentive_payments(closing)
        m = self.month_abs
        regions = np.arange(self.n_regions)
        if bonus.any():
            self.ledger.book(
                m, regions, R2, self.incentive_item, self.lead_provider, "bonus", bonus
            )
        if malus.any():
            self.ledger.book(
                m, regions, R2, self.incentive_item, self.lead_provider, "malus", -malus
            )
        for r in range(self.n_regions):
            lead = self.lead_provider[r]
            if lead >= 0:
                self.providers[lead].reserves += (bonus[r] - malus[r]) / 100.0
        closing.spent = self.ledger.running.copy()
        closing.bonus, closing.malus = bonus, malus
        self.scheme.settle(closing)
        ja.carry_in = closing.next_carry_in.copy()
        ja.last_spent = closing.spent.copy()
        ja.closings.append((self.year_index, closing))
        self.recorder.record_year(closing)


def _instalment(total: np.ndarray, k: int, n: int) -> np.ndarray:
    """The k-th of n instalments (1-based) of whole-cent totals; they add up exactly.

    >>> [int(_instalment(np.array([100]), k, 3)[0]) for k in (1, 2, 3)]
    [33, 33, 34]
    """
    total = np.asarray(total, dtype=np.int64)
    return (total * k) // n - (total * (k - 1)) // n
