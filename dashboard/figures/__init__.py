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

Colours: every scenario keeps one colour in every figure. The colour follows the
position of the scenario in the ``names`` mapping (scenario name → display title)
that each figure receives; the first entry is the baseline and is drawn dark grey,
the others take the calm, colour-blind-friendly :data:`PALETTE` in order. Pass the
same ``names`` (baseline first) to every figure of a page.

Bands: the frames of :mod:`dashboard.data` carry the quantiles ``q05 … q95`` over
runs; the 50 % band is ``q25``–``q75``, the 90 % band ``q05``–``q95``.
"""

from __future__ import annotations

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
    NO_DATA,
    PALETTE,
    POT_COLOURS,
    SEPARATORS,
    UnitScale,
    empty_figure,
    format_value,
    scenario_colours,
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
    "MALUS_LABEL",
    "MALUS_SURPLUS_LABEL",
    "NO_DATA",
    "PALETTE",
    "POT_COLOURS",
    "ROOT_LABEL",
    "SEPARATORS",
    "ExportError",
    "SankeyData",
    "UnitScale",
    "band_figure",
    "cases_by_type_figure",
    "difference_figure",
    "empty_figure",
    "equity_index",
    "equity_table",
    "figure_png",
    "figure_svg",
    "format_value",
    "overspend_figure",
    "pots_figure",
    "region_schematic",
    "regions_figure",
    "render_images",
    "sankey_data",
    "sankey_figure",
    "scenario_colours",
    "style_figure",
    "unit_scale",
]
