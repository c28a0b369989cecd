"""Global sensitivity of the outcomes to the declared uncertainties (SALib).

Which assumptions decide the answer? A sensitivity analysis varies every declared
uncertainty (:class:`scenarios.UncertaintySection`) over its whole distribution at
once and splits the variance of an outcome — or of its paired difference to a
baseline, which is what the Unterarbeitsgruppe decides on — among them:

* **Sobol** (Saltelli's design, Jansen's estimators in SALib): the first-order index
  ``S1`` is the share of the variance an assumption explains alone, the total index
  ``ST`` the share it explains with all its interactions; ``ST ≈ 0`` means the
  assumption can be fixed anywhere in its range without changing the answer. The
  design has ``N · (D + 2)`` points for ``D`` assumptions (``N`` a power of two).
* **Morris** (elementary effects): ``μ*`` (mean absolute effect of moving one
  assumption by a step, in the outcome's unit) and ``σ`` (spread of those effects:
  interactions or non-linearity); ``N · (D + 1)`` points, the cheap screen.

The design lives on the unit cube; every point is mapped through each assumption's
declared distribution (:func:`experiments.sweep.sample_value`), so a uniform,
triangular or cut-normal assumption is sampled as it is declared and the indices
answer "how much of the spread comes from this assumption, as uncertain as it is
declared". Confidence intervals are SALib's bootstrap intervals (95 %).

The model is stochastic: each point's figure is the mean over ``R`` replicates with
the same seeds at every point (common random numbers), and with a baseline the
paired difference, whose noise is much smaller than either run's. What noise
remains inflates ``ST`` and the intervals a little; the ranking is what to read.

References:
    Saltelli, A. et al. (2010): Variance based sensitivity analysis of model output.
    Computer Physics Communications 181, 259–270.
    Morris, M. D. (1991): Factorial sampling plans for preliminary computational
    experiments. Technometrics 33, 161–174.
    Herman, J., Usher, W. (2017): SALib. Journal of Open Source Software 2(9), 97.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from results import MEASURE_LABELS

Method = Literal["sobol", "morris"]
METHODS: tuple[str, ...] = ("sobol", "morris")
"""Methods of :func:`sensitivity_design`."""

MORRIS_LEVELS = 4
"""Grid levels of the Morris design (SALib's default; steps of 2/3 of the range)."""

CONF_LEVEL = 0.95
"""Level of the bootstrap confidence intervals."""

MEASURES: dict[str, tuple[str, ...]] = {
    "sobol": ("ST", "S1"),
    "morris": ("mu_star", "sigma"),
}
"""Measures each method reports; the first one ranks the assumptions."""


@dataclass(frozen=True)
class SensitivityDesign:
    """A sensitivity design on the unit cube.

    Attributes:
        method: ``sobol`` or ``morris``.
        columns: The assumptions (dotted paths), one per column.
        unit_samples: The design's points on ``[0, 1]``, one row each.
        base_samples: ``N`` (Sobol: base sample; Morris: trajectories).
        seed: Seed the design was drawn with.
    """

    method: str
    columns: tuple[str, ...]
    unit_samples: np.ndarray
    base_samples: int
    seed: int

    @property
    def problem(self) -> dict:
        """SALib's problem description (bounds: the unit cube)."""
        return {
            "num_vars": len(self.columns),
            "names": list(self.columns),
            "bounds": [[0.0, 1.0]] * len(self.columns),
        }


def design_size(method: str, base_samples: int, n_columns: int) -> int:
    """Points of a design (Sobol ``N (D + 2)``, Morris ``N (D + 1)``).

    >>> design_size("sobol", 64, 14), design_size("morris", 10, 14)
    (1024, 150)
    """
    return base_samples * (n_columns + (2 if method == "sobol" else 1))


def sensitivity_design(
    method: str, columns: Sequence[str], base_samples: int, seed: int
) -> SensitivityDesign:
    """Draw a Sobol (Saltelli) or Morris design on the unit cube.

    Args:
        method: ``sobol`` or ``morris``.
        columns: The assumptions (at least two).
        base_samples: ``N``; for Sobol a power of two (Saltelli's sequence needs it
            for its balance properties).
        seed: Seed of the scrambled Sobol sequence or the Morris trajectories.

    Raises:
        ValueError: For an unknown method, fewer than two columns, or a Sobol ``N``
            that is not a power of two.
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in METHODS:
        raise ValueError(f"unknown method {method}")
    if len(columns) < 2:
        raise ValueError("a sensitivity analysis needs at least two uncertainties")
    problem = {
        "num_vars": len(columns),
        "names": list(columns),
        "bounds": [[0.0, 1.0]] * len(columns),
    }
    if method == "sobol":
        if base_samples < 2 or base_samples & (base_samples - 1):
            raise ValueError(f"Sobol base sample {base_samples} is not a power of two")
        samples = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    else:
        samples = morris_sample.sample(problem, base_samples, num_levels=MORRIS_LEVELS, seed=seed)
    return SensitivityDesign(method, tuple(columns), np.clip(samples, 0.0, 1.0), base_samples, seed)


def sensitivity_indices(
    design: SensitivityDesign, y: np.ndarray, labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """The indices of one outcome over the design's points.

    Args:
        design: From :func:`sensitivity_design`.
        y: The outcome at every point of the design, in order.
        labels: German names of the columns (default: the paths).

    Returns:
        parameter, label, measure, value, conf (half width of the 95 % interval;
        NaN where the method gives none), ranked by the method's first measure.

    Raises:
        ValueError: If ``y`` does not have one finite value per point.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    y = np.asarray(y, dtype=float)
    if y.shape != (design.unit_samples.shape[0],) or not np.isfinite(y).all():
        raise ValueError("one finite outcome per design point needed")
    names = list(labels) if labels is not None else list(design.columns)
    rows = []
    if np.ptp(y) == 0.0:  # a constant outcome: no assumption matters (SALib divides by 0)
        for path, label in zip(design.columns, names, strict=True):
            for measure in MEASURES[design.method]:
                rows.append((path, label, measure, 0.0, 0.0))
    elif design.method == "sobol":
        res = sobol_analyze.analyze(
            design.problem, y, calc_second_order=False, conf_level=CONF_LEVEL, seed=design.seed
        )
        for k, (path, label) in enumerate(zip(design.columns, names, strict=True)):
            rows.append((path, label, "ST", float(res["ST"][k]), float(res["ST_conf"][k])))
            rows.append((path, label, "S1", float(res["S1"][k]), float(res["S1_conf"][k])))
    else:
        res = morris_analyze.analyze(
            design.problem,
            design.unit_samples,
            y,
            conf_level=CONF_LEVEL,
            num_levels=MORRIS_LEVELS,
            seed=design.seed,
        )
        for k, (path, label) in enumerate(zip(design.columns, names, strict=True)):
            mu_star, conf = float(res["mu_star"][k]), float(res["mu_star_conf"][k])
            rows.append((path, label, "mu_star", mu_star, conf))
            rows.append((path, label, "sigma", float(res["sigma"][k]), float("nan")))
    frame = pd.DataFrame(rows, columns=["parameter", "label", "measure", "value", "conf"])
    return ranked(frame, design.method)


def ranked(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    """Indices sorted by the method's ranking measure (largest first), then measure."""
    lead = MEASURES[method][0]
    order = frame[frame["measure"] == lead].set_index("parameter")["value"]
    rank = {p: i for i, p in enumerate(order.sort_values(ascending=False, kind="stable").index)}
    out = frame.assign(_rank=frame["parameter"].map(rank))
    out = out.assign(_m=out["measure"].map({m: i for i, m in enumerate(MEASURES[method])}))
    return out.sort_values(["_rank", "_m"], kind="stable").drop(columns=["_rank", "_m"])


__all__ = [
    "CONF_LEVEL",
    "MEASURES",
    "MEASURE_LABELS",
    "METHODS",
    "MORRIS_LEVELS",
    "Method",
    "SensitivityDesign",
    "design_size",
    "ranked",
    "sensitivity_design",
    "sensitivity_indices",
]
