"""Plotly figures for the dashboard and the briefing: tidy frames in, ``go.Figure`` out.

Pure functions without I/O (except the image export at the end). Everything a user
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

import asyncio
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from model.params import POT_LABELS, POTS
from scenarios.formatting import fmt_eur, fmt_num, fmt_pct

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

_AXIS_UNITS: dict[str, str] = {
    "EUR": "€",
    "EUR je JEW": "€ je Jugendeinwohnerwert",
    "je 10.000 u21": "je 10.000 unter 21-Jährige",
    "Anteil": "%",
    "ja/nein": "%",
    "JEW": "Jugendeinwohnerwert",
    "VZÄ": "Vollzeitäquivalente",
}


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
        return UnitScale(1.0, _AXIS_UNITS[unit], lambda x: f"{fmt_eur(x, 2)} je JEW")
    digits = _decimals(vals)
    label = _AXIS_UNITS.get(unit, unit)
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


# =========================================================================== over years


def band_figure(q: pd.DataFrame, title: str, unit: str, names: Mapping[str, str]) -> go.Figure:
    """Median line with 50 % and 90 % bands per scenario over the years.

    Args:
        q: Quantiles of one metric (``DashboardData.quantiles``): scenario, year,
            q05 … q95 (several regions: ``Gesamt`` is used).
        title: German title, also the axis label (``Ausgaben gesamt``).
        unit: Unit of the metric as stored (``EUR``, ``Familien`` …).
        names: Scenario name → display title, baseline first (fixes the colours).

    Returns:
        Per scenario three traces (``meta`` = ``{"scenario", "role"}`` with role
        ``band90``, ``band50``, ``median``); only the median line is in the legend.
    """
    q = _one_series(q)
    if q.empty:
        return empty_figure(title=title)
    scale = unit_scale(unit, q[["q05", "q95"]].to_numpy().ravel())
    colours = _colours_for(q["scenario"], names)
    fig = go.Figure()
    for s in _ordered(q["scenario"], names):
        part = q[q["scenario"] == s].sort_values("year")
        x = [int(y) for y in part["year"]]
        c = colours[s]
        label = _title_of(s, names)
        for lo, hi, alpha, role in (("q05", "q95", 0.10, "band90"), ("q25", "q75", 0.22, "band50")):
            fig.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=list(part[hi] * scale.factor) + list(part[lo] * scale.factor)[::-1],
                    fill="toself",
                    fillcolor=_rgba(c, alpha),
                    line={"width": 0, "color": c},
                    mode="lines",
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=s,
                    name=f"{label}: {'90' if role == 'band90' else '50'}-%-Band",
                    meta={"scenario": s, "role": role},
                )
            )
        custom = np.array(
            [[scale.fmt(v) for v in part[col]] for col in ("median", "q25", "q75", "q05", "q95")]
        ).T
        fig.add_trace(
            go.Scatter(
                x=x,
                y=part["median"] * scale.factor,
                mode="lines+markers",
                line={"color": c, "width": 2.5},
                marker={"size": 7, "color": c},
                name=label,
                legendgroup=s,
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>Jahr %{{x}}<br>Median: %{{customdata[0]}}<br>"
                    "50 % der Läufe: %{customdata[1]} bis %{customdata[2]}<br>"
                    "90 % der Läufe: %{customdata[3]} bis %{customdata[4]}<extra></extra>"
                ),
                meta={"scenario": s, "role": "median"},
            )
        )
    style_figure(fig, title=title, y_title=_axis_title(title, scale), years=q["year"].unique())
    fig.add_annotation(
        text="Linie: Median der Läufe · dunkles Band: mittlere 50 % · helles Band: 90 %",
        xref="paper",
        yref="paper",
        x=1.0,
        y=1.0,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": MUTED_COLOUR},
    )
    return fig


def _dodge(n: int, width: float = 0.5) -> list[float]:
    """Offsets of ``n`` markers side by side around an integer year."""
    if n <= 1:
        return [0.0]
    step = min(width / (n - 1), 0.18)
    return [(i - (n - 1) / 2) * step for i in range(n)]


def _segments(x: Sequence[float], lo: Sequence[float], hi: Sequence[float]) -> tuple[list, list]:
    """Vertical segments ``lo``–``hi`` at each ``x`` as one line trace (None-separated)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for xi, a, b in zip(x, lo, hi, strict=True):
        xs += [xi, xi, None]
        ys += [a, b, None]
    return xs, ys


