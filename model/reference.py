"""Per-agent reference implementation of the family and case rules.

Every family is a Mesa agent (:class:`FamilyAgent`) bound to one row of the family
table. :class:`AgentFamilyTable` keeps the table's columns as the blackboard that the
shared model code (Jugendamt grants, provider assignment, billing, ledger, projects,
reporters) reads and writes, but replaces every per-family rule of
:class:`~model.families.FamilyTable` by a loop over the agents, each applying the rule
to itself with plain scalar Python. The rules are transcribed from the docstrings of
the vectorised methods, not from their code, and draw their own scalar random numbers
from the ``reference`` stream (:class:`Draws`); the arrays of random numbers the model
passes in are ignored. The reference is therefore an independent implementation: it
is the readable specification of the rules, the docking partner of the vectorised
engine and the benchmark baseline (``benchmarks/bench_engine.py``).

Docking (``tests/model/test_reference.py``) has two levels: with its own numbers the
reference must give the same distributions of outcomes (statistical docking); fed
the engine's own random numbers (:class:`CommonDraws`, ``ReferenceModel.common_numbers``)
it must reproduce a vectorised run month by month (exact docking).

Where a vectorised docstring leaves a detail open, the reading chosen here is stated
in the rule's docstring ("Reading:").

References:
    Axtell, R., Axelrod, R., Epstein, J. M., Cohen, M. D. (1996): Aligning simulation
    models: a case study and results. Computational and Mathematical Organization
    Theory 1(2), 123–141 (docking).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from model.families import (
    ADULT_MONTHS,
    END_AGEING_OUT,
    END_ESCALATION,
    END_PLANNED,
    END_SUCCESS,
    FamilyTable,
)
from model.model import SozialraumModel
from model.params import HelpType, ModelParams
from model.population import AGE_LIMIT_MONTHS, MAX_CHILDREN, NewFamilies
from model.run import RunResult, run_once

if TYPE_CHECKING:
    from collections.abc import Iterable

NO_REASON = -1
"""Returned by :meth:`FamilyAgent.review` when the help goes on."""


class Draws:
    """The reference's scalar random numbers: its own stream, one draw per use.

    A rule asks for a number by the name of the vectorised engine's array it
    replaces (``u_spacing``, ``z``, ``u_seek``, ``u_known``, ``u_crisis``,
    ``u_type``) and the family's row; here both are ignored and the next number of
    the ``reference`` stream is drawn, so the reference is statistically, not
    numerically, tied to the vectorised engine.

    Args:
        rng: The run's ``reference`` stream.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def offer(self, **arrays: np.ndarray) -> None:
        """The vectorised engine's random arrays of a rule (ignored here)."""

    def uniform(self, name: str, row: int) -> float:
        """A uniform number in [0, 1)."""
        return self.rng.random()

    def normal(self, name: str, row: int) -> float:
        """A standard normal number."""
        return self.rng.standard_normal()


class CommonDraws(Draws):
    """The vectorised engine's own numbers for the same family (exact docking).

    With these, the reference must reproduce a vectorised run of the same seed
    (up to float32 rounding of the engine's random arrays), which checks every rule
    month by month instead of in distribution.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def offer(self, **arrays: np.ndarray) -> None:
        """Keep the rule's random arrays for :meth:`uniform` and :meth:`normal`."""
        self.arrays.update(arrays)

    def uniform(self, name: str, row: int) -> float:
        """The engine's uniform for this family."""
        return self.arrays[name].item(row)

    def normal(self, name: str, row: int) -> float:
        """The engine's standard normal for this family."""
        return self.arrays[name].item(row)


