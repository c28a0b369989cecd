"""Figures of the decision support: which assumptions decide, and which splits are best.

* :func:`sensitivity_figure`: the assumptions ranked by their effect on one outcome
  (Sobol total and first-order index with their 95 % intervals, or Morris μ* and σ),
  horizontal bars, readable in black and white (dark solid bar for the ranking
  measure, light hatched bar for the second);
* :func:`pareto_figure`: the Pareto front of a search over two of its objectives,
  the shipped variants marked (dominated or not).

Pure functions: tidy frames in, ``go.Figure`` out; German throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.style import BASELINE_COLOUR, MUTED_COLOUR, empty_figure, style_figure
from experiments import MEASURE_LABELS, MEASURES
from scenarios import fmt_num

LIGHT = "#9aa5b1"
"""Colour of the second measure's bars (hatched: apart in black and white)."""


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def sensitivity_figure(
    indices: pd.DataFrame,
    method: str,
    *,
    title: str | None = None,
    top: int | None = None,
    value_unit: str = "",
) -> go.Figure:
    """The assumptions of one outcome ranked by their effect.

    Args:
        indices: parameter, label, measure, value, conf (one outcome; see
            :func:`experiments.sensitivity_indices`).
        method: ``sobol`` or ``morris``.
        title: Figure title.
        top: Only the ``top`` highest ranked assumptions (None: all).
        value_unit: Unit text of Morris effects (the outcome's unit).

    Returns:
        The figure (an empty one that says so without indices).
    """
    if indices.empty:
        return empty_figure(title=title)
    lead, second = MEASURES[method]
    by = indices.pivot_table(index=["parameter", "label"], columns="measure", values="value")
    conf = indices.pivot_table(
        index=["parameter", "label"], columns="measure", values="conf", dropna=False
    )
    by = by.sort_values(lead, ascending=False, kind="stable")
    if top is not None:
        by = by.head(top)
    by = by.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [_wrap(label) for _, label in by.index]
    fig = go.Figure()
    for measure, colour, pattern in ((second, LIGHT, "/"), (lead, BASELINE_COLOUR, "")):
        errors = conf.reindex(by.index)[measure] if measure in conf else None
        has_errors = errors is not None and errors.notna().any()
        fig.add_trace(
            go.Bar(
                x=by[measure],
                y=labels,
                orientation="h",
                name=MEASURE_LABELS[measure],
                marker={"color": colour, "pattern": {"shape": pattern}, "line": {"width": 0.5}},
                error_x=(
                    {"type": "data", "array": errors.fillna(0.0).tolist(), "color": MUTED_COLOUR}
                    if has_errors
                    else None
                ),
                customdata=[
                    fmt_num(v, 2) + (f" ± {fmt_num(e, 2)}" if has_errors else "")
                    for v, e in zip(
                        by[measure],
                        errors if errors is not None else [0.0] * len(by),
                        strict=True,
                    )
                ],
                hovertemplate="%{y}<br>"
                + MEASURE_LABELS[measure]
                + ": %{customdata}<extra></extra>",
            )
        )
    unit = f" ({value_unit})" if value_unit else ""
    x_title = (
        "Anteil an der Streuung (Sobol-Index, 95-%-Intervall)"
        if method == "sobol"
        else f"Mittlerer Effekt eines Schritts um 2/3 der Spanne{unit}"
    )
    style_figure(
        fig, title=title, x_title=x_title, y_title=None, height=max(320, 140 + 38 * len(by))
    )
    fig.update_layout(barmode="group", margin={"l": 360, "r": 20}, bargap=0.25)
    fig.update_yaxes(tickformat=None, automargin=True)
    return fig


def pareto_figure(
    front: pd.DataFrame,
    x: str,
    y: str,
    labels: Mapping[str, str],
    *,
    variants: pd.DataFrame | None = None,
    hover: Sequence[str] = (),
    title: str | None = None,
) -> go.Figure:
    """The Pareto front of a search over two objectives, the shipped variants marked.

    Args:
        front: One row per non-dominated candidate: the objective columns ``x`` and
            ``y``, ``candidate`` (its number) and the ``hover`` columns (German
            texts of its levers).
        x: Objective on the x axis.
        y: Objective on the y axis.
        labels: Objective → German axis title.
        variants: Shipped variants (``name``, the objectives, ``dominated`` text),
            or None.
        hover: Columns of ``front`` shown on hover (the split and the scheme).
        title: Figure title.

    Returns:
        The figure; a click on a front point gives its ``candidate`` as customdata.
    """
    if front.empty:
        return empty_figure(title=title)
    ordered = front.sort_values(x, kind="stable")
    text = (
        ["<br>".join(str(row[c]) for c in hover) for _, row in ordered.iterrows()]
        if hover
        else None
    )
    fig = go.Figure(
        go.Scatter(
            x=ordered[x],
            y=ordered[y],
            mode="lines+markers",
            name="Pareto-Front (nicht dominierte Aufteilungen)",
            line={"color": BASELINE_COLOUR, "dash": "dot", "shape": "hv"},
            marker={"size": 10, "color": BASELINE_COLOUR, "symbol": "circle"},
            customdata=ordered["candidate"].tolist(),
            text=text,
            hovertemplate="Kandidat %{customdata}<br>%{text}<extra></extra>" if text else None,
        )
    )
    if variants is not None and not variants.empty:
        fig.add_trace(
            go.Scatter(
                x=variants[x],
                y=variants[y],
                mode="markers",
                name="Mitgelieferte Varianten (Name beim Darüberfahren)",
                marker={
                    "size": 12,
                    "color": MUTED_COLOUR,
                    "symbol": "diamond-open",
                    "line": {"width": 2},
                },
                text=variants["name"].tolist(),
                hovertext=variants["dominated"].tolist(),
                hovertemplate="%{text}<br>%{hovertext}<extra></extra>",
            )
        )
    style_figure(fig, title=title, x_title=labels.get(x, x), y_title=labels.get(y, y), height=460)
    return fig


__all__ = ["pareto_figure", "sensitivity_figure"]