def difference_figure(
    d: pd.DataFrame,
    title: str,
    unit: str,
    names: Mapping[str, str],
    better: str,
) -> go.Figure:
    """Paired differences to the baseline per year: median with 50 %/90 % interval bars.

    Args:
        d: Output of ``DashboardData.paired`` for one metric: scenario, year, q05 … q95
            of ``scenario − baseline`` over run pairs.
        title: German figure title, used as given (``Ausgaben gesamt: Differenz zur
            Basis``); the baseline is named in the note above the plot.
        unit: Unit of the metric as stored (``EUR``; ``€`` is accepted too).
        names: Scenario name → title, baseline first (its title names the reference).
        better: ``"lower"`` or ``"higher"``: which direction is better for this metric.

    Returns:
        Per scenario three traces (``meta`` role ``interval90``, ``interval50``,
        ``median``), a zero line and a note on the better direction.
    """
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', got {better!r}")
    d = _one_series(d)
    base_title = next(iter(names.values()), "Basis") if names else "Basis"
    if d.empty:
        return empty_figure(title=title)
    scale = unit_scale(unit, d[["q05", "q95"]].to_numpy().ravel())
    colours = _colours_for(d["scenario"], names)
    order = [s for s in _ordered(d["scenario"], names) if s != next(iter(names), None)]
    offsets = _dodge(len(order))
    fig = go.Figure()
    for s, off in zip(order, offsets, strict=True):
        part = d[d["scenario"] == s].sort_values("year")
        x = [int(y) + off for y in part["year"]]
        c = colours[s]
        label = _title_of(s, names)
        for lo, hi, width, role in (
            ("q05", "q95", 1.6, "interval90"),
            ("q25", "q75", 7, "interval50"),
        ):
            xs, ys = _segments(x, part[lo] * scale.factor, part[hi] * scale.factor)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": c if role == "interval90" else _rgba(c, 0.55), "width": width},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=s,
                    name=f"{label}: {'90' if role == 'interval90' else '50'}-%-Intervall",
                    meta={"scenario": s, "role": role},
                )
            )
        custom = np.array(
            [
                [int(y) for y in part["year"]],
                *([scale.fmt(v) for v in part[col]] for col in ("median", "q05", "q95")),
                [str(int(n)) for n in part.get("pairs", pd.Series([0] * len(part)))],
            ],
            dtype=object,
        ).T
        fig.add_trace(
            go.Scatter(
                x=x,
                y=part["median"] * scale.factor,
                mode="markers",
                marker={"size": 10, "color": c, "line": {"color": "#ffffff", "width": 1.5}},
                name=label,
                legendgroup=s,
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>Jahr %{{customdata[0]}}<br>"
                    "Differenz zur Basis (Median): %{customdata[1]}<br>"
                    "90 % der Laufpaare: %{customdata[2]} bis %{customdata[3]}<br>"
                    "Laufpaare: %{customdata[4]}<extra></extra>"
                ),
                meta={"scenario": s, "role": "median"},
            )
        )
    fig.add_hline(y=0, line={"color": BASELINE_COLOUR, "width": 1.2, "dash": "dash"})
    style_figure(
        fig,
        title=title,
        y_title=_axis_title("Differenz zur Basis", scale),
        years=d["year"].unique(),
    )
    note = (
        "Niedriger ist besser (unter null: günstiger als die Basis)"
        if better == "lower"
        else "Höher ist besser (über null: günstiger als die Basis)"
    )
    fig.add_annotation(
        text=(
            f"Basis: {_wrap(base_title, 110)}<br>{note} · Punkt: Median · "
            "Balken: mittlere 50 % und 90 % der Laufpaare"
        ),
        xref="paper",
        yref="paper",
        x=0.0,
        y=1.0,
        xanchor="left",
        yanchor="bottom",
        align="left",
        showarrow=False,
        font={"size": 11, "color": MUTED_COLOUR},
    )
    lo = min(0.0, float(d["q05"].min()) * scale.factor)
    hi = max(0.0, float(d["q95"].max()) * scale.factor)
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_layout(margin={"t": 90})
    return fig


