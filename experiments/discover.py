"""Scenario discovery: the boxes of assumptions under which an outcome is a case (PRIM).

A study (:class:`experiments.study.Study`) gives one figure per point of the declared
uncertainties; a point is a *case* when its figure (or its paired difference to the
baseline) is above or below a value the user names ("the variant overspends",
"unmet need rises"). :func:`find_boxes` runs the Patient Rule Induction Method of
Friedman and Fisher (1999) — the ``prim`` package, a standalone version of the EMA
Workbench's — on the points and their cases, and :func:`box_sentence` says what a box
means in plain German.

A box is chosen from PRIM's peeling trajectory: among the steps whose density (share
of cases among the box's points) reaches the threshold, the one of largest coverage
(share of all cases inside the box) × density, so a little more coverage does not
buy much less density. Its limits are then relaxed side by side to the sample's edge
where that costs (almost) nothing, so a side that does not matter is not named (a box
that restricts a dimension by a hair at its edge says nothing about that assumption),
and restrictions PRIM's quasi-p test does not support are dropped while the density
stays at the threshold (in a small sample many are chance).
Further boxes are searched among the points outside the boxes found, as in PRIM's
covering approach.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from results import SCENARIO_UNIT_LABELS
from scenarios import fmt_num

PEEL_ALPHA = 0.05
"""Share of a box's points PRIM peels off in one step (the package's default)."""

UNIT_SUFFIXES: dict[str, str] = {
    **SCENARIO_UNIT_LABELS,
    "families/FLS": "Familien je Fachleistungsstunde",
    "proposals/year": "Anträge je Jahr",
    "places/1000 u21": "Plätze je 1.000 unter 21-Jährige",
    "FLS/week": "Fachleistungsstunden je Woche",
    "FLS/month": "Fachleistungsstunden je Monat",
    "years": "Jahre",
}
"""German text after a value of an uncertainty in the units the scenario files use."""

_PER = {"year": "Jahr", "month": "Monat", "day": "Tag", "FLS": "Fachleistungsstunde"}


@dataclass(frozen=True)
class Step:
    """One box of PRIM's peeling and pasting trajectory.

    Attributes:
        coverage: Share of all cases inside the box.
        density: Share of cases among the box's points.
        mass: Share of all points inside the box.
        restricted: Number of restricted dimensions.
    """

    coverage: float
    density: float
    mass: float
    restricted: int


@dataclass(frozen=True)
class Box:
    """A box of assumptions found by PRIM.

    Attributes:
        limits: Lower and upper limit of every restricted column (columns the box
            does not restrict are absent), the most significant first.
        ranges: Smallest and largest sampled value of each restricted column; a
            limit equal to its end of the range does not restrict that side.
        coverage: Share of all cases that lie inside the box (and outside earlier
            boxes: a later box is searched among the points the earlier ones leave).
        density: Share of cases among the box's points (outside earlier boxes).
        mass: Share of all points inside the box.
        n_in: Points inside the box.
        n_cases_in: Cases inside the box.
        quasi_p: PRIM's quasi-p value of each restricted column (one-sided binomial
            test of the density without that restriction; small: it matters).
        trajectory: The peeling and pasting trajectory the box was chosen from.
        selected: Index of the chosen step in ``trajectory`` (before relaxing).
    """

    limits: dict[str, tuple[float, float]]
    ranges: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float
    n_in: int
    n_cases_in: int
    quasi_p: dict[str, float]
    trajectory: tuple[Step, ...]
    selected: int

    def restricts_low(self, column: str) -> bool:
        """Whether the box's lower limit on ``column`` lies above the sample's smallest value."""
        return self.limits[column][0] > self.ranges[column][0]

    def restricts_high(self, column: str) -> bool:
        """Whether the box's upper limit on ``column`` lies below the sample's largest value."""
        return self.limits[column][1] < self.ranges[column][1]

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` lie inside the box's limits (boolean array)."""
        inside = np.ones(len(x), dtype=bool)
        for column, (low, high) in self.limits.items():
            values = x[column].to_numpy(dtype=float)
            inside &= (values >= low) & (values <= high)
        return inside


