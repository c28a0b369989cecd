"""Plotly figures for the dashboard and the briefing: tidy frames in, ``go.Figure`` out.

Pure functions without I/O (except the image export of :mod:`~dashboard.figures.images`),
one module per kind of figure: :mod:`~dashboard.figures.style` (colours, fonts, units,
empty figures), :mod:`~dashboard.figures.years` (per year), :mod:`~dashboard.figures.regions`
(per region), :mod:`~dashboard.figures.sankey` (money flows) and
:mod:`~dashboard.figures.images` (PNG and SVG). Pages and the briefing import the
names below from :mod:`dashboard.figures`. Everything a user
sees is German: titles, axis titles, legends, hover texts. Numbers follow the
German format of :mod:`scenarios.formatting` (``1.234.567 €``, ``12,5 %``): hover
texts are formatted in Python with ``fmt_eur``/``fmt_pct``/``fmt_num``, axis ticks
by plotly with ``layout.separators = ",."``.

Styles: every scenario keeps one colour, line dash and marker in every figure
(:class:`ScenarioStyle`). Pages and the briefing pass ``styles`` fixed once per
results store (:func:`fixed_styles`: the reference scenario dark grey and solid, the
others by their position in the store's sorted scenario list, from the calm,
colour-blind-friendly :data:`PALETTE`), so colours do not follow the selection or its
order. Without ``styles`` a figure numbers the scenarios of its ``names`` mapping
(scenario name → display title, baseline first) in order. Dashes and markers keep the
lines apart in black and white; ``labels`` write a short label at each line's end
(the briefing's charts have no legend).

Bands: the frames of :mod:`dashboard.data` carry the quantiles ``q05 … q95`` over
runs; the 50 % band is ``q25``–``q75``, the 90 % band ``q05``–``q95``.
"""

from __future__ import annotations

from dashboard.figures.decision import pareto_figure, sensitivity_figure
from dashboard.figures.images import ExportError, figure_png, figure_svg, render_images
from dashboard.figures.regions import equity_index, equity_table, region_schematic, regions_figure
from dashboard.figures.sankey import (
    MALUS_LABEL,
    MALUS_SURPLUS_LABEL,
    ROOT_LABEL,
    SankeyData,
    sankey_data,
    sankey_figure,
)
from dashboard.figures.style import (
    BASELINE_COLOUR,
    DASHES,
    LABEL_ANNOTATION,
    NO_DATA,
    PALETTE,
    POT_COLOURS,
    REFERENCE_STYLE,
    SEPARATORS,
    SYMBOLS,
    TEXT_COLOUR,
    ScenarioStyle,
    UnitScale,
    empty_figure,
    fixed_styles,
    format_value,
    label_line_ends,
    scenario_colours,
    scenario_styles,
    spread_apart,
    style_figure,
    unit_scale,
)
from dashboard.figures.years import (
    band_figure,
    cases_by_type_figure,
    difference_figure,
    overspend_figure,
    pots_figure,
)

__all__ = [
    "BASELINE_COLOUR",
    "DASHES",
    "LABEL_ANNOTATION",
    "MALUS_LABEL",
    "MALUS_SURPLUS_LABEL",
    "NO_DATA",
    "PALETTE",
    "POT_COLOURS",
    "REFERENCE_STYLE",
    "ROOT_LABEL",
    "SEPARATORS",
    "SYMBOLS",
    "TEXT_COLOUR",
    "ExportError",
    "SankeyData",
    "ScenarioStyle",
    "UnitScale",
    "band_figure",
    "cases_by_type_figure",
    "difference_figure",
    "empty_figure",
    "equity_index",
    "equity_table",
    "figure_png",
    "figure_svg",
    "fixed_styles",
    "format_value",
    "label_line_ends",
    "overspend_figure",
    "pareto_figure",
    "pots_figure",
    "region_schematic",
    "regions_figure",
    "render_images",
    "sankey_data",
    "sankey_figure",
    "scenario_colours",
    "scenario_styles",
    "sensitivity_figure",
    "spread_apart",
    "style_figure",
    "unit_scale",
]