def overspend_figure(p: pd.DataFrame, names: Mapping[str, str]) -> go.Figure:
    """Probability that total spending exceeds the total budget, per year and scenario.

    Args:
        p: Output of ``DashboardData.overspend_probability``: scenario, year, runs,
            probability (0..1).
        names: Scenario name → title, baseline first.

    Returns:
        Grouped bars (one trace per scenario, ``meta`` role ``probability``) on a
        0–100 % axis, each bar labelled with its German percentage.
    """
    title = "Wahrscheinlichkeit einer Budgetüberschreitung"
    if p.empty:
        return empty_figure(title=title)
    colours = _colours_for(p["scenario"], names)
    fig = go.Figure()
    for s in _ordered(p["scenario"], names):
        part = p[p["scenario"] == s].sort_values("year")
        label = _title_of(s, names)
        texts = [fmt_pct(v, 0) for v in part["probability"]]
        custom = np.array(
            [[fmt_pct(v, 1) for v in part["probability"]], [str(int(n)) for n in part["runs"]]]
        ).T
        fig.add_trace(
            go.Bar(
                x=[int(y) for y in part["year"]],
                y=part["probability"] * 100.0,
                name=label,
                marker={"color": colours[s]},
                text=texts,
                textposition="outside",
                cliponaxis=False,
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>Jahr %{{x}}<br>Budget überschritten in "
                    "%{customdata[0]} der Läufe (%{customdata[1]} Läufe)<extra></extra>"
                ),
                meta={"scenario": s, "role": "probability"},
            )
        )
    style_figure(
        fig,
        title=title,
        y_title="Anteil der Läufe mit Überschreitung (%)",
        years=p["year"].unique(),
    )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(range=[0, 108], ticksuffix=" %", tickvals=[0, 25, 50, 75, 100])
    return fig