def find_boxes(
    x: pd.DataFrame,
    cases: np.ndarray,
    *,
    threshold: float = 0.8,
    max_boxes: int = 3,
    min_mass: float = 0.05,
) -> list[Box]:
    """The boxes of ``x`` in which the cases are dense (PRIM with covering).

    Args:
        x: One row per point, one numeric column per uncertainty.
        cases: Whether each row is a case (boolean, as long as ``x``).
        threshold: Least density of a box, 0 < threshold ≤ 1.
        max_boxes: Most boxes to find.
        min_mass: Least share of all points inside a box (PRIM stops peeling there).

    Returns:
        The boxes in the order found; empty if there is no case, if every point is
        a case (nothing to tell apart), or if no restricting box reaches the density.

    Raises:
        ValueError: If the input does not fit (lengths, non-numeric or non-finite
            values, parameters out of range).
    """
    flags = np.asarray(cases)
    if flags.ndim != 1 or len(flags) != len(x):
        raise ValueError(f"cases of shape {flags.shape} for {len(x)} points")
    if flags.dtype != bool:
        raise ValueError(f"cases must be boolean, got {flags.dtype}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold {threshold} not in (0, 1]")
    if max_boxes < 1:
        raise ValueError(f"max_boxes {max_boxes} < 1")
    if not 0.0 < min_mass < 1.0:
        raise ValueError(f"min_mass {min_mass} not in (0, 1)")
    if x.shape[1] == 0:
        raise ValueError("no columns")
    values = x.astype(float)
    if not np.isfinite(values.to_numpy()).all():
        raise ValueError("x has missing or infinite values")
    if not flags.any() or flags.all():
        return []

    import prim  # late: the package loads matplotlib (seconds)

    names = [str(c) for c in x.columns]
    frame = pd.DataFrame(values.to_numpy(), columns=[f"x{i}" for i in range(len(names))])
    by_field = dict(zip(frame.columns, names, strict=True))
    finder = prim.Prim(
        frame,
        flags,
        threshold=None,
        mass_min=min_mass,
        peel_alpha=PEEL_ALPHA,
        paste_alpha=PEEL_ALPHA,
    )
    boxes: list[Box] = []
    for _ in range(max_boxes):
        found = finder.find_box()
        if found is None:
            break
        box = _chosen(found, threshold, min_mass, by_field)
        if box is None:
            break
        boxes.append(box)
    return boxes


def _trajectory(found: Any) -> tuple[Step, ...]:
    table = found.peeling_trajectory
    return tuple(
        Step(float(c), float(d), float(m), int(r))
        for c, d, m, r in zip(
            table["coverage"], table["density"], table["mass"], table["res dim"], strict=True
        )
    )


def _chosen(
    found: Any, threshold: float, min_mass: float, by_field: Mapping[str, str]
) -> Box | None:
    """Pick the step of a found PRIM box, relax its needless sides, describe it."""
    steps = _trajectory(found)
    candidates = [
        i
        for i, s in enumerate(steps)
        if s.restricted > 0 and s.density >= threshold and s.mass >= min_mass
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda i: (_worth(steps[i].coverage, steps[i].density), -i))
    found.select(best)
    _relax(found, threshold)
    _drop_insignificant(found, threshold)
    if int(found.res_dim) == 0:
        return None  # everything was relaxed: the remaining points are dense everywhere
    table = found.limits  # restricted columns, most significant (smallest quasi-p) first
    init = found.prim._box_init
    limits: dict[str, tuple[float, float]] = {}
    ranges: dict[str, tuple[float, float]] = {}
    quasi_p: dict[str, float] = {}
    for field in table.index:
        name = by_field[str(field)]
        limits[name] = (float(table.loc[field, "min"]), float(table.loc[field, "max"]))
        ranges[name] = (float(init[field][0]), float(init[field][1]))
        qp = float(table.loc[field, "qp values"])
        quasi_p[name] = qp if math.isfinite(qp) else 1.0
    n_in = len(found.yi)
    return Box(
        limits=limits,
        ranges=ranges,
        coverage=float(found.coverage),
        density=float(found.density),
        mass=float(found.mass),
        n_in=n_in,
        n_cases_in=int(np.sum(found.prim.y[found.yi])),
        quasi_p=quasi_p,
        trajectory=steps,
        selected=best,
    )


def _worth(coverage: float, density: float) -> float:
    """How good a box is: coverage × density.

    That is its cases squared over its points and all cases: a little more coverage
    does not buy much less density.
    """
    return coverage * density


RELAX_TOLERANCE = 0.02
"""Share of a box's worth (:func:`_worth`) a relaxed side may cost and still be dropped:
a side that cuts off a handful of points at the sample's edge tells nothing."""


