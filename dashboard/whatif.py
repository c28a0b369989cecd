"""What-if runs for the dashboard: a baseline and a changed version, a few seeds, live.

The user moves sliders (split, incentive, key uncertainties); :func:`run_whatif`
loads the baseline scenario once and builds both versions of every seed with the
batch's recipe (:func:`experiments.run_spec`): the baseline exactly as a stored
batch run of the same seed, years and scale (including its posterior draw
``(seed − 1) mod n``), the changed version as a point with the sliders' overrides
(validated like any override) on top of the same draw. Both run with the same seeds
(common random numbers, shared burn-in where only levers changed); the result is
yearly values in the dashboard's tidy format. The size of the batch (seeds, years,
scale) comes from ``whatif.yaml`` with its reasons; the parameters of a scheme the
user picks come from the scheme's class (:func:`scheme_overrides`: each parameter's
``whatif`` value with its assumption, :mod:`model.incentives`). Values that scale
with the population are projected to the full Kreis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.library import library_scenario
from experiments import Point, RunOptions, execute_group, run_spec
from model.incentives import SCHEMES
from scenarios import Scenario, load_yaml_data

SETTINGS_FILE = Path(__file__).resolve().parent / "whatif.yaml"

BASE_NAME = "Basis"
CHANGED_NAME = "Was-wäre-wenn"

CHANGED_POINT = "was-waere-wenn"
"""Point id of the changed version in its run spec (never stored)."""

FIRST_SEED = 1
"""Seed of the first what-if replicate: the first seed of a batch by default
(``sozialraum batch --seed 1``), so seed ``s`` here is seed ``s`` there."""

METRICS: dict[str, bool] = {
    "total_spent": True,
    "spent_regional_2": True,
    "unmet_need_families": True,
    "ended_with_need": True,
    "cases_per_10k_total": False,
    "stationary_share": False,
}
"""Metrics shown on the what-if page → whether they scale with the population."""


def scheme_overrides(scheme: str) -> dict[str, Any]:
    """The ``incentive`` section of the changed version when the user picks ``scheme``.

    Each parameter of the scheme with its what-if value and, for a number, that
    value's assumption (:class:`model.incentives.SchemeParameter`). A name that is
    no registered scheme is passed on as it is, for the scenario validation to refuse.

    >>> scheme_overrides("flat")
    {'scheme': 'flat'}
    >>> scheme_overrides("retention")["retention_share"]["value"]
    0.5
    """
    incentive: dict[str, Any] = {"scheme": scheme}
    cls = SCHEMES.get(scheme)
    for p in cls.parameters if cls is not None else ():
        if p.kind == "pots":
            incentive[p.name] = list(p.whatif)  # type: ignore[arg-type]
        else:
            incentive[p.name] = {
                "value": p.whatif,
                "unit": p.unit,
                "assumption": p.whatif_assumption,
            }
    return incentive


@dataclass(frozen=True)
class WhatIfConfig:
    """Size of a what-if batch."""

    replicates: int
    years: int
    scale: float
    reasons: Mapping[str, str] = field(default_factory=dict)


def load_config(path: Path = SETTINGS_FILE) -> WhatIfConfig:
    """Read ``whatif.yaml``."""
    doc = load_yaml_data(path)  # bounded reader: size, depth, aliases, duplicate keys
    reasons = {
        k: doc[k].get("assumption") or doc[k].get("source", "")
        for k in ("replicates", "years", "scale")
    }
    return WhatIfConfig(
        replicates=int(doc["replicates"]["value"]),
        years=int(doc["years"]["value"]),
        scale=float(doc["scale"]["value"]),
        reasons=reasons,
    )


@dataclass(frozen=True)
class WhatIf:
    """The slider positions."""

    baseline: str
    bound_share: float
    regional2_share: float
    scheme: str
    trend_per_year: float
    responsiveness: float
    project_effect: float
    group_share: float = 0.0
    """Share of regional budget 2 for places in group offers."""

    def overrides(self, base: Scenario) -> dict[str, Any]:
        """Dotted overrides that turn the baseline into the changed version."""
        out: dict[str, Any] = {
            "budget.bound_share": self.bound_share,
            "budget.regional2_share": self.regional2_share,
            "need.trend_per_year": self.trend_per_year,
            "provider.responsiveness": self.responsiveness,
            "projects.effect_mean": self.project_effect,
            "budget.regional2_group_share": self.group_share,
        }
        if self.scheme != base.value_at("incentive.scheme"):
            out["incentive"] = scheme_overrides(self.scheme)
        return out


def slider_start(base: Scenario) -> WhatIf:
    """Slider positions equal to the baseline scenario."""
    return WhatIf(
        baseline=base.name,
        bound_share=float(base.value_at("budget.bound_share")),
        regional2_share=float(base.value_at("budget.regional2_share")),
        scheme=str(base.value_at("incentive.scheme")),
        trend_per_year=float(base.value_at("need.trend_per_year")),
        responsiveness=float(base.value_at("provider.responsiveness")),
        project_effect=float(base.value_at("projects.effect_mean")),
        group_share=float(base.params.budget.regional2_group_share),
    )


def run_whatif(
    what: WhatIf,
    config: WhatIfConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run the baseline and the changed version with the same seeds.

    The baseline of seed ``s`` is the run a batch of the baseline scenario with the
    same years and scale stores for seed ``s`` (same recipe, same posterior draw).

    Args:
        what: Slider positions.
        config: Batch size (default: ``whatif.yaml``).
        progress: Called with (runs done, runs total).

    Returns:
        Yearly values: scenario (``Basis``/``Was-wäre-wenn``), point_id, seed, year,
        region, metric, value, unit — Kreis totals, projected to full scale.

    Raises:
        ScenarioError: If the baseline is not a library scenario (no file is opened for
            anything else) or a slider value is not valid for the scenario.
    """
    config = config or load_config()
    options = RunOptions(years=config.years, scale=config.scale, seed_base=FIRST_SEED)
    base = library_scenario(what.baseline)  # a library name only, never a path
    changed = Point(CHANGED_POINT, what.overrides(base))
    total = 2 * config.replicates
    frames = []
    for r in range(config.replicates):
        baseline = run_spec(base, r, options=options)
        version = run_spec(base, r, point=changed, options=options)
        seed = baseline.seed
        # one seed: the batch runner shares the burn-in where only levers differ
        results = execute_group([baseline.task(), version.task()])
        for name, result in zip((BASE_NAME, CHANGED_NAME), results, strict=True):
            res = result.results
            res = res[(res["month"] == 0) & (res["region"] == "Gesamt")]
            res = res[res["metric"].isin(list(METRICS))].copy()
            res["scenario"] = name
            res["seed"] = seed
            frames.append(res)
        if progress is not None:
            progress(2 * (r + 1), total)
    out = pd.concat(frames, ignore_index=True)
    scaled = out["metric"].map(METRICS).astype(bool)
    out.loc[scaled, "value"] = out.loc[scaled, "value"] / config.scale
    out["point_id"] = "basis"
    return out[["scenario", "point_id", "seed", "year", "region", "metric", "value", "unit"]]


__all__ = [
    "BASE_NAME",
    "CHANGED_NAME",
    "CHANGED_POINT",
    "FIRST_SEED",
    "METRICS",
    "WhatIf",
    "WhatIfConfig",
    "load_config",
    "run_whatif",
    "scheme_overrides",
    "slider_start",
]
