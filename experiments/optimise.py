"""Robust multi-objective search over a scenario's levers (``sozialraum optimise``).

The Kreis decides the levers a scenario declares (:class:`scenarios.LeverSection`);
the search looks for lever settings that are good under *all* the uncertainties the
scenario declares, not only at its own values:

* **Encoding.** Every lever is one variable on [0, 1] (:class:`LeverSpace`): a
  numeric lever is ``low + u · (high − low)``, rounded to :data:`DIGITS` decimals so
  candidates are reproducible and readable; a choice lever with ``k`` values is value
  ``min(⌊u · k⌋, k − 1)``. A choice lever without ``choices`` may take every value the
  parameter allows (the registered incentive schemes, the allocation keys, …).
* **Incentive schemes.** A candidate whose scheme differs from the scenario's gets a
  whole ``incentive`` section: its numeric levers among the scheme's parameters, the
  other parameters at the value the what-if page uses for that scheme
  (:attr:`model.incentives.SchemeParameter.whatif`, with its reason). A candidate with
  the scenario's own scheme keeps the scenario's parameter values. A numeric lever of
  a scheme the candidate does not use has no effect and is ``None`` in the candidate.
* **Robust objectives.** Each candidate runs at the same Latin-hypercube sample of
  the uncertainties and with the same replicate seeds (common random numbers), and
  every objective (:data:`OBJECTIVES`, all minimised) is computed from the values
  *per run*: median and 90th percentile of the spending, mean unmet need, mean
  provider exits, and the share of runs with an overspent year.
* **Search.** :func:`search` drives pymoo's NSGA-II through its ask-and-tell
  interface; it asks a callback for the objectives of a whole generation at once
  (one batch), evaluates every distinct candidate once and returns the
  non-dominated candidates among all it evaluated. The same seed proposes the same
  candidates as long as the callback returns the same values, which stored runs do:
  a killed search started again replays and reaches the same front.

References:
    Deb, K., Pratap, A., Agarwal, S., Meyarivan, T. (2002): A fast and elitist
    multiobjective genetic algorithm: NSGA-II. IEEE Transactions on Evolutionary
    Computation 6(2), 182–197.
    Blank, J., Deb, K. (2020): pymoo: Multi-Objective Optimization in Python. IEEE
    Access 8, 89497–89509.
    Kwakkel, J. H. (2017): The Exploratory Modeling Workbench (levers, robustness).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.evaluator import Evaluator
from pymoo.core.problem import Problem
from pymoo.problems.static import StaticProblem
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting
from scipy.stats import qmc

from model.incentives import SCHEMES, scheme_class
from results import CHOICE_LABELS
from scenarios import Scenario, ScenarioError, expand_path

DIGITS = 4
"""Decimals of a numeric lever's value in a candidate."""

SCHEME = "incentive.scheme"
"""Path of the incentive-scheme lever."""

DEFAULT_LEVERS: tuple[str, ...] = (
    "budget.bound_share",
    "budget.regional2_share",
    SCHEME,
    "incentive.*",
    "budget.allocation_key",
)
"""Levers searched by default, if the scenario declares them (``incentive.*``: the
numeric parameters of incentive schemes it declares as levers), in this order."""

SEARCH_ORIGIN = "Latin-Hypercube-Stichprobe der Suche (sozialraum optimise)"
"""How the uncertainties of a search's runs were drawn (their assumption text)."""

CANDIDATE_ASSUMPTION = "Kandidat der Suche (sozialraum optimise)"
"""Assumption text of a candidate's numeric lever values."""


# =========================================================================== objectives


def _p90(x: np.ndarray) -> float:
    return float(np.percentile(x, 90))


def _share_positive(x: np.ndarray) -> float:
    return float(np.mean(x > 0))