def pots_figure(pots: pd.DataFrame, names: Mapping[str, str]) -> go.Figure:
    """Spending per pot, stacked, per year; one panel per scenario; total budget as a line.

    Args:
        pots: Output of ``DashboardData.pots``: scenario, region, year, pot, label,
            budget, spent (medians over runs; several regions: ``Gesamt`` is used).
        names: Scenario name → title, baseline first (panel titles in the scenario's
            colour).

    Returns:
        One stacked bar trace per scenario and pot (``meta`` role ``spent``, with
        ``pot``) and one budget line per scenario (role ``budget``).
    """
    title = "Ausgaben je Budgettopf und Budget"
    if "region" in pots.columns and pots["region"].nunique() > 1:
        pots = pots[pots["region"] == TOTAL]
    if pots.empty:
        return empty_figure(title=title)
    order = _ordered(pots["scenario"], names)
    colours = _colours_for(pots["scenario"], names)
    top = max(
        pots.groupby(["scenario", "year"])["spent"].sum().max(),
        pots.groupby(["scenario", "year"])["budget"].sum().max(),
    )
    scale = unit_scale("EUR", [top])
    fig = make_subplots(
        rows=1,
        cols=len(order),
        shared_yaxes=True,
        horizontal_spacing=0.03,
        subplot_titles=[_wrap(_title_of(s, names), max(24, 100 // len(order))) for s in order],
    )
    shown: set[str] = set()
    for col, s in enumerate(order, start=1):
        part = pots[pots["scenario"] == s]
        for pot in POTS:
            rows = part[part["pot"] == pot].sort_values("year")
            if rows.empty or (rows["spent"].abs().sum() == 0 and rows["budget"].sum() == 0):
                continue
            label = POT_LABELS[pot]
            share = [
                fmt_pct(sp / bu, 1) if bu > 0 else "–"
                for sp, bu in zip(rows["spent"], rows["budget"], strict=True)
            ]
            custom = np.array(
                [[fmt_eur(v) for v in rows["spent"]], [fmt_eur(v) for v in rows["budget"]], share]
            ).T
            fig.add_trace(
                go.Bar(
                    x=[int(y) for y in rows["year"]],
                    y=rows["spent"] * scale.factor,
                    name=label,
                    legendgroup=pot,
                    legendrank=100 + POTS.index(pot),
                    showlegend=pot not in shown,
                    marker={"color": POT_COLOURS[pot]},
                    customdata=custom,
                    hovertemplate=(
                        f"<b>{label}</b><br>{_title_of(s, names)}<br>Jahr %{{x}}<br>"
                        "Ausgaben: %{customdata[0]}<br>Budget: %{customdata[1]} "
                        "(verbraucht: %{customdata[2]})<extra></extra>"
                    ),
                    meta={"scenario": s, "role": "spent", "pot": pot},
                ),
                row=1,
                col=col,
            )
            shown.add(pot)
        total = part.groupby("year", as_index=False)[["budget", "spent"]].sum().sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=[int(y) for y in total["year"]],
                y=total["budget"] * scale.factor,
                mode="lines+markers",
                name="Budget gesamt",
                legendgroup="budget",
                legendrank=200,
                showlegend="budget" not in shown,
                line={"color": TEXT_COLOUR, "width": 2, "dash": "dot"},
                marker={"symbol": "line-ew-open", "size": 18, "line": {"width": 3}},
                customdata=np.array(
                    [[fmt_eur(v) for v in total["budget"]], [fmt_eur(v) for v in total["spent"]]]
                ).T,
                hovertemplate=(
                    f"<b>Budget gesamt</b><br>{_title_of(s, names)}<br>Jahr %{{x}}<br>"
                    "Budget: %{customdata[0]}<br>Ausgaben: %{customdata[1]}<extra></extra>"
                ),
                meta={"scenario": s, "role": "budget"},
            ),
            row=1,
            col=col,
        )
        shown.add("budget")
    style_figure(fig, title=title, years=pots["year"].unique())
    fig.update_layout(barmode="stack", bargap=0.3, margin={"t": 100})
    fig.update_yaxes(title_text=None)
    fig.update_yaxes(title_text=f"Median der Läufe ({scale.axis})", row=1, col=1)
    fig.update_xaxes(title_text=None)
    for i, s in enumerate(order):
        fig.layout.annotations[i].font = {"size": 12, "color": colours[s]}
    return fig


def cases_by_type_figure(
    c: pd.DataFrame, names: Mapping[str, str], year: int | None = None
) -> go.Figure:
    """Cases per 10,000 under-21 by help type (paragraph labels) per scenario, 90 % interval.

    Args:
        c: Output of ``DashboardData.cases_by_type``: scenario, code, label, year,
            q05 … q95.
        names: Scenario name → title, baseline first.
        year: The year shown (default: the last year in ``c``).

    Returns:
        Horizontal grouped bars (median) with 90 % error bars, one trace per
        scenario (``meta`` role ``median``); help types top to bottom in code order.
    """
    c, chosen = _last_year(c, year)
    title = "Fälle je 10.000 unter 21-Jährige nach Hilfeart"
    if c.empty:
        return empty_figure(title=title)
    title = f"{title} ({chosen})"
    colours = _colours_for(c["scenario"], names)
    labels = list(dict.fromkeys(c["label"].fillna(c["code"])))
    fig = go.Figure()
    for s in _ordered(c["scenario"], names):
        part = c[c["scenario"] == s].copy()
        part["label"] = part["label"].fillna(part["code"])
        part = part.set_index("label").reindex(labels).reset_index()
        label = _title_of(s, names)
        custom = np.array(
            [[fmt_num(v, 1) for v in part[col]] for col in ("median", "q05", "q95")]
        ).T
        fig.add_trace(
            go.Bar(
                y=part["label"],
                x=part["median"],
                orientation="h",
                name=label,
                marker={"color": colours[s]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["q95"] - part["median"],
                    "arrayminus": part["median"] - part["q05"],
                    "color": "#52606d",
                    "thickness": 1.2,
                    "width": 3,
                },
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>%{{y}}<br>Median: %{{customdata[0]}} je 10.000<br>"
                    "90 % der Läufe: %{customdata[1]} bis %{customdata[2]}<extra></extra>"
                ),
                meta={"scenario": s, "role": "median"},
            )
        )
    n = c["scenario"].nunique()
    style_figure(
        fig,
        title=title,
        x_title="Fälle je 10.000 unter 21-Jährige (Median, Balken: 90 % der Läufe)",
        y_title=None,
        height=int(140 + len(labels) * max(22, 12 * n)),
    )
    fig.update_layout(barmode="group", bargap=0.25, margin={"l": 20})
    fig.update_yaxes(
        autorange="reversed", automargin=True, categoryorder="array", categoryarray=labels
    )
    fig.update_layout(legend={"y": -80 / fig.layout.height})
    return fig


# =========================================================================== regions


