"""Calibration targets: public figures with source, year, role and tolerance.

The targets live in ``calibration/targets/targets.yaml`` (German texts, one entry per
figure). Each names a *statistic* computed from a run's yearly ``Gesamt`` figures:

* ``sum``: the sum of metrics (e.g. ``cases_per_10k_31``), averaged over the years;
* ``per_u21``: the sum of metrics divided by ``under21``, times ``per``;
* ``share``: the sum of ``metrics`` divided by the sum of ``denominator``;
* ``stock_per_u21``: year-end stock (counted minus ended cases) of help ``codes`` per
  ``per`` under-21;
* ``duration_months``: Little's law, mean stock over the year divided by the helps
  ended per month, pooled over the years.

Targets with ``role: fit`` enter the ABC distance, ``holdout`` ones only the
validation report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenarios import (
    MAX_YAML_BYTES,
    from_validation_error,
    line_for,
    load_yaml_mapping,
    read_limited,
)

TARGETS_FILE = Path(__file__).resolve().parent / "targets" / "targets.yaml"


class Statistic(BaseModel):
    """How a target is computed from a run's yearly figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sum", "per_u21", "share", "stock_per_u21", "duration_months"]
    metrics: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    per: float = 1.0

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Statistic:
        needs_metrics = self.kind in ("sum", "per_u21", "share")
        if needs_metrics != bool(self.metrics):
            raise ValueError(f"metrics passt nicht zur Art {self.kind!r}")
        if (self.kind == "share") != bool(self.denominator):
            raise ValueError("denominator gehört genau zur Art 'share'")
        if (self.kind in ("stock_per_u21", "duration_months")) != bool(self.codes):
            raise ValueError(f"codes passt nicht zur Art {self.kind!r}")
        return self

    def required_metrics(self) -> set[str]:
        """Yearly metric names this statistic reads."""
        names = set(self.metrics) | set(self.denominator)
        if self.kind in ("per_u21", "stock_per_u21"):
            names.add("under21")
        for code in self.codes:
            names.update({f"cases_{code}", f"new_cases_{code}", f"ended_cases_{code}"})
        return names

    def compute(self, yearly: Mapping[str, np.ndarray]) -> float:
        """The statistic from yearly values (metric → array over the reported years)."""

        def total(names: Sequence[str]) -> np.ndarray:
            return np.sum([np.asarray(yearly[n], dtype=float) for n in names], axis=0)

        if self.kind == "sum":
            return float(np.mean(total(self.metrics)))
        if self.kind == "per_u21":
            u21 = np.maximum(np.asarray(yearly["under21"], dtype=float), 1.0)
            return float(np.mean(total(self.metrics) / u21 * self.per))
        if self.kind == "share":
            den = total(self.denominator)
            return float(np.sum(total(self.metrics)) / max(float(np.sum(den)), 1.0))
        counted = total([f"cases_{c}" for c in self.codes])
        new = total([f"new_cases_{c}" for c in self.codes])
        ended = total([f"ended_cases_{c}" for c in self.codes])
        stock_end = counted - ended
        if self.kind == "stock_per_u21":
            u21 = np.maximum(np.asarray(yearly["under21"], dtype=float), 1.0)
            return float(np.mean(stock_end / u21 * self.per))
        mean_stock = ((counted - new) + stock_end) / 2.0
        return float(12.0 * np.sum(mean_stock) / max(float(np.sum(ended)), 1.0))