@dataclass(frozen=True)
class Objective:
    """A robust objective: one figure per run, reduced over all runs of a candidate.

    Attributes:
        name: Name on the command line (``--objectives``) and in the store.
        label: German heading.
        metric: The metric of the results table.
        over_years: How a run's yearly values form its figure (``sum``, ``mean``).
        reduce: How the runs' figures form the objective (minimised).
        kind: How it is shown: ``eur``, ``num`` or ``pct``.
        explanation: German sentence saying what it is.
    """

    name: str
    label: str
    metric: str
    over_years: str
    reduce: Callable[[np.ndarray], float]
    kind: str
    explanation: str


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective(
            "kosten_median",
            "Ausgaben (Median)",
            "total_spent",
            "sum",
            lambda x: float(np.median(x)),
            "eur",
            "Median der Ausgaben aller Jahre über alle Läufe",
        ),
        Objective(
            "kosten_p90",
            "Ausgaben (90. Perzentil)",
            "total_spent",
            "sum",
            _p90,
            "eur",
            "90. Perzentil der Ausgaben aller Jahre über alle Läufe (ungünstige Lagen)",
        ),
        Objective(
            "unversorgt",
            "Latenter Bedarf (Familien)",
            "unmet_need_families",
            "mean",
            lambda x: float(np.mean(x)),
            "num",
            "Familien über der Anspruchsschwelle ohne laufende Hilfe, Mittel der Jahre und Läufe",
        ),
        Objective(
            "traegeraustritte",
            "Marktaustritte",
            "provider_exits",
            "sum",
            lambda x: float(np.mean(x)),
            "num",
            "Marktaustritte von Trägern aller Jahre, Mittel der Läufe",
        ),
        Objective(
            "ueberschreitung",
            "Überschreitungswahrscheinlichkeit",
            "overspent",
            "sum",
            _share_positive,
            "pct",
            "Anteil der Läufe mit mindestens einem Jahr mit Budgetüberschreitung",
        ),
    )
}
"""The robust objectives, all minimised."""

DEFAULT_OBJECTIVES: tuple[str, ...] = (
    "kosten_median",
    "kosten_p90",
    "unversorgt",
    "ueberschreitung",
)
"""Objectives of a search unless ``--objectives`` names others."""


def objective_metrics(names: Sequence[str]) -> dict[str, str]:
    """Metric → how its yearly values form one figure, for the objectives ``names``.

    >>> objective_metrics(["kosten_median", "ueberschreitung"])
    {'total_spent': 'sum', 'overspent': 'sum'}
    """
    return {OBJECTIVES[n].metric: OBJECTIVES[n].over_years for n in names}


def objective_values(per_run: pd.DataFrame, names: Sequence[str], n_candidates: int) -> np.ndarray:
    """The robust objectives of every candidate from its runs' values.

    Args:
        per_run: candidate (0 … ``n_candidates − 1``), run_id, metric, value: one row
            per run and metric (see :func:`run_values`).
        names: Objectives (keys of :data:`OBJECTIVES`).
        n_candidates: Number of candidates; each must have runs.

    Returns:
        Array ``n_candidates × len(names)``.

    Raises:
        ValueError: If a candidate has no run or a run lacks a metric.
    """
    out = np.full((n_candidates, len(names)), np.nan)
    table = per_run.pivot_table(
        index=["candidate", "run_id"], columns="metric", values="value", aggfunc="first"
    ).sort_index()
    for j, name in enumerate(names):
        objective = OBJECTIVES[name]
        if objective.metric not in table.columns:
            raise ValueError(f"no values of {objective.metric}")
        column = table[objective.metric]
        if column.isna().any():
            raise ValueError(f"a run has no value of {objective.metric}")
        for k, values in column.groupby(level="candidate"):
            out[int(k), j] = objective.reduce(values.to_numpy(dtype=float))
    missing = np.flatnonzero(np.isnan(out).any(axis=1))
    if missing.size:
        raise ValueError(f"{missing.size} of {n_candidates} candidates have no runs")
    return out


# =========================================================================== levers


