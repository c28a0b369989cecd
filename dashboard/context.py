"""What every page of one app shares: the store, the scenarios and the shared selection.

:class:`AppContext` is computed once when the app is built (:func:`build_context`):
the scenarios of the store with their display names and dropdown options, the
initial baseline and compared scenarios (from ``defaults.yaml``,
:mod:`dashboard.defaults`), the fixed style of every scenario (colour, dash, marker;
the same whatever is selected), the what-if slider starts of the library scenarios,
the what-if batch size, the runs manifest and the calibration warnings of the library
scenarios (:mod:`calibration.freshness`). Pages read it to build their layout and
request rules; nothing in it changes while the app runs.

The shared selection (baseline and compared scenarios, in the shell's dropdowns)
becomes the list of scenarios a page shows with :func:`selection`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from calibration.freshness import calibration_warnings
from dashboard.data import DashboardData
from dashboard.defaults import Defaults, initial_selection, load_defaults
from dashboard.figures import ScenarioStyle, fixed_styles
from dashboard.library import cached_scenario, library_names
from dashboard.whatif import WhatIf, WhatIfConfig, load_config, slider_start, stored_figures
from scenarios import ScenarioError

MAX_COMPARED = 4
"""Scenarios compared with the baseline at once (the dashboard and ``sozialraum vorlage``).

