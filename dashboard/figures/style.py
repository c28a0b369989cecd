"""Style of every figure: colours, fonts, German number format, units and empty charts.

Every scenario keeps one colour in every figure (the baseline dark grey, the others
from :data:`PALETTE` in the order of ``names``); axis titles carry the unit, scaled to
thousands or millions where the values need it (:func:`unit_scale`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from results import RESULT_UNIT_LABELS
from scenarios import fmt_eur, fmt_num, fmt_pct

TOTAL = "Gesamt"

SEPARATORS = ",."
"""Plotly's decimal and thousands separators: ``1.234.567,5``."""

FONT_FAMILY = '"Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif'
TEXT_COLOUR = "#1f2933"
MUTED_COLOUR = "#52606d"
GRID_COLOUR = "#e4e7eb"

BASELINE_COLOUR = "#3e4c59"
"""The baseline (first entry of ``names``): dark slate grey."""

PALETTE: tuple[str, ...] = (
    "#1f77b4",  # blue
    "#d98c1f",  # ochre
    "#2e8b6e",  # green
    "#a8558a",  # plum
    "#56a0c8",  # sky
    "#b5553c",  # brick
    "#7d8a2e",  # olive
    "#6c5b9e",  # violet
)
"""Colours of the other scenarios, in the order of ``names`` (repeats after eight)."""

POT_COLOURS: dict[str, str] = {
    "bound": "#8da0b3",
    "regional_1": "#8fbf94",
    "regional_2": "#e3b76a",
    "central": "#b7aed3",
}
"""Pots have their own muted colours (they never share a figure with scenario colours)."""

NO_DATA = "Keine Daten für diese Auswahl"


# =========================================================================== style