@dataclass(frozen=True)
class Lever:
    """One searched lever and its encoding on [0, 1].

    Attributes:
        parameter: Dotted path as declared (``regions.*.x`` for every region).
        label: German name.
        low: Smallest value (numeric levers).
        high: Largest value (numeric levers).
        choices: The values of a choice lever (empty for a numeric one).
        unit: Unit of a numeric lever (None: the parameter's own).
        targets: The concrete paths the value is set at (default: ``parameter``).
    """

    parameter: str
    label: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str | None = None
    targets: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        """Whether the lever is a number (else a choice)."""
        return not self.choices

    @property
    def scheme_parameter(self) -> str | None:
        """The incentive parameter's name of a numeric ``incentive.*`` lever."""
        head, _, name = self.parameter.partition(".")
        return name if head == "incentive" and self.numeric else None

    def decode(self, u: float) -> float | str:
        """The lever's value at ``u`` in [0, 1].

        >>> Lever("a", "A", 0.0, 0.5).decode(0.46666)
        0.2333
        >>> Lever("s", "S", choices=("x", "y", "z")).decode(1.0)
        'z'
        """
        u = min(max(float(u), 0.0), 1.0)
        if self.numeric:
            lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
            return round(min(max(lo + u * (hi - lo), lo), hi), DIGITS)
        k = len(self.choices)
        return self.choices[min(math.floor(u * k), k - 1)]

    def encode(self, value: float | str) -> float:
        """The point of [0, 1] a value stands for (a choice: the middle of its interval).

        Raises:
            ValueError: For a choice the lever does not offer.
        """
        if self.numeric:
            lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
            return min(max((float(value) - lo) / (hi - lo), 0.0), 1.0)
        return (self.choices.index(str(value)) + 0.5) / len(self.choices)


def _choices(lever: Any) -> tuple[str, ...]:
    """The values a choice lever may take: its ``choices`` or every allowed value."""
    if lever.choices:
        return tuple(lever.choices)
    if lever.parameter == SCHEME:
        return tuple(SCHEMES)
    labels = CHOICE_LABELS.get(lever.parameter)
    return tuple(labels) if labels else ()


def _incentive_unit(name: str) -> str | None:
    """Unit of a numeric incentive parameter (the first registered scheme using it)."""
    for cls in SCHEMES.values():
        for p in cls.parameters:
            if p.name == name and p.kind == "number":
                return p.unit
    return None


def _quantity(value: float, unit: str | None) -> Any:
    if unit is None:
        return value
    return {"value": value, "unit": unit, "assumption": CANDIDATE_ASSUMPTION}


def _default_paths(declared: Sequence[str], numeric: Mapping[str, bool]) -> list[str]:
    out: list[str] = []
    for want in DEFAULT_LEVERS:
        if want == "incentive.*":
            out.extend(p for p in declared if p.startswith("incentive.") and numeric[p])
        elif want in declared:
            out.append(want)
    return out


