"""The dashboard: a Dash app comparing scenarios of a results store, and its briefing.

The command line imports these names from :mod:`dashboard`, never its modules:

* :func:`create_app` (the app on a store) and :func:`serve` with the checks of its
  command line (:func:`check_port`, :func:`check_workers`, :func:`check_bind`,
  :func:`check_store`, :func:`credentials`, :class:`ServeError`),
* the briefing for the Jugendhilfeausschuss: :class:`DashboardData` (the store's
  queries), :func:`build_briefing`, :func:`briefing_pdf`, :func:`find_chromium`,
  :class:`BriefingError` and :data:`MAX_COMPARED`,
* the what-if (for the benchmarks): :func:`cached_scenario`, :func:`load_config`,
  :func:`run_whatif`, :func:`slider_start`, :func:`stored_figures`,
* the ranked bar chart of ``sozialraum sensitivity --grafik`` (:func:`sensitivity_figure`)
  and its image export (:func:`figure_png`, :func:`figure_svg`, :class:`ExportError`).

The names are loaded on first use (:pep:`562`): Dash and plotly take seconds to
import, and a command that only checks a port should not wait for them.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "create_app": "dashboard.app",
    "MAX_COMPARED": "dashboard.context",
    "DashboardData": "dashboard.data",
    "BriefingError": "dashboard.printing",
    "briefing_pdf": "dashboard.printing",
    "find_chromium": "dashboard.printing",
    "build_briefing": "dashboard.briefing",
    "ServeError": "dashboard.server",
    "check_bind": "dashboard.server",
    "check_port": "dashboard.server",
    "check_store": "dashboard.server",
    "check_workers": "dashboard.server",
    "credentials": "dashboard.server",
    "serve": "dashboard.server",
    "cached_scenario": "dashboard.library",
    "load_config": "dashboard.whatif",
    "run_whatif": "dashboard.whatif",
    "slider_start": "dashboard.whatif",
    "stored_figures": "dashboard.whatif",
    "sensitivity_figure": "dashboard.figures.decision",
    "figure_png": "dashboard.figures.images",
    "figure_svg": "dashboard.figures.images",
    "ExportError": "dashboard.figures.images",
}
"""Public name → the module that defines it."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dashboard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
