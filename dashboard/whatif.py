"""What-if runs for the dashboard: a changed version against a baseline, full fidelity.

The user moves sliders (split, incentive, key uncertainties); :func:`run_whatif`
builds both versions of every seed with the batch's recipe
(:func:`experiments.run_spec`): the baseline exactly as a stored batch run of the
same seed, years and scale (including its posterior draw ``(seed − 1) mod n``), the
changed version as a point with the sliders' overrides (validated like any override)
on top of the same draw. By default (``whatif.yaml``, with its reasons) it runs 20
paired seeds over the scenario's horizon with the whole population, and computes only
what changed (:mod:`experiments.paired`): a baseline run the store already holds is
taken from it (:func:`stored_figures`, read once when the app starts), each seed's
burn-in is continued from the app's private snapshot folder
(:mod:`experiments.snapshots`), and the seeds are spread over forked worker
processes that end with a cancelled job. The parameters of a scheme the user picks
come from the scheme's class (:func:`scheme_overrides`: each parameter's ``whatif``
value with its assumption, :mod:`model.incentives`). Values that scale with the
population are projected to the full Kreis.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.library import cached_scenario
from experiments import FIGURE_COLUMNS, PairedDesign, Point, RunOptions, run_pairs, run_spec
from model.incentives import SCHEMES
from model.reporters import TOTAL
from scenarios import Scenario, fmt_num, fmt_pct, load_yaml_data

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
    """Size of a what-if batch (``whatif.yaml``).

    Attributes:
        replicates: Paired seeds.
        years: Simulated years (None: the scenario's horizon).
        scale: Share of the population (None: the scenario's own, the whole Kreis).
        workers: Local processes (at most the machine's cores).
        cache_mb: Most megabytes of burn-in snapshots kept between what-ifs.
        reasons: The assumption or source of each value.
    """

    replicates: int
    years: int | None = None
    scale: float | None = None
    workers: int = 1
    cache_mb: int = 0
    reasons: Mapping[str, str] = field(default_factory=dict)

    def options(self) -> RunOptions:
        """The batch options of the what-if's runs (those of a stored batch to reuse)."""
        return RunOptions(years=self.years, scale=self.scale, seed_base=FIRST_SEED)

    def processes(self) -> int:
        """Worker processes: ``workers``, but no more than the machine's cores."""
        return max(1, min(self.workers, os.cpu_count() or 1))

    def describe(self, base: Scenario) -> str:
        """What a what-if on ``base`` runs, in German (shown on the page)."""
        years = self.years or base.params.years
        scale = base.params.scale if self.scale is None else self.scale
        population = (
            "die ganze Bevölkerung"
            if scale >= 1
            else f"{fmt_pct(scale, 0)} der Bevölkerung (Beträge auf den ganzen Kreis hochgerechnet)"
        )
        return (
            f"{self.replicates} gepaarte Seeds mit den Parameterziehungen der gespeicherten "
            f"Läufe, {years} Jahre, {population}"
        )


_CONFIG_KEYS = ("replicates", "years", "scale", "workers", "cache_mb")


def load_config(path: Path = SETTINGS_FILE) -> WhatIfConfig:
    """Read ``whatif.yaml`` (a ``null`` years or scale: the scenario's own)."""
    doc = load_yaml_data(path)  # bounded reader: size, depth, aliases, duplicate keys
    reasons = {k: doc[k].get("assumption") or doc[k].get("source", "") for k in _CONFIG_KEYS}
    years, scale = doc["years"]["value"], doc["scale"]["value"]
    return WhatIfConfig(
        replicates=int(doc["replicates"]["value"]),
        years=None if years is None else int(years),
        scale=None if scale is None else float(scale),
        workers=int(doc["workers"]["value"]),
        cache_mb=int(doc["cache_mb"]["value"]),
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


@dataclass(frozen=True)
class WhatIfRun:
    """A finished what-if: its values and what it ran.

    Attributes:
        values: Yearly values: scenario (``Basis``/``Was-wäre-wenn``), point_id, seed,
            year, region, metric, value, unit — Kreis totals, projected to full scale.
        replicates: Paired seeds.
        years: Simulated years.
        scale: Share of the population simulated.
        baselines_stored: Baseline runs taken from the results store.
        burn_ins_read: Burn-ins continued from a snapshot instead of simulated.
        burn_ins: Burn-ins the runs needed.
        seconds: Wall-clock time of the what-if.
    """

    values: pd.DataFrame
    replicates: int
    years: int
    scale: float
    baselines_stored: int
    burn_ins_read: int
    burn_ins: int
    seconds: float

    def summary(self) -> str:
        """What ran, in German (shown under the charts)."""
        runs = self.replicates + (self.replicates - self.baselines_stored)
        return (
            f"Gerechnet: {self.replicates} gepaarte Seeds, {self.years} Jahre, "
            f"{fmt_pct(self.scale, 0)} der Bevölkerung; Basis aus dem Ergebnisspeicher: "
            f"{self.baselines_stored} von {self.replicates} Läufen, {runs} Läufe neu, "
            f"Einschwingphase aus dem Zwischenspeicher: {self.burn_ins_read} von "
            f"{self.burn_ins}; {fmt_num(self.seconds, 1)} s."
        )


def stored_figures(store: Any, scenarios: Sequence[str]) -> pd.DataFrame:
    """The yearly Kreis figures of the finished runs of ``scenarios``, for reuse.

    Args:
        store: The results store, or the dashboard's queries on it (anything with
            ``query(sql, params)``).
        scenarios: Scenario names.

    Returns:
        run_id, year, metric, value, unit (month 0, region ``Gesamt``).
    """
    if not scenarios:
        return pd.DataFrame(columns=["run_id", *FIGURE_COLUMNS])
    metrics = list(METRICS)
    return store.query(
        f"""SELECT r.run_id, r.year, r.metric, r.value, r.unit
            FROM results r JOIN runs m USING (run_id)
            WHERE m.status = 'done' AND r.month = 0 AND r.region = ?
              AND r.metric IN ({", ".join("?" for _ in metrics)})
              AND m.scenario IN ({", ".join("?" for _ in scenarios)})""",
        [TOTAL, *metrics, *scenarios],
    )


def run_whatif(
    what: WhatIf,
    config: WhatIfConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
    stored: pd.DataFrame | None = None,
    cache: Path | None = None,
) -> WhatIfRun:
    """Run the changed version against the baseline with the same seeds.

    The baseline of seed ``s`` is the run a batch of the baseline scenario with the
    what-if's options stores for seed ``s`` (same recipe, same posterior draw); where
    ``stored`` holds that run's figures they are used and the baseline is not run
    again. Runs continue from their seed's burn-in in ``cache`` where it can be
    shared (:mod:`experiments.snapshots`), on ``config.workers`` processes.

    Args:
        what: Slider positions.
        config: Batch size (default: ``whatif.yaml``).
        progress: Called with (seeds done, seeds total).
        stored: Figures of stored runs (:func:`stored_figures`); None: none.
        cache: The private folder of burn-in snapshots (None: none kept).

    Returns:
        The values and what was run.

    Raises:
        ScenarioError: If the baseline is not a library scenario (no file is opened for
            anything else) or a slider value is not valid for the scenario.
    """
    t0 = time.perf_counter()
    config = config or load_config()
    options = config.options()
    base = cached_scenario(what.baseline)  # a library name only, never a path
    changed = Point(CHANGED_POINT, what.overrides(base))
    run_spec(base, 0, point=changed, options=options)  # a bad slider value: an error here
    have = stored if stored is not None else pd.DataFrame(columns=["run_id", *FIGURE_COLUMNS])
    design = PairedDesign(
        base=base,
        changed=changed,
        options=options,
        metrics=tuple(METRICS),
        stored=frozenset(have["run_id"]),
        cache=None if cache is None or config.cache_mb <= 0 else str(cache),
        cache_bytes=config.cache_mb * 2**20,
    )
    outcomes = run_pairs(design, config.replicates, config.processes(), progress)
    by_run = dict(tuple(have.groupby("run_id"))) if len(have) else {}
    frames = []
    for o in outcomes:
        baseline = o.baseline if o.baseline is not None else by_run[o.baseline_run]
        for name, res in ((BASE_NAME, baseline), (CHANGED_NAME, o.changed)):
            frames.append(res[FIGURE_COLUMNS].assign(scenario=name, seed=o.seed))
    out = pd.concat(frames, ignore_index=True)
    scale = float(base.params.scale if config.scale is None else config.scale)
    scaled = out["metric"].map(METRICS).astype(bool)
    out.loc[scaled, "value"] = out.loc[scaled, "value"] / scale
    out["point_id"] = "basis"
    out["region"] = TOTAL
    columns = ["scenario", "point_id", "seed", "year", "region", "metric", "value", "unit"]
    return WhatIfRun(
        values=out[columns],
        replicates=config.replicates,
        years=int(config.years or base.params.years),
        scale=scale,
        baselines_stored=sum(o.baseline is None for o in outcomes),
        burn_ins_read=sum(o.burn_ins_read for o in outcomes),
        burn_ins=sum(o.burn_ins for o in outcomes),
        seconds=time.perf_counter() - t0,
    )


__all__ = [
    "BASE_NAME",
    "CHANGED_NAME",
    "CHANGED_POINT",
    "FIRST_SEED",
    "METRICS",
    "WhatIf",
    "WhatIfConfig",
    "WhatIfRun",
    "load_config",
    "run_whatif",
    "scheme_overrides",
    "slider_start",
    "stored_figures",
]