@dataclass(frozen=True)
class LeverSpace:
    """The levers of a search, their encoding and the overrides of a candidate.

    Attributes:
        levers: The searched levers, one variable each.
        base_scheme: The scenario's incentive scheme.
        base_incentive: The scenario's incentive section (raw document), kept for a
            candidate with the scenario's own scheme.
    """

    levers: tuple[Lever, ...]
    base_scheme: str = "none"
    base_incentive: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_var(self) -> int:
        """Number of variables."""
        return len(self.levers)

    @property
    def paths(self) -> list[str]:
        """The levers' parameters."""
        return [lever.parameter for lever in self.levers]

    @classmethod
    def from_scenario(cls, scenario: Scenario, paths: Sequence[str] | None = None) -> LeverSpace:
        """The levers ``paths`` (default: :data:`DEFAULT_LEVERS`) as the scenario declares them.

        Raises:
            ScenarioError: Field ``--levers``: a lever the scenario does not declare,
                named twice, a numeric lever without a range, a choice lever whose
                values are unknown, or an incentive parameter no searched scheme uses.
        """
        declared = {lever.parameter: lever for lever in scenario.levers}
        numeric = {p: lever.low is not None for p, lever in declared.items()}
        names = ", ".join(declared) or "keine"
        if paths is None:
            paths = _default_paths(list(declared), numeric)
            if not paths:
                raise ScenarioError(
                    scenario.path,
                    "--levers",
                    f"Szenario erklärt keinen der üblichen Hebel; erklärt: {names}",
                )
        seen: set[str] = set()
        levers: list[Lever] = []
        for path in paths:
            if path not in declared:
                raise ScenarioError(
                    scenario.path,
                    "--levers",
                    f"Hebel „{path}“ ist im Szenario nicht erklärt; erklärt: {names}",
                )
            if path in seen:
                raise ScenarioError(scenario.path, "--levers", f"Hebel „{path}“ ist doppelt")
            seen.add(path)
            d = declared[path]
            targets = tuple(expand_path(scenario.doc, path)) if "*" in path else (path,)
            if d.low is not None and d.high is not None:
                head, _, name = path.partition(".")
                unit = (
                    _incentive_unit(name) if head == "incentive" else scenario.units.get(targets[0])
                )
                levers.append(Lever(path, d.label, d.low, d.high, (), unit, targets))
                continue
            choices = _choices(d)
            if not choices:
                raise ScenarioError(
                    scenario.path,
                    "--levers",
                    f"Hebel „{path}“ hat weder low/high noch choices; so nicht durchsuchbar",
                )
            levers.append(Lever(path, d.label, choices=choices, targets=targets))
        incentive = scenario.doc.get("incentive", {}) or {}
        base_scheme = str(incentive.get("scheme", "none"))
        space = cls(tuple(levers), base_scheme, dict(incentive))
        schemes = set(space.lever(SCHEME).choices) if SCHEME in seen else {base_scheme}
        for lever in levers:
            name = lever.scheme_parameter
            if name is None:
                continue
            users = [s for s in schemes if name in {p.name for p in scheme_class(s).parameters}]
            if not users:
                raise ScenarioError(
                    scenario.path,
                    "--levers",
                    f"Hebel „{lever.parameter}“ gehört zu keinem der durchsuchten Anreizsysteme "
                    f"({', '.join(sorted(schemes))}); mit {SCHEME} zusammen wählen",
                )
        return space

    def lever(self, path: str) -> Lever:
        """The lever of a parameter path.

        Raises:
            KeyError: If it is not searched.
        """
        for lever in self.levers:
            if lever.parameter == path:
                return lever
        raise KeyError(path)

    def scheme_of(self, candidate: Mapping[str, Any]) -> str:
        """The incentive scheme a candidate uses."""
        return str(candidate.get(SCHEME, self.base_scheme))

    def _uses(self, candidate: Mapping[str, Any], lever: Lever) -> bool:
        name = lever.scheme_parameter
        if name is None:
            return True
        scheme = scheme_class(self.scheme_of(candidate))
        return name in {p.name for p in scheme.parameters}

    def decode(self, x: Sequence[float]) -> dict[str, Any]:
        """The candidate (lever path → value) at a point of the unit cube.

        A numeric lever of an incentive scheme the candidate does not use is None.
        """
        if len(x) != self.n_var:
            raise ValueError(f"{len(x)} values for {self.n_var} levers")
        candidate: dict[str, Any] = {
            lever.parameter: lever.decode(u) for lever, u in zip(self.levers, x, strict=True)
        }
        for lever in self.levers:
            if not self._uses(candidate, lever):
                candidate[lever.parameter] = None
        return candidate

    def encode(self, candidate: Mapping[str, Any]) -> np.ndarray:
        """A point of the unit cube decoding to ``candidate`` (None: the middle)."""
        return np.array(
            [
                0.5
                if candidate[lever.parameter] is None
                else lever.encode(candidate[lever.parameter])
                for lever in self.levers
            ]
        )

    def key(self, candidate: Mapping[str, Any]) -> str:
        """A text equal for equal candidates (JSON of the values in lever order)."""
        return json.dumps([candidate[p] for p in self.paths], ensure_ascii=False)

    def overrides(self, candidate: Mapping[str, Any]) -> dict[str, Any]:
        """The overrides that set a candidate's levers in the scenario (a sweep setting).

        See the module docstring for the incentive section.
        """
        out: dict[str, Any] = {}
        incentive: dict[str, Lever] = {}
        for lever in self.levers:
            value = candidate[lever.parameter]
            if lever.parameter == SCHEME:
                continue
            if lever.scheme_parameter is not None:
                if value is not None:
                    incentive[lever.scheme_parameter] = lever
                continue
            for target in lever.targets or (lever.parameter,):
                out[target] = _quantity(value, lever.unit) if lever.numeric else value
        scheme = self.scheme_of(candidate)
        params = scheme_class(scheme).parameters
        if scheme != self.base_scheme:
            section: dict[str, Any] = {"scheme": scheme}
            for p in params:
                if p.name in incentive:
                    section[p.name] = _quantity(candidate[incentive[p.name].parameter], p.unit)
                elif p.kind == "pots":
                    section[p.name] = list(p.whatif)  # type: ignore[arg-type]
                else:
                    section[p.name] = {
                        "value": p.whatif,
                        "unit": p.unit,
                        "assumption": p.whatif_assumption,
                    }
            out["incentive"] = section
        else:
            for name, lever in incentive.items():
                unit = next(p.unit for p in params if p.name == name)
                out[f"incentive.{name}"] = _quantity(candidate[lever.parameter], unit)
        return out

    def values_of(self, scenario: Scenario) -> dict[str, Any]:
        """The levers' values in a scenario (a shipped variant), as in a candidate."""
        out: dict[str, Any] = {}
        scheme = str(scenario.value_at(SCHEME)) if "incentive" in scenario.doc else "none"
        for lever in self.levers:
            if lever.parameter == SCHEME:
                out[SCHEME] = scheme
                continue
            name = lever.scheme_parameter
            if name is not None:
                inc = scenario.params.incentive
                out[lever.parameter] = float(inc.values[name]) if name in inc.values else None
                continue
            value = scenario.value_at((lever.targets or (lever.parameter,))[0])
            out[lever.parameter] = float(value) if lever.numeric else str(value)
        return out


