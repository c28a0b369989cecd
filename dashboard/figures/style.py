"""Style of every figure: colours, fonts, German number format, units and empty charts.

Every scenario keeps one :class:`ScenarioStyle` (colour, line dash, marker symbol) in
every figure. The dashboard and the briefing fix the styles once per results store
(:func:`fixed_styles`: the reference scenario dark grey and solid, the others by their
position in the store's sorted list), so a scenario's colour does not depend on which
scenarios are selected or in which order; a figure given no styles numbers the
scenarios of its ``names`` in order (:func:`scenario_styles`). Line dashes and markers
keep the scenarios apart when a chart is printed in black and white. Axis titles carry
the unit, scaled to thousands or millions where the values need it (:func:`unit_scale`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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
"""Colours of the other scenarios (repeat after eight; dashes and markers still differ)."""

DASHES: tuple[str, ...] = ("dash", "dot", "dashdot", "longdash", "longdashdot")
"""Line dashes of the other scenarios (the reference scenario is drawn solid)."""

SYMBOLS: tuple[str, ...] = (
    "square",
    "diamond",
    "triangle-up",
    "x",
    "triangle-down",
    "cross",
    "star",
    "pentagon",
    "hexagon",
)
"""Marker symbols of the other scenarios (the reference scenario has circles)."""

POT_COLOURS: dict[str, str] = {
    "bound": "#8da0b3",
    "regional_1": "#8fbf94",
    "regional_2": "#e3b76a",
    "central": "#b7aed3",
}
"""Pots have their own muted colours (they never share a figure with scenario colours)."""

NO_DATA = "Keine Daten für diese Auswahl"

LABEL_ANNOTATION = "beschriftung"
"""``name`` of the annotations that label a scenario's line or marker directly."""


@dataclass(frozen=True)
class ScenarioStyle:
    """How one scenario is drawn in every figure.

    Attributes:
        colour: Hex colour of its lines, markers and bars.
        dash: Plotly line dash (``solid``, ``dash`` …).
        symbol: Plotly marker symbol (``circle``, ``square`` …).
    """

    colour: str
    dash: str
    symbol: str


REFERENCE_STYLE = ScenarioStyle(BASELINE_COLOUR, "solid", "circle")
"""The style of the reference scenario (the status quo): dark grey, solid, circles."""


# =========================================================================== style


def style_at(position: int) -> ScenarioStyle:
    """The style of the scenario at ``position`` among the non-reference scenarios.

    Colours repeat after 8, dashes after 5 and markers after 9 positions, so two
    scenarios share all three only 360 positions apart.

    >>> style_at(0)
    ScenarioStyle(colour='#1f77b4', dash='dash', symbol='square')
    """
    return ScenarioStyle(
        PALETTE[position % len(PALETTE)],
        DASHES[position % len(DASHES)],
        SYMBOLS[position % len(SYMBOLS)],
    )


def scenario_styles(names: Mapping[str, str] | Iterable[str]) -> dict[str, ScenarioStyle]:
    """Styles by position: the first scenario (the reference) grey and solid, then in order.

    Args:
        names: Scenario names, reference first (a mapping name → title or any
            iterable of names).

    Returns:
        Scenario name → style.
    """
    return {name: REFERENCE_STYLE if i == 0 else style_at(i - 1) for i, name in enumerate(names)}


def fixed_styles(scenarios: Collection[str], reference: str | None) -> dict[str, ScenarioStyle]:
    """One style per scenario of a store, independent of any selection and its order.

    The reference scenario (the dashboard's default baseline, usually the status quo)
    gets :data:`REFERENCE_STYLE`; every other scenario the style of its position in the
    sorted list of the others. More runs of the same scenarios never change a style;
    styles change only when the store gets another scenario.

    Args:
        scenarios: The scenarios of the store.
        reference: The reference scenario (None or not in ``scenarios``: none).

    Returns:
        Scenario name → style, the reference first.
    """
    others = sorted(s for s in set(scenarios) if s != reference)
    styles = (
        {reference: REFERENCE_STYLE} if reference is not None and reference in scenarios else {}
    )
    styles.update({s: style_at(i) for i, s in enumerate(others)})
    return styles