class Target(BaseModel):
    """One public figure the model is compared with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    statistic: Statistic
    value: float
    unit: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    source: str = Field(min_length=10)
    derivation: str = Field(min_length=1)
    scale_note: str = Field(min_length=1)
    role: Literal["fit", "holdout"]
    holdout_reason: str | None = None
    tolerance: float | None = Field(default=None, gt=0, le=1)
    """Relative deviation of the simulated median still counted as a hit."""
    tolerance_note: str | None = Field(default=None, min_length=1, max_length=500)
    """Why the tolerance is what it is (the statistic's precision, a definition gap)."""
    bounds: tuple[float, float] | None = None
    """Instead of a tolerance: the range counted as a hit."""

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if (self.tolerance is None) == (self.bounds is None):
            raise ValueError(f"{self.id}: genau eines von tolerance oder bounds")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"{self.id}: bounds müssen aufsteigend sein")
        if self.role == "fit" and self.tolerance is None:
            raise ValueError(f"{self.id}: Zielgrößen zum Anpassen brauchen eine tolerance")
        if self.role == "holdout" and not self.holdout_reason:
            raise ValueError(f"{self.id}: zurückgehaltene Zielgröße ohne holdout_reason")
        if "http" not in self.source:
            raise ValueError(f"{self.id}: Quelle ohne Adresse")
        return self

    @property
    def hit_range(self) -> tuple[float, float]:
        """The range of simulated medians counted as a hit."""
        if self.bounds is not None:
            return self.bounds
        assert self.tolerance is not None
        return (self.value * (1 - self.tolerance), self.value * (1 + self.tolerance))

    def hit(self, simulated: float) -> bool:
        """Whether a simulated value lies within the tolerance (or bounds)."""
        low, high = self.hit_range
        return bool(low <= simulated <= high)


class TargetSet(BaseModel):
    """The targets file."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    targets: tuple[Target, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TargetSet:
        ids = [t.id for t in self.targets]
        if len(set(ids)) != len(ids):
            raise ValueError("doppelte id in den Zielgrößen")
        return self

    def by_role(self, role: str) -> tuple[Target, ...]:
        """Targets with the given role (``fit`` or ``holdout``)."""
        return tuple(t for t in self.targets if t.role == role)

    def required_metrics(self) -> set[str]:
        """Every yearly metric the targets read."""
        out: set[str] = set()
        for t in self.targets:
            out |= t.statistic.required_metrics()
        return out


def load_targets(path: str | Path = TARGETS_FILE) -> TargetSet:
    """Read (with the bounded YAML reader) and validate a targets file.

    Raises:
        ScenarioError: Naming the file, line and field (in German) for invalid YAML,
            a file over a limit, or any missing field, role or source.
    """
    doc = load_yaml_mapping(path, what="Zielgrößendatei")
    try:
        return TargetSet.model_validate(doc.data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, path, doc=doc.data, line_lookup=lambda loc: line_for(loc, doc.lines)
        ) from None


def targets_sha256(path: str | Path = TARGETS_FILE) -> str:
    """Hash of the targets file (written into every calibration file).

    Raises:
        ScenarioError: If the file cannot be read within the YAML size limit.
    """
    return hashlib.sha256(read_limited(path, MAX_YAML_BYTES)).hexdigest()


def yearly_figures(results: pd.DataFrame, metrics: set[str]) -> dict[str, np.ndarray]:
    """The yearly ``Gesamt`` values of the given metrics, ordered by year.

    Args:
        results: A run's tidy results (``year, month, region, metric, value``).
        metrics: Metric names.

    Raises:
        KeyError: If a metric is missing.
    """
    sel = results[(results.month == 0) & (results.region == "Gesamt")]
    sel = sel[sel.metric.isin(metrics)]
    wide = sel.pivot_table(index="year", columns="metric", values="value", aggfunc="first")
    missing = metrics - set(wide.columns)
    if missing:
        raise KeyError(f"Metriken fehlen in den Ergebnissen: {sorted(missing)}")
    wide = wide.sort_index()
    return {m: wide[m].to_numpy(dtype=float) for m in metrics}


def statistics(results: pd.DataFrame, targets: Sequence[Target]) -> np.ndarray:
    """Each target's statistic for one run, in the order of ``targets``."""
    needed: set[str] = set()
    for t in targets:
        needed |= t.statistic.required_metrics()
    yearly = yearly_figures(results, needed)
    return np.array([t.statistic.compute(yearly) for t in targets])


__all__ = [
    "TARGETS_FILE",
    "Statistic",
    "Target",
    "TargetSet",
    "load_targets",
    "statistics",
    "targets_sha256",
    "yearly_figures",
]