# =========================================================================== design


def uncertainty_sample(n_columns: int, samples: int, seed: int) -> np.ndarray:
    """The Latin hypercube every candidate is evaluated at (``samples × n_columns``).

    Drawn like a sweep file's hypercube: scipy's Latin hypercube with a numpy
    Generator seeded by ``seed``.
    """
    sampler = qmc.LatinHypercube(d=n_columns, rng=np.random.default_rng(seed))
    return sampler.random(samples)


# =========================================================================== dominance


def non_dominated(objectives: np.ndarray) -> np.ndarray:
    """Indices of the rows no other row dominates (pymoo's non-dominated sorting), sorted."""
    values = np.asarray(objectives, dtype=float)
    if len(values) == 0:
        return np.zeros(0, dtype=int)
    front = NonDominatedSorting().do(values, only_non_dominated_front=True)
    return np.sort(np.asarray(front, dtype=int))


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` dominates ``b`` (no worse in every objective, better in one; minimised).

    >>> dominates(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    True
    >>> dominates(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    False
    """
    return bool(np.all(a <= b) and np.any(a < b))


# =========================================================================== search


@dataclass(frozen=True)
class Evaluated:
    """A candidate the search evaluated.

    Attributes:
        candidate: Lever path → value.
        objectives: The objectives (minimised), in the search's order.
        generation: The generation that first proposed it (1-based).
    """

    candidate: dict[str, Any]
    objectives: np.ndarray
    generation: int


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    Attributes:
        evaluated: Every distinct candidate, in the order first evaluated.
        front: Indices into ``evaluated`` of the non-dominated candidates, sorted
            by their objectives (first objective first).
        generations: Generations run.
    """

    evaluated: list[Evaluated]
    front: list[int]
    generations: int

    def front_objectives(self) -> np.ndarray:
        """Objectives of the front, one row per member in :attr:`front` order."""
        return np.array([self.evaluated[i].objectives for i in self.front])


Evaluate = Callable[[list[dict[str, Any]]], np.ndarray]
"""Objectives (``n × n_obj``, minimised) of a generation's new candidates."""


def search(
    space: LeverSpace,
    evaluate: Evaluate,
    n_obj: int,
    *,
    generations: int,
    population: int,
    seed: int,
    on_generation: Callable[[int, int, int], None] | None = None,
) -> SearchResult:
    """NSGA-II over the levers, one call of ``evaluate`` per generation.

    Args:
        space: The levers.
        evaluate: The objectives of candidates not evaluated before (each distinct
            candidate is evaluated once; a generation with none new calls nothing).
        n_obj: Number of objectives.
        generations: Generations (the first is the random initial population).
        population: NSGA-II's population size (and offspring per generation).
        seed: pymoo's seed; with the same values from ``evaluate`` the same seed
            proposes the same candidates.
        on_generation: Called with (generation, proposed, new) before evaluating.

    Returns:
        Every candidate evaluated and the non-dominated ones among them.

    Raises:
        ValueError: If ``evaluate`` returns the wrong shape or values that are not finite.
    """
    problem = Problem(n_var=space.n_var, n_obj=n_obj, xl=0.0, xu=1.0)
    algorithm = NSGA2(pop_size=population)
    algorithm.setup(problem, seed=seed, termination=("n_gen", generations), verbose=False)
    index: dict[str, int] = {}
    evaluated: list[Evaluated] = []
    generation = 0
    while algorithm.has_next():
        generation += 1
        pop = algorithm.ask()
        candidates = [space.decode(x) for x in pop.get("X")]
        keys = [space.key(c) for c in candidates]
        new: dict[str, dict[str, Any]] = {}
        for key, candidate in zip(keys, candidates, strict=True):
            if key not in index and key not in new:
                new[key] = candidate
        if on_generation is not None:
            on_generation(generation, len(candidates), len(new))
        if new:
            values = np.asarray(evaluate(list(new.values())), dtype=float)
            if values.shape != (len(new), n_obj):
                raise ValueError(f"evaluate returned shape {values.shape}, not {(len(new), n_obj)}")
            if not np.isfinite(values).all():
                raise ValueError("evaluate returned values that are not finite")
            for (key, candidate), row in zip(new.items(), values, strict=True):
                index[key] = len(evaluated)
                evaluated.append(Evaluated(candidate, row.copy(), generation))
        objectives = np.array([evaluated[index[key]].objectives for key in keys])
        Evaluator().eval(StaticProblem(problem, F=objectives), pop)
        algorithm.tell(infills=pop)
    all_values = np.array([e.objectives for e in evaluated]).reshape(len(evaluated), n_obj)
    front = sorted(
        (int(i) for i in non_dominated(all_values)),
        key=lambda i: (tuple(evaluated[i].objectives), space.key(evaluated[i].candidate)),
    )
    return SearchResult(evaluated, front, generation)


__all__ = [
    "DEFAULT_LEVERS",
    "DEFAULT_OBJECTIVES",
    "OBJECTIVES",
    "SCHEME",
    "SEARCH_ORIGIN",
    "Evaluated",
    "Lever",
    "LeverSpace",
    "Objective",
    "SearchResult",
    "dominates",
    "non_dominated",
    "objective_metrics",
    "objective_values",
    "search",
    "uncertainty_sample",
]