def _relax(found: Any, threshold: float) -> None:
    """Move sides of the selected box to the sample's edge where they do not matter.

    Greedy: each round tries every restricted side and takes the relaxed box of most
    worth (:func:`_worth`) if its density still reaches ``threshold`` and it keeps all
    but :data:`RELAX_TOLERANCE` of the worth; it stops when no side passes. Relaxed
    boxes are added to the box's trajectory (PRIM's own ``update``), so the points PRIM
    leaves out before its next box are the final box's.
    """
    from prim.scenario_discovery_util import determine_restricted_dims, in_box

    prim_ = found.prim
    init = prim_._box_init
    remaining = prim_.yi_remaining
    while True:
        current = found._box_lims[found._cur_box]
        worth = _worth(float(found.coverage), float(found.density))
        options: list[tuple[float, float, Any, np.ndarray]] = []
        for field in determine_restricted_dims(current, init):
            for side in (0, 1):
                if current[field][side] == init[field][side]:
                    continue
                relaxed = copy.deepcopy(current)
                relaxed[field][side] = init[field][side]
                indices = remaining[in_box(prim_.x[remaining], relaxed)]
                n_cases = float(np.sum(prim_.y[indices]))
                density = n_cases / len(indices)  # never empty: it grew from the box
                relaxed_worth = _worth(n_cases / prim_.t_coi, density)
                if density >= threshold:
                    options.append((relaxed_worth, density, relaxed, indices))
        if not options:
            return
        relaxed_worth, _, relaxed, indices = max(options, key=lambda o: (o[0], o[1]))
        if relaxed_worth < worth * (1.0 - RELAX_TOLERANCE):
            return
        found.update(relaxed, indices)


QUASI_P_ALPHA = 0.05
"""A restriction whose quasi-p value is above this is not significant (Bryant and
Lempert 2010): the box's density without it is not shown to be lower."""


def _drop_insignificant(found: Any, threshold: float) -> None:
    """Drop restrictions PRIM's quasi-p test does not support, while density allows.

    In a small sample PRIM restricts many assumptions, each cutting off a point or two;
    such a restriction is chance, not a finding. Each round drops the least significant
    restriction (quasi-p above :data:`QUASI_P_ALPHA`) whose removal keeps the density
    at ``threshold``; it stops when none can go. The significant ones stay.
    """
    from prim.scenario_discovery_util import in_box

    prim_ = found.prim
    init = prim_._box_init
    remaining = prim_.yi_remaining
    while True:
        current = found._box_lims[found._cur_box]
        quasi_p = found.limits["qp values"]
        for field in sorted(quasi_p.index, key=lambda f: -float(quasi_p[f])):
            if not float(quasi_p[field]) > QUASI_P_ALPHA:
                continue
            relaxed = copy.deepcopy(current)
            relaxed[field][:] = init[field][:]
            indices = remaining[in_box(prim_.x[remaining], relaxed)]
            if float(np.mean(prim_.y[indices])) >= threshold:
                found.update(relaxed, indices)
                break
        else:
            return


# =========================================================================== German text


def _digits(width: float) -> int:
    """Decimals (negative: tens, hundreds …) of two significant digits of a range width.

    A sample of a hundred points does not place a limit more finely.
    """
    if not width > 0 or not math.isfinite(width):
        return 2
    return int(min(6, 1 - math.floor(math.log10(width))))


def _rounded(x: float, width: float) -> str:
    """``x`` rounded for a range ``width`` wide, German, without trailing zeros."""
    digits = _digits(width)
    text = fmt_num(round(x, digits), max(digits, 0))
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return "0" if text == "-0" else text


def format_quantity(x: float, unit: str, width: float) -> str:
    """A value of an uncertainty in German, rounded to what its sampled range shows.

    Args:
        x: The value.
        unit: Its unit in the scenario files (``share``, ``need/month``, ``EUR/year`` …).
        width: Width of the sampled range (sets the rounding: two significant digits
            of the range).

    Returns:
        For example ``60 %``, ``0,03 je Monat (Bedarfsskala)``, ``41.000 € je Jahr``.

    >>> format_quantity(0.597, "share", 1.0), format_quantity(0.0302, "need/month", 0.12)
    ('60 %', '0,03 je Monat (Bedarfsskala)')
    >>> format_quantity(41237.0, "EUR/year", 35000.0), format_quantity(-0.0049, "need/year", 0.06)
    ('41.000 € je Jahr', '-0,005 je Jahr (Bedarfsskala)')
    """
    base, _, per = unit.partition("/")
    if base in ("share", "probability"):
        text = f"{_rounded(100.0 * x, 100.0 * width)} %"
    elif base == "EUR":
        text = f"{_rounded(x, width)} €"
    else:
        return f"{_rounded(x, width)} {UNIT_SUFFIXES.get(unit, unit)}".strip()
    return f"{text} je {_PER.get(per, per)}" if per else text