def regions_figure(
    q: pd.DataFrame,
    title: str,
    unit: str,
    names: Mapping[str, str],
    year: int | None = None,
) -> go.Figure:
    """One metric per region (median, 90 % interval) per scenario, for one year.

    Args:
        q: Quantiles of one metric for several regions (``Gesamt`` is left out).
        title: German name of the metric (``Kosten je Jugendeinwohnerwert``).
        unit: Unit as stored (``EUR je JEW``, ``je 10.000 u21`` …).
        names: Scenario name → title, baseline first.
        year: The year shown (default: the last year in ``q``).

    Returns:
        Grouped bars with regions on the x axis, one trace per scenario (``meta``
        role ``median``).
    """
    if "metric" in q.columns and q["metric"].nunique() > 1:
        raise ValueError("regions_figure expects one metric")
    q = q[q["region"] != TOTAL] if "region" in q.columns else q
    q, chosen = _last_year(q, year)
    if q.empty:
        return empty_figure(title=title)
    scale = unit_scale(unit, q[["q05", "q95"]].to_numpy().ravel())
    colours = _colours_for(q["scenario"], names)
    regions = sorted(q["region"].unique())
    fig = go.Figure()
    for s in _ordered(q["scenario"], names):
        part = q[q["scenario"] == s].set_index("region").reindex(regions).reset_index()
        label = _title_of(s, names)
        custom = np.array([[scale.fmt(v) for v in part[col]] for col in ("median", "q05", "q95")]).T
        fig.add_trace(
            go.Bar(
                x=part["region"],
                y=part["median"] * scale.factor,
                name=label,
                marker={"color": colours[s]},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["q95"] - part["median"]) * scale.factor,
                    "arrayminus": (part["median"] - part["q05"]) * scale.factor,
                    "color": "#52606d",
                    "thickness": 1.2,
                    "width": 4,
                },
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>%{{x}}<br>Median: %{{customdata[0]}}<br>"
                    "90 % der Läufe: %{customdata[1]} bis %{customdata[2]}<extra></extra>"
                ),
                meta={"scenario": s, "role": "median"},
            )
        )
    style_figure(
        fig, title=f"{title} je Region ({chosen})", x_title=None, y_title=_axis_title(title, scale)
    )
    fig.update_layout(barmode="group", bargap=0.25)
    return fig


def equity_index(q: pd.DataFrame) -> pd.DataFrame:
    """Equity between regions: coefficient of variation and max/min ratio of the medians.

    For each scenario and year the median values of the regions (``Gesamt`` left
    out) are compared: ``cv`` is the standard deviation over the regions divided by
    their mean (population formula, unweighted: every region counts once; 0 means
    all regions are equal, 0.10 means a typical deviation of 10 % from the mean);
    ``max_min_ratio`` is the largest over the smallest regional value (1 = equal).
    Meant for cost per Jugendeinwohnerwert (``cost_per_jew``), where equal values
    mean every region receives the same per young resident weighted by need.

    Args:
        q: Quantiles of one metric for several regions (``DashboardData.quantiles``).

    Returns:
        scenario, year, metric, regions, mean, cv, max_min_ratio (NaN where the
        mean or the minimum is not positive).
    """
    cols = ["scenario", "year", "metric", "regions", "mean", "cv", "max_min_ratio"]
    q = q[q["region"] != TOTAL] if "region" in q.columns else q
    if q.empty:
        return pd.DataFrame(columns=cols)
    if "metric" not in q.columns:
        q = q.assign(metric="")
    rows = []
    for (s, y, m), part in q.groupby(["scenario", "year", "metric"], sort=True):
        v = part["median"].to_numpy(dtype=float)
        mean = float(v.mean())
        cv = float(v.std(ddof=0) / mean) if mean > 0 else math.nan
        ratio = float(v.max() / v.min()) if v.min() > 0 else math.nan
        rows.append((s, int(y), m, len(v), mean, cv, ratio))
    return pd.DataFrame(rows, columns=cols)


def equity_table(
    q: pd.DataFrame, names: Mapping[str, str], year: int | None = None
) -> pd.DataFrame:
    """The equity index of one year as a German display table (formatted strings).

    Args:
        q: Quantiles of one metric for several regions.
        names: Scenario name → title (row order).
        year: The year (default: the last).

    Returns:
        Columns ``Szenario``, ``Jahr``, ``Regionen``, ``Mittel der Regionen``,
        ``Variationskoeffizient``, ``Verhältnis höchster zu niedrigster Wert``.
    """
    unit = str(q["unit"].iloc[0]) if "unit" in q.columns and len(q) else ""
    e = equity_index(q)
    cols = [
        "Szenario",
        "Jahr",
        "Regionen",
        "Mittel der Regionen",
        "Variationskoeffizient",
        "Verhältnis höchster zu niedrigster Wert",
    ]
    if e.empty:
        return pd.DataFrame(columns=cols)
    e, _ = _last_year(e, year)
    out = []
    for s in _ordered(e["scenario"], names):
        r = e[e["scenario"] == s].iloc[0]
        out.append(
            (
                _title_of(s, names),
                str(int(r["year"])),
                str(int(r["regions"])),
                format_value(r["mean"], unit) if unit else fmt_num(r["mean"], 2),
                fmt_pct(r["cv"], 1),
                fmt_num(r["max_min_ratio"], 2),
            )
        )
    return pd.DataFrame(out, columns=cols)