Every chart has one legend line per scenario below a plot of fixed height (the
briefing's charts are sized for A4, :data:`dashboard.briefing.CHART_HEIGHTS`).
Measured on the ten Lüneburg scenarios: with four variants the difference chart keeps
a plot area of about 110 of its 320 pixels; with eight it shrinks to a strip of
about 50 pixels in which the years' labels run into the legend and the intervals
can no longer be read. A Jugendhilfeausschuss decides between a few variants, so
four beside the baseline is the most a briefing shows."""


def scenario_names(names: Sequence[str]) -> dict[str, str]:
    """Display name per scenario: its title from the library, else its stored name."""
    out = {}
    for name in names:
        try:
            title = cached_scenario(name).title
        except ScenarioError:
            title = None
        out[name] = title or name
    return out


def whatif_starts(stored: Sequence[str]) -> dict[str, WhatIf]:
    """Slider start per store scenario that the what-if page can load from the library."""
    starts = {}
    for name in stored:
        if name not in library_names():
            continue
        try:
            starts[name] = slider_start(cached_scenario(name))
        except ScenarioError:
            continue
    return starts


def calibration_notes(stored: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """German calibration warnings per store scenario of the library (none: not listed).

    A stale calibration, or one of unknown freshness, of the scenario's calibration
    file (:func:`calibration.freshness.calibration_warnings`), checked once at start
    like everything else of the library the dashboard reads. Scenarios of the store
    that are not in the library are not read, so not checked.
    """
    notes = {}
    for name in stored:
        if name not in library_names():
            continue
        try:
            lines = calibration_warnings([cached_scenario(name)])
        except ScenarioError:
            continue
        if lines:
            notes[name] = tuple(lines)
    return notes


def scenario_option(name: str, label: str, description: Any) -> dict[str, Any]:
    """A dropdown option; the stored description is its tooltip."""
    option: dict[str, Any] = {"label": label, "value": name}
    if isinstance(description, str) and description:
        option["title"] = description
    return option


@dataclass(frozen=True)
class AppContext:
    """Everything the pages of one app share (computed once at start).

    Attributes:
        data: The store's queries.
        catalogue: Scenarios with finished runs (:meth:`DashboardData.scenarios`).
        stored: Their names, in store order.
        names: Display name per stored scenario.
        options: Dropdown options of the stored scenarios.
        baseline: Initial baseline (from ``defaults.yaml``, else a status quo).
        compared: Initially compared scenarios (from ``defaults.yaml`` where stored).
        styles: Style of every stored scenario, fixed for the app's lifetime (the
            initial baseline is the reference: dark grey, solid).
        starts: What-if slider start per scenario the what-if page can load.
        config: Size of a what-if batch.
        runs: The runs manifest.
        stored_figures: Yearly Kreis figures of the stored runs of the what-if's
            scenarios (:func:`dashboard.whatif.stored_figures`): a what-if reuses
            them instead of running its baseline again.
        snapshots: The app's private folder of burn-in snapshots for what-ifs (None:
            none kept).
        calibration: Calibration warnings per stored scenario (:func:`calibration_notes`).
        analyses: The stored analyses (:meth:`DashboardData.analyses`).
    """

    data: DashboardData
    catalogue: pd.DataFrame
    stored: list[str]
    names: dict[str, str]
    options: list[dict[str, Any]]
    baseline: str | None
    compared: list[str]
    styles: dict[str, ScenarioStyle]
    starts: dict[str, WhatIf]
    config: WhatIfConfig
    runs: pd.DataFrame
    stored_figures: pd.DataFrame
    snapshots: Path | None = None
    calibration: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    analyses: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def store_label(self) -> str:
        """How documents name the store (its file name; no path)."""
        return self.data.path.name

    def calibration_warnings(self, chosen: Sequence[str]) -> list[str]:
        """The calibration warnings of the chosen scenarios, each once, in order."""
        lines: list[str] = []
        for name in chosen:
            for line in self.calibration.get(name, ()):
                if line not in lines:
                    lines.append(line)
        return lines


def build_context(
    data: DashboardData, defaults: Defaults | None = None, snapshots: Path | None = None
) -> AppContext:
    """The shared context of an app on ``data``.

    Args:
        data: The store's queries.
        defaults: The initial selection (default: read ``defaults.yaml``).
        snapshots: Private folder of the what-if's burn-in snapshots (None: none).

    Raises:
        ScenarioError: If the defaults file is broken (file, field, line).
    """
    catalogue = data.scenarios()
    stored = list(catalogue["scenario"])
    names = scenario_names(stored)
    if defaults is None:
        defaults = load_defaults(max_compared=MAX_COMPARED)
    baseline, compared = initial_selection(stored, defaults, MAX_COMPARED)
    descriptions = dict(zip(catalogue["scenario"], catalogue["description"], strict=True))
    starts = whatif_starts(stored)
    return AppContext(
        data=data,
        catalogue=catalogue,
        stored=stored,
        names=names,
        options=[scenario_option(n, names[n], descriptions.get(n)) for n in stored],
        baseline=baseline,
        compared=compared,
        styles=store_styles(data, stored, defaults),
        starts=starts,
        config=load_config(),
        runs=data.runs(),
        stored_figures=stored_figures(data, list(starts)),
        snapshots=snapshots,
        calibration=calibration_notes(stored),
        analyses=data.analyses(),
    )


def store_styles(
    data: DashboardData, stored: Sequence[str] | None = None, defaults: Defaults | None = None
) -> dict[str, ScenarioStyle]:
    """The fixed style of every scenario of a store (as the dashboard draws them).

    The reference is the baseline the dashboard opens with; the briefing uses the
    same styles, so a scenario looks alike on the screen and on paper.

    Args:
        data: The store.
        stored: Its scenarios (default: queried).
        defaults: The initial selection (default: read ``defaults.yaml``).
    """
    names = list(data.scenarios()["scenario"]) if stored is None else list(stored)
    if defaults is None:
        defaults = load_defaults(max_compared=MAX_COMPARED)
    reference, _ = initial_selection(names, defaults, MAX_COMPARED)
    return fixed_styles(names, reference)


def selection(baseline: str | None, compared: Sequence[str] | None) -> list[str]:
    """The scenarios a page shows: the baseline first, then up to :data:`MAX_COMPARED`."""
    chosen = [s for s in (compared or []) if s != baseline][:MAX_COMPARED]
    return ([baseline] if baseline else []) + chosen


def ordered_names(chosen: Sequence[str], names: Mapping[str, str]) -> dict[str, str]:
    """Display names of the chosen scenarios, baseline first (the order of legends and bars).

    Colours and line styles come from :attr:`AppContext.styles`, not from this order.
    """
    return {s: names.get(s, s) for s in chosen}


__all__ = [
    "MAX_COMPARED",
    "AppContext",
    "build_context",
    "cached_scenario",
    "calibration_notes",
    "ordered_names",
    "scenario_names",
    "scenario_option",
    "selection",
    "store_styles",
    "whatif_starts",
]