def scenario_colours(names: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """Colour of every scenario: the first (baseline) dark grey, the others from the palette.

    Args:
        names: Scenario names in display order, baseline first (a mapping name →
            title or any iterable of names).

    Returns:
        Scenario name → hex colour.
    """
    colours: dict[str, str] = {}
    for i, name in enumerate(names):
        colours[name] = BASELINE_COLOUR if i == 0 else PALETTE[(i - 1) % len(PALETTE)]
    return colours


def _rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` → ``rgba(r, g, b, alpha)``."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _ordered(present: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """Scenarios in the order of ``names``, then any others in their own order."""
    seen = list(dict.fromkeys(present))
    return [s for s in names if s in seen] + [s for s in seen if s not in names]


def _colours_for(present: Iterable[str], names: Mapping[str, str]) -> dict[str, str]:
    keys = list(names) + [s for s in dict.fromkeys(present) if s not in names]
    return scenario_colours(keys)


def _title_of(name: str, names: Mapping[str, str]) -> str:
    return names.get(name) or name


def _wrap(text: str, width: int = 42) -> str:
    """Break a long label into lines for plotly (``<br>``)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def style_figure(
    fig: go.Figure,
    *,
    title: str | None,
    x_title: str | None = "Jahr",
    y_title: str | None = None,
    years: Sequence[int] | None = None,
    height: int = 420,
) -> go.Figure:
    """Apply the shared German style: separators, font, calm grid, legend below.

    Args:
        fig: The figure (changed in place and returned).
        title: Figure title (None: no title).
        x_title: Title of the x axis.
        y_title: Title of the y axis.
        years: If given, the x axis shows exactly these years as integer ticks.
        height: Figure height in pixels.

    Returns:
        The same figure.
    """
    fig.update_layout(
        template="none",  # no template to deep-copy per figure; the style is all set here
        separators=SEPARATORS,
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        title=(
            {"text": title, "x": 0.01, "xref": "container", "xanchor": "left", "font": {"size": 16}}
            if title
            else None
        ),
        height=height,
        margin={"l": 70, "r": 20, "t": 60 if title else 25, "b": 60},
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.2,
            "xanchor": "left",
            "x": 0.0,
            "font": {"size": 12},
        },
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 13}, "namelength": -1},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    fig.update_xaxes(
        title_text=x_title,
        title_standoff=6,
        gridcolor=GRID_COLOUR,
        zeroline=False,
        linecolor=GRID_COLOUR,
    )
    fig.update_yaxes(
        title_text=y_title,
        gridcolor=GRID_COLOUR,
        zerolinecolor="#9aa5b1",
        linecolor=GRID_COLOUR,
        tickformat=",~f",
    )
    if years is not None:
        ticks = sorted({int(y) for y in years})
        fig.update_xaxes(
            tickmode="array",
            tickvals=ticks,
            ticktext=[str(y) for y in ticks],
            range=[ticks[0] - 0.5, ticks[-1] + 0.5] if ticks else None,
        )
    return fig


def empty_figure(message: str = NO_DATA, title: str | None = None) -> go.Figure:
    """A figure without data that says so (German), in the shared style."""
    fig = go.Figure()
    style_figure(fig, title=title, x_title=None, height=300)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 15, "color": MUTED_COLOUR},
    )
    return fig


# =========================================================================== units


@dataclass(frozen=True)
class UnitScale:
    """How values of one unit are shown: axis factor, axis title and the hover format.

    Attributes:
        factor: Values are multiplied by this for the axis (100 for shares, 1e-6 for
            millions of euros).
        axis: Unit part of the axis title (``Mio. €``, ``%``).
        fmt: Formats an unscaled value for hover texts and tables (German).
    """

    factor: float
    axis: str
    fmt: Callable[[float], str]


def _decimals(values: Iterable[float]) -> int:
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    top = max(finite, default=0.0)
    return 0 if top >= 100 else 1 if top >= 10 else 2


def unit_scale(unit: str, values: Iterable[float] = ()) -> UnitScale:
    """The display of a unit of the results store, chosen for the given values.

    Euros are shown in ``Mio. €`` on the axis when the largest value reaches one
    million; shares (``Anteil``, ``ja/nein``) as percent. Hover texts always use the
    exact German format (``1.234.567 €``, ``12,5 %``).

    Args:
        unit: Unit as stored (``EUR`` or ``€``, ``Anteil``, ``Fälle``, ``je 10.000 u21`` …).
        values: The (unscaled) values to be shown, to choose the magnitude.

    Returns:
        The unit scale.
    """
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if unit in ("Anteil", "ja/nein"):
        return UnitScale(100.0, "%", lambda x: fmt_pct(x, 1))
    if unit in ("EUR", "€"):
        big = max((abs(v) for v in vals), default=0.0) >= 1e6
        return UnitScale(1e-6 if big else 1.0, "Mio. €" if big else "€", lambda x: fmt_eur(x))
    if unit == "EUR je JEW":
        return UnitScale(1.0, RESULT_UNIT_LABELS[unit], lambda x: f"{fmt_eur(x, 2)} je JEW")
    digits = _decimals(vals)
    label = RESULT_UNIT_LABELS.get(unit, unit)
    return UnitScale(1.0, label, lambda x: f"{fmt_num(x, digits)} {label}".rstrip())


def format_value(x: float, unit: str) -> str:
    """One value in its unit, German (``1.234.567 €``, ``12,5 %``, ``3,2 Monate``)."""
    return unit_scale(unit, [x]).fmt(x)


def _axis_title(label: str, scale: UnitScale) -> str:
    """``label (unit)``; just the unit when that would be too long for an axis."""
    if not scale.axis:
        return label
    full = f"{label} ({scale.axis})"
    return full if len(full) <= 32 else scale.axis


# =========================================================================== frames


def _one_series(q: pd.DataFrame) -> pd.DataFrame:
    """One region (``Gesamt`` if there are several) and exactly one metric."""
    if "region" in q.columns and q["region"].nunique() > 1:
        q = q[q["region"] == TOTAL]
    if "metric" in q.columns and q["metric"].nunique() > 1:
        raise ValueError(f"Figure expects one metric, got {sorted(q['metric'].unique())}")
    return q


def _last_year(frame: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if frame.empty or "year" not in frame.columns:
        return frame, year
    chosen = int(frame["year"].max()) if year is None else int(year)
    return frame[frame["year"] == chosen], chosen


__all__ = [
    "BASELINE_COLOUR",
    "FONT_FAMILY",
    "GRID_COLOUR",
    "MUTED_COLOUR",
    "NO_DATA",
    "PALETTE",
    "POT_COLOURS",
    "SEPARATORS",
    "TEXT_COLOUR",
    "TOTAL",
    "UnitScale",
    "empty_figure",
    "format_value",
    "scenario_colours",
    "style_figure",
    "unit_scale",
]