def region_schematic(
    values: pd.DataFrame,
    names: Mapping[str, str],
    *,
    title: str = "Regionen im Überblick",
    unit: str = "",
    year: int | None = None,
) -> go.Figure:
    """A schematic tile "map" of the regions, coloured by a value, one row per scenario.

    No region geometry is available, so every region is one equal tile in a grid
    (in name order, at most three per row); position and size do not correspond to
    geography, and the figure says so.

    Args:
        values: scenario, region, median (e.g. quantiles of one metric; several
            years: ``year`` or the last; ``Gesamt`` is left out).
        names: Scenario name → title, baseline first.
        title: German title (name of the value).
        unit: Unit of the value as stored (colour-bar title).
        year: The year (default: the last in ``values``).

    Returns:
        One heatmap trace per scenario on a shared colour scale (``meta`` role
        ``tiles``), each tile labelled with region and value.
    """
    if "region" in values.columns:
        values = values[values["region"] != TOTAL]
    values, chosen = _last_year(values, year)
    if values.empty:
        return empty_figure(title=title)
    regions = sorted(values["region"].unique())
    ncols = min(3, len(regions))
    nrows = math.ceil(len(regions) / ncols)
    order = _ordered(values["scenario"], names)
    colours = _colours_for(values["scenario"], names)
    scale = unit_scale(unit, values["median"])
    digits = _decimals(values["median"])
    lo, hi = float(values["median"].min()), float(values["median"].max())
    fig = make_subplots(
        rows=len(order),
        cols=1,
        vertical_spacing=min(0.12, 0.5 / len(order)),
        subplot_titles=[_title_of(s, names) for s in order],
    )
    for row, s in enumerate(order, start=1):
        part = values[values["scenario"] == s].set_index("region")["median"]
        z: list[list[float | None]] = [[None] * ncols for _ in range(nrows)]
        text: list[list[str]] = [[""] * ncols for _ in range(nrows)]
        hover: list[list[str]] = [[""] * ncols for _ in range(nrows)]
        for i, region in enumerate(regions):
            r, k = divmod(i, ncols)
            v = part.get(region)
            ok = v is not None and math.isfinite(float(v))
            z[r][k] = float(v) if ok else None
            text[r][k] = f"<b>{region}</b><br>{fmt_num(float(v), digits) if ok else '–'}"
            hover[r][k] = f"{region}: {scale.fmt(float(v)) if ok else 'keine Angabe'}"
        fig.add_trace(
            go.Heatmap(
                z=z,
                text=text,
                customdata=hover,
                texttemplate="%{text}",
                textfont={"size": 13, "color": TEXT_COLOUR},
                coloraxis="coloraxis",
                xgap=8,
                ygap=8,
                hovertemplate=f"{_title_of(s, names)}<br>%{{customdata}}<extra></extra>",
                name=_title_of(s, names),
                meta={"scenario": s, "role": "tiles"},
            ),
            row=row,
            col=1,
        )
    style_figure(
        fig, title=f"{title} ({chosen})", x_title=None, height=110 + len(order) * (40 + 70 * nrows)
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(
        margin={"t": 70, "b": 50},
        coloraxis={
            "colorscale": [[0, "#eef3f7"], [0.5, "#a9c4db"], [1, "#5b8db8"]],
            "cmin": lo,
            "cmax": hi if hi > lo else lo + 1,
            "colorbar": {
                "title": {"text": _wrap(scale.axis, 14) if unit else ""},
                "tickformat": ",~f",
            },
        },
    )
    for i, s in enumerate(order):
        fig.layout.annotations[i].font = {"size": 12, "color": colours[s]}
        fig.layout.annotations[i].x = 0.0
        fig.layout.annotations[i].xanchor = "left"
    fig.add_annotation(
        text=(
            "Schematische Darstellung: jede Kachel ist eine Region. Es liegen keine Geodaten "
            "vor; Lage und Größe der Kacheln entsprechen nicht der Geografie."
        ),
        xref="paper",
        yref="paper",
        x=0.0,
        y=0.0,
        yshift=-12,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11, "color": MUTED_COLOUR},
    )
    return fig


# =========================================================================== sankey

ROOT_LABEL = "Jugendhilfebudget (Ausgaben)"
MALUS_LABEL = "Malus: Rückzahlungen der Träger"
MALUS_SURPLUS_LABEL = "Malus-Überschuss (an den Kreis)"
ITEM_LABELS: dict[str, str] = {
    "office": "Sozialraumbüros",
    "project": "Präventionsprojekte",
    "flat": "Pauschalbudget (Sozialraumträger)",
    "bonus": "Anreiz: Bonus an Träger",
}
"""Sankey target label by booking kind (``case`` uses the help-type label)."""


