"""Figures over the years: bands, paired differences, overspending, pots, help types.

Every figure takes the tidy frames of :mod:`dashboard.data` (quantiles ``q05`` …
``q95`` over runs, paired differences) and the ``names`` of the scenarios shown,
baseline first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.style import (
    BASELINE_COLOUR,
    LABEL_ANNOTATION,
    MUTED_COLOUR,
    POT_COLOURS,
    TEXT_COLOUR,
    TOTAL,
    ScenarioStyle,
    _axis_title,
    _last_year,
    _one_series,
    _ordered,
    _rgba,
    _styles_for,
    _title_of,
    _wrap,
    empty_figure,
    label_line_ends,
    style_figure,
    unit_scale,
)
from results import POT_LABELS, POTS
from scenarios import fmt_eur, fmt_num, fmt_pct

# =========================================================================== over years


def band_figure(
    q: pd.DataFrame,
    title: str,
    unit: str,
    names: Mapping[str, str],
    *,
    styles: Mapping[str, ScenarioStyle] | None = None,
    labels: Mapping[str, str] | None = None,
    band_alpha: tuple[float, float] = (0.10, 0.22),
    height: int = 420,
) -> go.Figure:
    """Median line with 50 % and 90 % bands per scenario over the years.

    Args:
        q: Quantiles of one metric (``DashboardData.quantiles``): scenario, year,
            q05 … q95 (several regions: ``Gesamt`` is used).
        title: German title, also the axis label (``Ausgaben gesamt``).
        unit: Unit of the metric as stored (``EUR``, ``Familien`` …).
        names: Scenario name → display title, baseline first.
        styles: Fixed style per scenario (default: numbered in the order of ``names``).
        labels: Scenario → short label written at the end of its median line (for
            print: readable without colour and without a legend; annotations named
            :data:`LABEL_ANNOTATION`); given, the legend is left out.
        band_alpha: Opacity of the 90 % and the 50 % band.
        height: Figure height in pixels (the labels are spaced for it).

    Returns:
        Per scenario three traces (``meta`` = ``{"scenario", "role"}`` with role
        ``band90``, ``band50``, ``median``); only the median line is in the legend.
    """
    q = _one_series(q)
    if q.empty:
        return empty_figure(title=title)
    scale = unit_scale(unit, q[["q05", "q95"]].to_numpy().ravel())
    look = _styles_for(q["scenario"], names, styles)
    fig = go.Figure()
    for s in _ordered(q["scenario"], names):
        part = q[q["scenario"] == s].sort_values("year")
        x = [int(y) for y in part["year"]]
        st = look[s]
        c = st.colour
        label = _title_of(s, names)
        for lo, hi, alpha, role in (
            ("q05", "q95", band_alpha[0], "band90"),
            ("q25", "q75", band_alpha[1], "band50"),
        ):
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
                line={"color": c, "width": 2.5, "dash": st.dash},
                marker={"size": 8, "color": c, "symbol": st.symbol},
                name=label,
                legendgroup=s,
                showlegend=labels is None,
                customdata=custom,
                hovertemplate=(
                    f"<b>{label}</b><br>Jahr %{{x}}<br>Median: %{{customdata[0]}}<br>"
                    "50 % der Läufe: %{customdata[1]} bis %{customdata[2]}<br>"
                    "90 % der Läufe: %{customdata[3]} bis %{customdata[4]}<extra></extra>"
                ),
                meta={"scenario": s, "role": "median"},
            )
        )
    style_figure(
        fig,
        title=title,
        y_title=_axis_title(title, scale),
        years=q["year"].unique(),
        height=height,
    )
    if labels is not None:
        label_line_ends(fig, labels)
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
    *,
    styles: Mapping[str, ScenarioStyle] | None = None,
    labels: Mapping[str, str] | None = None,
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
        styles: Fixed style per scenario (default: numbered in the order of ``names``).
        labels: Scenario → short label written above its last interval (for print;
            annotations named :data:`LABEL_ANNOTATION`); given, the legend is left out.

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
    look = _styles_for(d["scenario"], names, styles)
    order = [s for s in _ordered(d["scenario"], names) if s != next(iter(names), None)]
    offsets = _dodge(len(order))
    fig = go.Figure()
    for s, off in zip(order, offsets, strict=True):
        part = d[d["scenario"] == s].sort_values("year")
        x = [int(y) + off for y in part["year"]]
        st = look[s]
        c = st.colour
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
                marker={
                    "size": 10,
                    "color": c,
                    "symbol": st.symbol,
                    "line": {"color": "#ffffff", "width": 1.5},
                },
                name=label,
                legendgroup=s,
                showlegend=labels is None,
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
    if labels is not None:
        for s, off in zip(order, offsets, strict=True):
            last = d[d["scenario"] == s].sort_values("year").iloc[-1]
            fig.add_annotation(
                x=int(last["year"]) + off,
                y=float(last["q95"]) * scale.factor,
                yanchor="bottom",
                text=f"<b>{labels.get(s, s)}</b>",
                showarrow=False,
                font={"size": 13, "color": look[s].colour},
                name=LABEL_ANNOTATION,
            )
    return fig


def overspend_figure(
    p: pd.DataFrame,
    names: Mapping[str, str],
    *,
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> go.Figure:
    """Probability that total spending exceeds the total budget, per year and scenario.

    Args:
        p: Output of ``DashboardData.overspend_probability``: scenario, year, runs,
            probability (0..1).
        names: Scenario name → title, baseline first.
        styles: Fixed style per scenario (default: numbered in the order of ``names``).

    Returns:
        Grouped bars (one trace per scenario, ``meta`` role ``probability``) on a
        0–100 % axis, each bar labelled with its German percentage.
    """
    title = "Wahrscheinlichkeit einer Budgetüberschreitung"
    if p.empty:
        return empty_figure(title=title)
    colours = {k: v.colour for k, v in _styles_for(p["scenario"], names, styles).items()}
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


def pots_figure(
    pots: pd.DataFrame,
    names: Mapping[str, str],
    *,
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> go.Figure:
    """Spending per pot, stacked, per year; one panel per scenario; total budget as a line.

    Args:
        pots: Output of ``DashboardData.pots``: scenario, region, year, pot, label,
            budget, spent (medians over runs; several regions: ``Gesamt`` is used).
        names: Scenario name → title, baseline first (panel titles in the scenario's
            colour).
        styles: Fixed style per scenario (default: numbered in the order of ``names``).

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
    colours = {k: v.colour for k, v in _styles_for(pots["scenario"], names, styles).items()}
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
    c: pd.DataFrame,
    names: Mapping[str, str],
    year: int | None = None,
    *,
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> go.Figure:
    """Cases per 10,000 under-21 by help type (paragraph labels) per scenario, 90 % interval.

    Args:
        c: Output of ``DashboardData.cases_by_type``: scenario, code, label, year,
            q05 … q95.
        names: Scenario name → title, baseline first.
        year: The year shown (default: the last year in ``c``).
        styles: Fixed style per scenario (default: numbered in the order of ``names``).

    Returns:
        Horizontal grouped bars (median) with 90 % error bars, one trace per
        scenario (``meta`` role ``median``); help types top to bottom in code order.
    """
    c, chosen = _last_year(c, year)
    title = "Fälle je 10.000 unter 21-Jährige nach Hilfeart"
    if c.empty:
        return empty_figure(title=title)
    title = f"{title} ({chosen})"
    colours = {k: v.colour for k, v in _styles_for(c["scenario"], names, styles).items()}
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


__all__ = [
    "band_figure",
    "cases_by_type_figure",
    "difference_figure",
    "overspend_figure",
    "pots_figure",
]