def scenario_colours(
    names: Mapping[str, str] | Iterable[str],
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> dict[str, str]:
    """Colour of every scenario: from ``styles`` where given, else by position in ``names``.

    Args:
        names: Scenario names in display order, reference first.
        styles: Fixed styles (:func:`fixed_styles`); scenarios missing there are
            numbered after them.

    Returns:
        Scenario name → hex colour.
    """
    return {s: st.colour for s, st in _styles_for((), names, styles).items()}


def _styles_for(
    present: Iterable[str],
    names: Mapping[str, str] | Iterable[str],
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> dict[str, ScenarioStyle]:
    """Styles of the scenarios of ``names`` and ``present`` (fixed ones where given)."""
    keys = list(dict.fromkeys([*names, *present]))
    if not styles:
        return scenario_styles(keys)
    out = {k: styles[k] for k in keys if k in styles}
    missing = [k for k in keys if k not in styles]
    if missing:
        numbered = scenario_styles([*styles, *missing])
        out.update({k: numbered[k] for k in missing})
    return out


def _rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` → ``rgba(r, g, b, alpha)``."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _ordered(present: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """Scenarios in the order of ``names``, then any others in their own order."""
    seen = list(dict.fromkeys(present))
    return [s for s in names if s in seen] + [s for s in seen if s not in names]


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


# =========================================================================== direct labels


def spread_apart(values: Sequence[float], gap: float) -> list[float]:
    """Positions near ``values`` (in their order) that are at least ``gap`` apart.

    Values too close together form a group, spread evenly around the group's mean;
    groups that then overlap merge, until none do.

    >>> spread_apart([1.0, 1.1, 5.0], 1.0)
    [0.55, 1.55, 5.0]
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    groups: list[list[float]] = [[float(values[i])] for i in order]

    def places(group: list[float]) -> list[float]:
        centre = sum(group) / len(group)
        return [centre + (k - (len(group) - 1) / 2) * gap for k in range(len(group))]

    merged = True
    while merged:
        merged = False
        for k in range(len(groups) - 1):
            if places(groups[k])[-1] + gap > places(groups[k + 1])[0] + 1e-12:
                groups[k : k + 2] = [groups[k] + groups[k + 1]]
                merged = True
                break
    flat = [round(y, 12) for g in groups for y in places(g)]
    out = [0.0] * len(values)
    for i, y in zip(order, flat, strict=True):
        out[i] = y
    return out


def label_line_ends(
    fig: go.Figure, labels: Mapping[str, str], min_gap_px: float = 16.0
) -> go.Figure:
    """Write a label beside the end of each scenario's median line, with a short leader.

    The median lines are the traces with ``meta`` role ``median``; where lines end
    close together, the labels are moved apart (keeping their order) and a thin
    leader joins each label to its line's end. Call again after changing the
    figure's height or margins: the labels are placed anew.

    Args:
        fig: The figure (changed in place).
        labels: Scenario → label text (scenarios without a label get none).
        min_gap_px: Least vertical distance between two labels in pixels.

    Returns:
        The same figure with one annotation per label (named :data:`LABEL_ANNOTATION`).
    """
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name != LABEL_ANNOTATION]
    ends = []
    values: list[float] = []
    for t in fig.data:
        meta = t.meta if isinstance(t.meta, dict) else {}
        ys = [float(v) for v in (t.y if t.y is not None else []) if v is not None]
        values.extend(v for v in ys if math.isfinite(v))
        if meta.get("role") == "median" and meta.get("scenario") in labels and len(t.x):
            ends.append((labels[meta["scenario"]], t.x[-1], float(t.y[-1]), t.line.color))
    if not ends:
        return fig
    margin = fig.layout.margin
    plot_px = max(60.0, (fig.layout.height or 420) - (margin.t or 0) - (margin.b or 0))
    fixed = fig.layout.yaxis.range
    lo, hi = (float(fixed[0]), float(fixed[1])) if fixed else (min(values), max(values))
    extent = (hi - lo) * (1.0 if fixed else 1.1) if hi > lo else 1.0  # autorange pads ~5 %
    places = spread_apart([y for _, _, y, _ in ends], min_gap_px / plot_px * extent)
    for (text, x, y, colour), place in zip(ends, places, strict=True):
        fig.add_annotation(
            x=x,
            y=y,
            ax=14,
            ay=-(place - y) / extent * plot_px,
            showarrow=True,
            arrowhead=0,
            arrowwidth=0.8,
            arrowcolor=MUTED_COLOUR,
            standoff=4,
            xanchor="left",
            text=f"<b>{text}</b>",
            font={"size": 13, "color": colour},
            name=LABEL_ANNOTATION,
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
    million, in ``Tsd. €`` from 100.000 (short tick labels, also in a narrow printed
    chart); shares (``Anteil``, ``ja/nein``) as percent. Hover texts always use the
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
        top = max((abs(v) for v in vals), default=0.0)
        factor, axis = 1.0, "€"
        if top >= 1e6:
            factor, axis = 1e-6, "Mio. €"
        elif top >= 1e5:
            factor, axis = 1e-3, "Tsd. €"
        return UnitScale(factor, axis, lambda x: fmt_eur(x))
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
    "DASHES",
    "FONT_FAMILY",
    "GRID_COLOUR",
    "LABEL_ANNOTATION",
    "MUTED_COLOUR",
    "NO_DATA",
    "PALETTE",
    "POT_COLOURS",
    "REFERENCE_STYLE",
    "SEPARATORS",
    "SYMBOLS",
    "TEXT_COLOUR",
    "TOTAL",
    "ScenarioStyle",
    "UnitScale",
    "empty_figure",
    "fixed_styles",
    "format_value",
    "label_line_ends",
    "scenario_colours",
    "scenario_styles",
    "spread_apart",
    "style_at",
    "style_figure",
    "unit_scale",
]