@dataclass(frozen=True)
class SankeyData:
    """Nodes and links of the money-flow diagram.

    Attributes:
        labels: Node labels (German).
        layer: Node layer: 0 budget, 1 pot, 2 region, 3 item; malus nodes -1/4.
        links: source, target (node indices), value (EUR, > 0), pot.
    """

    labels: list[str]
    layer: list[int]
    links: pd.DataFrame


def sankey_data(flows: pd.DataFrame, labels: Mapping[str, str]) -> SankeyData:
    """Budget → pots → regions → help types and projects, from the money flows.

    Items are grouped: help types by their paragraph label (same type from two pots
    becomes one node), all ``projekt_N`` into "Präventionsprojekte", the
    Sozialraumbüros, the flat budget and the bonus into one node each.

    Malus rows (negative: money providers pay back) cannot be drawn as negative
    links. They enter as a source node "Malus: Rückzahlungen der Träger" flowing into
    their pot, so the pot spends its gross outflows (cases, bonus …) from the budget
    plus the malus, and the link from the budget to the pot is the pot's net
    spending. Thus the budget node's outflow equals the net total spending (the sum
    of all flows), and every pot and region node balances. Should a pot's malus ever
    exceed its gross spending, the excess flows to a sink "Malus-Überschuss (an den
    Kreis)" so that the balance still holds.

    Args:
        flows: Output of ``DashboardData.flows``: region, pot, item, kind, eur.
        labels: Help-type code → German label (``§31 Sozialpädagogische Familienhilfe``).

    Returns:
        The nodes and links.
    """
    f = flows[flows["eur"] != 0].copy()
    node_index: dict[tuple[int, str], int] = {}
    node_labels: list[str] = []
    node_layer: list[int] = []

    def node(layer: int, label: str) -> int:
        key = (layer, label)
        if key not in node_index:
            node_index[key] = len(node_labels)
            node_labels.append(label)
            node_layer.append(layer)
        return node_index[key]

    links: list[tuple[int, int, float, str]] = []
    if f.empty:
        return SankeyData(
            node_labels, node_layer, pd.DataFrame(columns=["source", "target", "value", "pot"])
        )
    root = node(0, ROOT_LABEL)

    def item_label(kind: str, item: str) -> str:
        if kind == "case":
            return labels.get(item, f"Hilfeart {item}")
        return ITEM_LABELS.get(kind, item)

    is_malus = (f["kind"] == "malus") | (f["eur"] < 0)
    gross = f[~is_malus]
    malus = f[is_malus]
    pots = [p for p in POTS if p in set(f["pot"])] + sorted(set(f["pot"]) - set(POTS))
    for pot in pots:
        pot_node = node(1, POT_LABELS.get(pot, pot))
        g = gross[gross["pot"] == pot]
        m = float(-malus.loc[malus["pot"] == pot, "eur"].sum())
        out = float(g["eur"].sum())
        net = out - m
        if net > 0:
            links.append((root, pot_node, net, pot))
        if m > 0:
            links.append((node(-1, MALUS_LABEL), pot_node, m, pot))
        if net < 0:
            links.append((pot_node, node(4, MALUS_SURPLUS_LABEL), -net, pot))
        for region, v in g.groupby("region", sort=True)["eur"].sum().items():
            links.append((pot_node, node(2, str(region)), float(v), pot))
    for (region, kind, item), v in (
        gross.groupby(["region", "kind", "item"], sort=True)["eur"].sum().items()
    ):
        links.append((node(2, str(region)), node(3, item_label(kind, item)), float(v), ""))
    frame = pd.DataFrame(links, columns=["source", "target", "value", "pot"])
    frame = frame.groupby(["source", "target"], as_index=False, sort=False).agg(
        value=("value", "sum"), pot=("pot", "first")
    )
    return SankeyData(node_labels, node_layer, frame)