class _Column:
    """A family attribute stored in the agent's row of a table column.

    Reading gives a plain Python scalar (``ndarray.item``); writing stores into the
    row, so the shared model code sees every change at once.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: FamilyAgent | None, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.table, self.name).item(agent.row)

    def __set__(self, agent: FamilyAgent, value: Any) -> None:
        getattr(agent.table, self.name)[agent.row] = value


class FamilyAgent(mesa.Agent):
    """One family with children under 21 and its case, as a Mesa agent.

    The agent's attributes live in its row of the :class:`AgentFamilyTable`; each
    rule method reads and writes only this family's attributes.

    Args:
        model: The model.
        table: The family table whose row holds the agent's attributes.
        row: The row.
    """

    alive = _Column()
    region = _Column()
    births_left = _Column()
    next_birth = _Column()
    single_parent = _Column()
    sgb2 = _Column()
    disability = _Column()
    trait = _Column()
    history = _Column()
    need = _Column()
    counsel_left = _Column()
    known_office = _Column()
    project_effect = _Column()
    n_born = _Column()
    idx_age = _Column()
    case_type = _Column()
    case_months = _Column()
    case_planned = _Column()
    case_fls = _Column()
    wait_type = _Column()

    def __init__(self, model: mesa.Model, table: AgentFamilyTable, row: int) -> None:
        super().__init__(model)
        self.table = table
        self.row = row

    # ------------------------------------------------------------------ children
    def child_age(self, slot: int) -> int:
        """Age in months of the child in a slot (-1: no child)."""
        return self.table.child_age.item(slot, self.row)

    def set_child_age(self, slot: int, months: int) -> None:
        """Set the age of the child in a slot (-1: the slot becomes free)."""
        self.table.child_age[slot, self.row] = months

    # ------------------------------------------------------------------ life cycle
    def settle(self, fam: NewFamilies, i: int) -> None:
        """A new family moves into the agent's row: attributes from ``fam[i]``.

        It has no earlier helps, no case, no counselling, is not known to a
        Sozialraumbüro, is reached by no project, and its need starts at its level.
        """
        t = self.table
        t.generation[self.row] += 1
        self.alive = True
        self.region = int(fam.region[i])
        t.municipality[self.row] = int(fam.municipality[i])
        for slot in range(MAX_CHILDREN):
            self.set_child_age(slot, int(fam.child_age[i, slot]))
        self.births_left = int(fam.births_left[i])
        self.next_birth = int(fam.next_birth[i])
        self.single_parent = bool(fam.single_parent[i])
        self.sgb2 = bool(fam.sgb2[i])
        self.disability = bool(fam.disability[i])
        self.trait = float(fam.trait[i])
        self.history = 0
        self.counsel_left = 0
        self.known_office = False
        self.project_effect = 0.0
        self.clear_case()
        self.refresh_ages()
        self.need = self.level()

    def clear_case(self) -> None:
        """No help active and none granted."""
        t, row = self.table, self.row
        t.case_type[row] = -1
        t.case_pot[row] = -1
        t.case_provider[row] = -1
        t.case_months[row] = 0
        t.case_planned[row] = 0
        t.case_fls[row] = 0.0
        t.wait_type[row] = -1
        t.wait_pot[row] = -1
        t.wait_months[row] = 0
        t.wait_planned[row] = 0
        t.wait_fls[row] = 0.0
        t.wait_escalated[row] = False

    def leave(self) -> None:
        """The family leaves the model: its row is freed (its help has been ended)."""
        self.alive = False
        self.clear_case()
        self.counsel_left = 0
        self.project_effect = 0.0
        self.need = 0.0

    def age_one_month(self, draws: Draws) -> bool:
        """Children get a month older, are born and leave at 21.

        Every child gets a month older; a child reaching 21 years leaves. If births
        are to come, the months to the next birth count down; when they reach 0 a
        child aged 0 joins in a free slot and the next birth is scheduled after a
        whole number of months drawn uniformly from ``child_spacing_months``
        (inclusive). Reading: with no free slot the birth waits for one.

        Returns:
            Whether the family leaves (no child under 21 and no birth to come).
        """
        for slot in range(MAX_CHILDREN):
            age = self.child_age(slot)
            if age >= 0:
                self.set_child_age(slot, age + 1 if age + 1 < AGE_LIMIT_MONTHS else -1)
        if self.births_left > 0:
            self.next_birth -= 1
            if self.next_birth <= 0:
                free = next((s for s in range(MAX_CHILDREN) if self.child_age(s) < 0), None)
                if free is not None:
                    self.set_child_age(free, 0)
                    self.births_left -= 1
                    lo, hi = self.table.params.population.child_spacing_months
                    self.next_birth = lo + int(draws.uniform("u_spacing", self.row) * (hi - lo + 1))
        self.refresh_ages()
        return self.n_born == 0 and self.births_left == 0

    def refresh_ages(self) -> None:
        """Count the children under 21 and find the index child.

        The index child is the oldest minor, else the oldest young adult under 21;
        its age is -1 if there is no child under 21.
        """
        count, oldest, oldest_minor = 0, -1, -1
        for slot in range(MAX_CHILDREN):
            age = self.child_age(slot)
            if age < 0:
                continue
            count += 1
            oldest = max(oldest, age)
            if age < ADULT_MONTHS:
                oldest_minor = max(oldest_minor, age)
        self.n_born = count
        self.idx_age = oldest_minor if oldest_minor >= 0 else oldest

    @property
    def young_adult(self) -> bool:
        """Whether the index child is 18–20 years old (no minor in the family)."""
        return ADULT_MONTHS <= self.idx_age < AGE_LIMIT_MONTHS

    # ------------------------------------------------------------------ need
    def level(self) -> float:
        """The need level the family reverts to.

        ``base`` plus ``w_single_parent`` if single parent, ``w_sgb2`` if on SGB II,
        ``w_per_child`` for every child beyond the first, ``w_history`` per earlier
        help (faded, see :meth:`update_need`), ``w_disability`` with the §35a trait,
        plus the family's own deviation ``trait``. Reading: "children" are the
        children under 21 plus the births still to come.
        """
        p = self.table.params.need
        children = self.n_born + self.births_left
        value = p.base + self.trait + p.w_history * self.history
        if self.single_parent:
            value += p.w_single_parent
        if self.sgb2:
            value += p.w_sgb2
        if children > 1:
            value += p.w_per_child * (children - 1)
        if self.disability:
            value += p.w_disability
        return value

    def help_reduction(self) -> float:
        """Monthly need reduction from the family's active help (0 without one).

        The type's ``help_effect``; for a help billed per FLS scaled by the case's FLS
        per week relative to the type's mean and by the region's direct-contact share
        relative to ``effect_reference_contact_share``.
        """
        t = self.case_type
        if t < 0:
            return 0.0
        h = self.table.types[t]
        effect = h.help_effect
        if h.billing == "fls":
            effect *= self.case_fls / h.fls_per_week if h.fls_per_week > 0 else 0.0
            effect *= (
                self.table.direct_contact[self.region]
                / self.table.params.provider.effect_reference_contact_share
            )
        return effect

    def update_need(self, draws: Draws, trend: float) -> None:
        """Move the family's need by one month.

        First the family's earlier helps fade: their count halves every
        ``history_half_life_months`` (not at all if that is 0). Then need is pulled
        toward level plus trend at rate ``reversion``, gets a normal shock with
        standard deviation ``shock_sd``, and is reduced by counselling (while
        counselled), by the projects reaching the family and by its help; it never
        falls below 0.
        """
        p = self.table.params.need
        if p.history_half_life_months > 0:
            self.history *= 0.5 ** (1.0 / p.history_half_life_months)
        need = self.need
        need += p.reversion * (self.level() + trend - need)
        need += p.shock_sd * draws.normal("z", self.row)
        if self.counsel_left > 0:
            need -= p.counselling_effect
        need -= self.project_effect
        need -= self.help_reduction()
        self.need = max(need, 0.0)

    # ------------------------------------------------------------------ counselling
    def seeks_counselling(self, draws: Draws) -> bool:
        """Whether the family seeks counselling at a Sozialraumbüro this month.

        Only a family with no help active or granted, not in counselling and with need
        at or above ``threshold_counselling``; it seeks with probability ``p_seek``.
        """
        p = self.table.params
        if self.case_type >= 0 or self.wait_type >= 0 or self.counsel_left > 0:
            return False
        if self.need < p.need.threshold_counselling:
            return False
        return draws.uniform("u_seek", self.row) < p.counselling.p_seek

    def tick_counselling(self) -> None:
        """A counselling episode runs down by a month; an active help ends it."""
        if self.counsel_left > 0:
            self.counsel_left -= 1
        if self.case_type >= 0:
            self.counsel_left = 0

    # ------------------------------------------------------------------ Jugendamt
    def recognise(self, draws: Draws) -> tuple[bool, bool]:
        """Whether the family's need becomes known to the Jugendamt this month.

        A family not in an out-of-home (stationary) or crisis help, with need at or
        above ``threshold_crisis``, falls into a §8a crisis with probability
        ``p_crisis``. Otherwise a family with need at or above ``threshold_help`` and
        no help active or granted becomes known with probability
        ``1 - (1 - p_self)(1 - p_report)``: ``p_self`` is ``p_self_request`` (times
        ``counselling_referral_factor`` if known to a Sozialraumbüro), ``p_report`` is
        ``p_report`` times ``report_rate_factor``, each at most 1; the result is
        multiplied by ``young_adult_factor`` if the index child is 18–20.

        Returns:
            (became known as entitled, in crisis).
        """
        p = self.table.params
        r = p.recognition
        t = self.case_type
        in_home = t < 0 or self.table.types[t].setting not in ("stationaer", "krise")
        if in_home and self.need >= p.need.threshold_crisis:
            if draws.uniform("u_crisis", self.row) < r.p_crisis:
                return False, True
        if t >= 0 or self.wait_type >= 0 or self.need < p.need.threshold_help:
            return False, False
        p_self = r.p_self_request
        if self.known_office:
            p_self *= r.counselling_referral_factor
        p_self = min(p_self, 1.0)
        p_report = min(r.p_report * r.report_rate_factor, 1.0)
        p_known = 1.0 - (1.0 - p_self) * (1.0 - p_report)
        if self.young_adult:
            p_known *= r.young_adult_factor
        return draws.uniform("u_known", self.row) < p_known, False

    def eligible(self, h: HelpType) -> bool:
        """Whether the index child's age and the family's traits fit a help type.

        Age: ``age_min_years`` <= age < ``age_max_years``. Trait: §35a needs the
        disability trait, §41 an index child of 18–20, §42 is never chosen here (it
        follows a crisis); a type without a trait is for minors only (young adults
        receive §41).
        """
        age = self.idx_age
        if not h.age_min_years * 12 <= age < h.age_max_years * 12:
            return False
        if h.trait == "disability":
            return self.disability
        if h.trait == "young_adult":
            return self.young_adult
        if h.trait == "crisis":
            return False
        return not self.young_adult

    def choose_help(self, draws: Draws) -> int:
        """The help type the Jugendamt grants after assessment.

        One type is drawn with probability proportional to ``selection_weight``
        among the eligible types (:meth:`eligible`) whose need band
        ``need_min <= need < need_max`` contains the family's need. If none does, each
        eligible type is weighted by ``selection_weight * exp(-|need - middle|)``.
        Reading: the band middle of an open band is taken with the band capped at 3
        need units above ``need_min``. If no type is eligible at all, any non-crisis
        type is drawn by ``selection_weight`` (an entitled help is never refused).
        """
        need = self.need
        types = self.table.types
        weights = []
        for h in types:
            fits = self.eligible(h) and h.need_min <= need < h.need_max
            weights.append(h.selection_weight if fits else 0.0)
        if sum(weights) <= 0:
            weights = []
            for h in types:
                middle = (h.need_min + min(h.need_max, h.need_min + 3.0)) / 2.0
                w = h.selection_weight * math.exp(-abs(need - middle))
                weights.append(w if self.eligible(h) else 0.0)
        if sum(weights) <= 0:
            weights = [h.selection_weight if h.trait != "crisis" else 0.0 for h in types]
        target = draws.uniform("u_type", self.row) * sum(weights)
        cumulated = 0.0
        chosen = 0
        for i, w in enumerate(weights):
            if w <= 0:
                continue
            chosen = i
            cumulated += w
            if target < cumulated:
                break
        return chosen

    def review(self) -> int:
        """Advance the active help by a month and decide whether it ends.

        After counting the month: the index child older than the type's age band (or
        no child under 21) ends it by *ageing out*. At a Hilfeplan review (every
        ``review_interval_months`` months of the help) or at the planned end, need
        below ``threshold_success`` ends it by *success*; else need at or above the
        type's ``need_max``, with an escalation target whose age band contains the
        index child's age, ends it by *escalation*. Reaching the planned duration
        ends it as *planned*.

        Returns:
            The reason code, or :data:`NO_REASON` if the help goes on.
        """
        p = self.table.params
        h = self.table.types[self.case_type]
        self.case_months += 1
        months = self.case_months
        age = self.idx_age
        if age < 0 or age >= h.age_max_years * 12:
            return END_AGEING_OUT
        planned_end = months >= self.case_planned
        if months % p.review_interval_months == 0 or planned_end:
            if self.need < p.need.threshold_success:
                return END_SUCCESS
            if self.need >= h.need_max and h.escalates_to is not None:
                target = self.table.types[self.table.code_index[h.escalates_to]]
                if target.age_min_years * 12 <= age < target.age_max_years * 12:
                    return END_ESCALATION
        if planned_end:
            return END_PLANNED
        return NO_REASON


class AgentFamilyTable(FamilyTable):
    """The family table with one :class:`FamilyAgent` per living family.

    The columns stay the blackboard of the shared model code; every per-family rule
    runs agent by agent, with scalar random numbers from ``draws`` (by default the
    ``reference`` stream; the random arrays the model passes in are then ignored).

    Args:
        params: Run parameters.
        capacity: Number of rows.
        model: The model the agents belong to (its ``streams`` must exist).
        draws: Source of the agents' random numbers (default: :class:`Draws` on the
            model's ``reference`` stream).
    """

    def __init__(
        self,
        params: ModelParams,
        capacity: int,
        model: SozialraumModel,
        draws: Draws | None = None,
    ) -> None:
        super().__init__(params, capacity)
        self.model = model
        self.draws = draws if draws is not None else Draws(model.streams.reference)
        self.types: tuple[HelpType, ...] = params.help_types
        self.code_index = {h.code: i for i, h in enumerate(params.help_types)}
        self.direct_contact = [r.direct_contact_share for r in params.regions]
        self.agents: dict[int, FamilyAgent] = {}
        """Living families by row, in the order they arrived."""

    def _agents_at(self, rows: np.ndarray | slice) -> Iterable[FamilyAgent]:
        if isinstance(rows, slice):
            if rows == slice(None):
                return list(self.agents.values())
            rows = np.arange(self.capacity)[rows]
        return [self.agents[int(r)] for r in rows if int(r) in self.agents]

    # ------------------------------------------------------------------ population
    def place(self, fam: NewFamilies, rows: np.ndarray) -> None:
        """A new :class:`FamilyAgent` for every new family, settled in its row."""
        for i, row in enumerate(rows):
            row = int(row)
            if row in self.agents:
                raise RuntimeError(f"row {row} still holds a family")
            agent = FamilyAgent(self.model, self, row)
            agent.settle(fam, i)
            self.agents[row] = agent

    def remove(self, rows: np.ndarray) -> None:
        """Leaving families free their rows and their agents are removed."""
        for row in rows:
            agent = self.agents.pop(int(row))
            agent.leave()
            agent.remove()

    # ------------------------------------------------------------------ rules
    def refresh_ages(self, rows: np.ndarray | slice = slice(None)) -> None:
        """Per agent: :meth:`FamilyAgent.refresh_ages`."""
        for agent in self._agents_at(rows):
            agent.refresh_ages()

    def level(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Per agent: :meth:`FamilyAgent.level` (0 for rows without a family)."""
        if isinstance(rows, slice):
            out = np.zeros(self.capacity)
            for row, agent in self.agents.items():
                out[row] = agent.level()
            return out[rows]
        return np.array([self.agents[int(r)].level() for r in rows], dtype=float)

    def age_one_month(self, u_spacing: np.ndarray) -> np.ndarray:
        """Per agent: :meth:`FamilyAgent.age_one_month`."""
        draws = self.draws
        draws.offer(u_spacing=u_spacing)
        leaving = [row for row, agent in self.agents.items() if agent.age_one_month(draws)]
        return np.array(sorted(leaving), dtype=np.int64)

    def help_reduction(self) -> np.ndarray:
        """Per agent: :meth:`FamilyAgent.help_reduction` (0 for rows without a family)."""
        out = np.zeros(self.capacity)
        for row, agent in self.agents.items():
            out[row] = agent.help_reduction()
        return out

    def update_need(self, z: np.ndarray, trend: float) -> None:
        """Per agent: :meth:`FamilyAgent.update_need`."""
        draws = self.draws
        draws.offer(z=z)
        for agent in self.agents.values():
            agent.update_need(draws, trend)

    def counselling_month(
        self, u_seek: np.ndarray, n_regions: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per agent: the month's counselling.

        :meth:`FamilyAgent.tick_counselling`, then the families in counselling per
        region, then :meth:`FamilyAgent.seeks_counselling`.
        """
        busy = np.zeros(n_regions, dtype=np.int64)
        for agent in self.agents.values():
            agent.tick_counselling()
            if agent.counsel_left > 0:
                busy[agent.region] += 1
        draws = self.draws
        draws.offer(u_seek=u_seek)
        rows = [row for row, agent in self.agents.items() if agent.seeks_counselling(draws)]
        return busy, np.array(sorted(rows), dtype=np.int64)

    def recognise(self, u_known: np.ndarray, u_crisis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per agent: :meth:`FamilyAgent.recognise`."""
        draws = self.draws
        draws.offer(u_known=u_known, u_crisis=u_crisis)
        known: list[int] = []
        crisis: list[int] = []
        for row, agent in self.agents.items():
            is_known, in_crisis = agent.recognise(draws)
            if in_crisis:
                crisis.append(row)
            elif is_known:
                known.append(row)
        return np.array(sorted(known), dtype=np.int64), np.array(sorted(crisis), dtype=np.int64)

    def choose_help(self, rows: np.ndarray, u_type: np.ndarray) -> np.ndarray:
        """Per assessed agent: :meth:`FamilyAgent.choose_help`."""
        draws = self.draws
        draws.offer(u_type=u_type)
        return np.array([self.agents[int(r)].choose_help(draws) for r in rows], dtype=np.int16)

    def review(self) -> tuple[np.ndarray, np.ndarray]:
        """Per agent with an active help: :meth:`FamilyAgent.review`."""
        ends: list[tuple[int, int]] = []
        for row, agent in self.agents.items():
            if agent.case_type >= 0:
                reason = agent.review()
                if reason != NO_REASON:
                    ends.append((row, reason))
        ends.sort()
        rows = np.array([r for r, _ in ends], dtype=np.int64)
        return rows, np.array([c for _, c in ends], dtype=np.int8)

    def review_month(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The month's Hilfeplan step around the agents' :meth:`review`.

        Reviewed: active helps whose month count after the tick is a multiple of
        ``review_interval_months``; then every agent's review; first reviews: the
        reviewed helps that continue with exactly ``review_interval_months`` months.
        """
        interval = self.params.review_interval_months
        due = self.active & ((self.case_months + 1) % interval == 0)
        rows, reason = self.review()
        continuing = due.copy()
        continuing[rows] = False
        first = continuing & (self.case_months == interval)
        return np.flatnonzero(due), rows, reason, np.flatnonzero(first)


class ReferenceModel(SozialraumModel):
    """The Sozialraum model with per-agent families (:class:`AgentFamilyTable`)."""

    common_numbers: bool = False
    """Whether the agents use the vectorised engine's random numbers
    (:class:`CommonDraws`, exact docking) instead of their own stream."""

    def _make_families(self, capacity: int) -> AgentFamilyTable:
        """The per-agent family table."""
        draws = CommonDraws() if self.common_numbers else None
        return AgentFamilyTable(self.params, capacity, self, draws)


def run_reference(params: ModelParams, seed: int, run_id: str | None = None) -> RunResult:
    """Run the per-agent reference model once (see :func:`model.run.run_once`).

    Args:
        params: All parameters.
        seed: Seed of the run's random generator.
        run_id: Identifier written into the results (default ``"<name>-<seed>"``).

    Returns:
        The run's outcomes, ledger and closings.
    """
    return run_once(params, seed, run_id=run_id, model_cls=ReferenceModel)