def box_condition(box: Box, column: str, label: str, unit: str) -> str:
    """One restriction of a box in German: ``„Bedarfstrend“ über 0,01 je Jahr (…) liegt``.

    Args:
        box: The box.
        column: A restricted column of the box.
        label: German name of the uncertainty.
        unit: Its unit in the scenario files.
    """
    low, high = box.limits[column]
    width = box.ranges[column][1] - box.ranges[column][0]
    if box.restricts_low(column) and box.restricts_high(column):
        width = min(width, high - low) if high > low else width  # two limits stay apart
        lo, hi = format_quantity(low, unit, width), format_quantity(high, unit, width)
        lo_num, _, lo_unit = lo.partition(" ")
        if lo_unit and lo_unit == hi.partition(" ")[2]:
            lo = lo_num  # the unit once: ``zwischen 0,01 und 0,03 je Jahr (Bedarfsskala)``
        where = f"zwischen {lo} und {hi}"
    elif box.restricts_low(column):
        where = f"über {format_quantity(low, unit, width)}"
    else:
        where = f"unter {format_quantity(high, unit, width)}"
    return f"„{label}“ {where} liegt"


def _pct(share: float) -> str:
    return f"{fmt_num(100.0 * share, 0)} %"


def box_sentence(
    box: Box,
    labels: Mapping[str, str],
    units: Mapping[str, str],
    outcome_text: str,
    case_text: str,
) -> str:
    """What a box means, as one German sentence.

    Args:
        box: The box.
        labels: German name of each column (an unlisted column shows its path).
        units: Unit of each column in the scenario files.
        outcome_text: The outcome as the sentence names it (``„Ausgaben gesamt“
            (Differenz zum Vergleich)``).
        case_text: What makes a case (``über 0 €``).

    Returns:
        For example ``Wenn „Wirkung der Präventionsprojekte“ unter 0,03 je Monat
        (Bedarfsskala) liegt und „Reaktion der Träger auf Anreize“ über 60 % liegt,
        dann liegt „Ausgaben gesamt“ (Differenz zum Vergleich) in 84 % der Fälle über
        0 € (Dichte); die Box erfasst 71 % aller solchen Fälle (Abdeckung) und 22 %
        der Stichprobe.`` Only the restricted columns are named.
    """
    conditions = [
        box_condition(box, column, labels.get(column, column), units.get(column, ""))
        for column in box.limits
    ]
    if len(conditions) > 1:
        joined = ", ".join(conditions[:-1]) + " und " + conditions[-1]
    else:
        joined = conditions[0] if conditions else "die Annahmen beliebig sind"
    return (
        f"Wenn {joined}, dann liegt {outcome_text} in {_pct(box.density)} der Fälle "
        f"{case_text} (Dichte); die Box erfasst {_pct(box.coverage)} aller solchen Fälle "
        f"(Abdeckung) und {_pct(box.mass)} der Stichprobe."
    )


def box_record(
    box: Box,
    labels: Mapping[str, str],
    units: Mapping[str, str],
    sentence: str,
) -> dict[str, Any]:
    """A box as JSON-able data (for the results store).

    Returns:
        ``limits`` (per restricted column: label, unit, low, high, which sides
        restrict, quasi-p), ``coverage``, ``density``, ``mass``, ``n_in``,
        ``n_cases_in``, ``sentence``, ``trajectory`` (coverage, density, mass,
        restricted dimensions per step) and ``selected``.
    """
    limits: dict[str, Any] = {}
    for column, (low, high) in box.limits.items():
        limits[column] = {
            "label": labels.get(column, column),
            "unit": units.get(column, ""),
            "low": low,
            "high": high,
            "restricts_low": box.restricts_low(column),
            "restricts_high": box.restricts_high(column),
            "quasi_p": box.quasi_p[column],
        }
    return {
        "limits": limits,
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "n_in": box.n_in,
        "n_cases_in": box.n_cases_in,
        "sentence": sentence,
        "trajectory": [[s.coverage, s.density, s.mass, s.restricted] for s in box.trajectory],
        "selected": box.selected,
    }


__all__ = [
    "Box",
    "Step",
    "box_condition",
    "box_record",
    "box_sentence",
    "find_boxes",
    "format_quantity",
]