def sankey_figure(
    flows: pd.DataFrame, labels: Mapping[str, str], title: str = "Geldflüsse"
) -> go.Figure:
    """Sankey diagram of the money: budget → pots → regions → help types and projects.

    Args:
        flows: Output of ``DashboardData.flows`` (mean euros per run).
        labels: Help-type code → German label.
        title: German title (e.g. with scenario and year).

    Returns:
        One ``go.Sankey`` trace; see :func:`sankey_data` for the handling of malus.
    """
    data = sankey_data(flows, labels)
    if data.links.empty:
        return empty_figure("Keine Geldflüsse für diese Auswahl", title=title)
    pot_by_label = {POT_LABELS[p]: p for p in POTS}
    node_colours = []
    for label, layer in zip(data.labels, data.layer, strict=True):
        if layer == 1 and label in pot_by_label:
            node_colours.append(POT_COLOURS[pot_by_label[label]])
        elif layer in (-1, 4):
            node_colours.append("#c98b7a")
        elif layer == 0:
            node_colours.append(BASELINE_COLOUR)
        else:
            node_colours.append("#9aa5b1")
    link_colours = [
        _rgba(POT_COLOURS.get(p, "#9aa5b1"), 0.45) if p else "rgba(154, 165, 177, 0.35)"
        for p in data.links["pot"]
    ]
    inflow = data.links.groupby("target")["value"].sum()
    outflow = data.links.groupby("source")["value"].sum()
    amounts = [
        fmt_eur(float(max(inflow.get(i, 0.0), outflow.get(i, 0.0))))
        for i in range(len(data.labels))
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            valuesuffix=" €",
            node={
                "label": data.labels,
                "color": node_colours,
                "pad": 14,
                "thickness": 16,
                "line": {"color": "#ffffff", "width": 0.5},
                "customdata": amounts,
                "hovertemplate": "<b>%{label}</b><br>%{customdata}<extra></extra>",
            },
            link={
                "source": data.links["source"].tolist(),
                "target": data.links["target"].tolist(),
                "value": data.links["value"].tolist(),
                "color": link_colours,
                "customdata": [fmt_eur(v) for v in data.links["value"]],
                "hovertemplate": (
                    "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>"
                ),
            },
            meta={"role": "sankey"},
        )
    )
    style_figure(fig, title=title, x_title=None, height=560)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text="Mittlere Beträge je Simulationslauf; Malus-Rückzahlungen fließen den Töpfen zu",
        xref="paper",
        yref="paper",
        x=0.0,
        y=-0.04,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11, "color": MUTED_COLOUR},
    )
    return fig


# =========================================================================== export


class ExportError(RuntimeError):
    """A figure could not be exported as an image (message in German, for users)."""


_EXPORT_HINT = (
    "Die Grafik konnte nicht als Bild exportiert werden: {}. Für den Export wird "
    "Chromium benötigt (kaleido)."
)


def figure_png(fig: go.Figure, width: int = 1100, height: int = 500, scale: float = 2.0) -> bytes:
    """The figure as PNG bytes (kaleido, headless Chromium).

    Args:
        fig: The figure.
        width: Width in CSS pixels.
        height: Height in CSS pixels.
        scale: Pixel density (2 gives sharp images for slides).

    Returns:
        PNG bytes.

    Raises:
        ExportError: If the export fails (e.g. no Chromium).
    """
    try:
        return fig.to_image(format="png", width=width, height=height, scale=scale)
    except Exception as exc:  # kaleido raises several types; users get one message
        raise ExportError(_EXPORT_HINT.format(exc)) from exc


def figure_svg(fig: go.Figure, width: int = 900, height: int = 380) -> str:
    """The figure as SVG text (kaleido).

    Raises:
        ExportError: If the export fails.
    """
    try:
        return fig.to_image(format="svg", width=width, height=height).decode("utf-8")
    except Exception as exc:
        raise ExportError(_EXPORT_HINT.format(exc)) from exc


def render_images(figures: Sequence[tuple[go.Figure, int, int]], fmt: str = "svg") -> list[bytes]:
    """Export several figures in one Chromium session (much faster than one by one).

    Args:
        figures: (figure, width, height) for each image.
        fmt: ``svg``, ``png`` or ``pdf``.

    Returns:
        The image bytes, in order.

    Raises:
        ExportError: If the export fails.
    """
    import kaleido

    async def run() -> list[bytes]:
        async with kaleido.Kaleido(n=1) as k:
            out = []
            for fig, width, height in figures:
                opts: Any = {"format": fmt, "width": width, "height": height, "scale": 1}
                out.append(await k.calc_fig(fig.to_plotly_json(), opts=opts))
            return out

    try:
        # own thread, own event loop: works whether or not the caller runs a loop
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run()).result()
    except Exception as exc:
        raise ExportError(_EXPORT_HINT.format(exc)) from exc


__all__ = [
    "BASELINE_COLOUR",
    "PALETTE",
    "POT_COLOURS",
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
