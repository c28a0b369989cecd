"""Figures per region: a metric per region, the equity between regions, a schematic map.

The schematic map places the regions on a grid (no geography is needed); equity is
the spread of the cost per Jugendeinwohnerwert between the regions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.style import (
    MUTED_COLOUR,
    TEXT_COLOUR,
    TOTAL,
    ScenarioStyle,
    _axis_title,
    _decimals,
    _last_year,
    _ordered,
    _styles_for,
    _title_of,
    _wrap,
    empty_figure,
    format_value,
    style_figure,
    unit_scale,
)
from scenarios import fmt_num, fmt_pct

# =========================================================================== regions


def regions_figure(
    q: pd.DataFrame,
    title: str,
    unit: str,
    names: Mapping[str, str],
    year: int | None = None,
    *,
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> go.Figure:
    """One metric per region (median, 90 % interval) per scenario, for one year.

    Args:
        q: Quantiles of one metric for several regions (``Gesamt`` is left out).
        title: German name of the metric (``Kosten je Jugendeinwohnerwert``).
        unit: Unit as stored (``EUR je JEW``, ``je 10.000 u21`` …).
        names: Scenario name → title, baseline first.
        year: The year shown (default: the last year in ``q``).
        styles: Fixed style per scenario (default: numbered in the order of ``names``).

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
    colours = {k: v.colour for k, v in _styles_for(q["scenario"], names, styles).items()}
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
    styles: Mapping[str, ScenarioStyle] | None = None,
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
        styles: Fixed style per scenario (panel titles in its colour).

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
    colours = {k: v.colour for k, v in _styles_for(values["scenario"], names, styles).items()}
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


__all__ = [
    "equity_index",
    "equity_table",
    "region_schematic",
    "regions_figure",
]
