"""Tab *Entscheidung*: which assumptions decide, when a variant fails, which splits are best.

Shows the analyses stored in the results store by ``sozialraum sensitivity``,
``discover`` and ``optimise`` (table ``analyses``); the page computes nothing itself:

* **Welche Annahmen entscheiden?** The ranked bar chart of a sensitivity analysis
  for a chosen outcome (Sobol total and first-order index with 95 % intervals, or
  Morris μ* and σ), paired difference to the baseline where the analysis had one.
* **Unter welchen Annahmen scheitert eine Variante?** The PRIM boxes of a discovery,
  as German sentences with coverage, density and share of the sample.
* **Welche Aufteilungen sind am besten?** The Pareto front of a search over two
  chosen objectives with the shipped variants marked; hovering shows a candidate's
  split and scheme, clicking it shows all its objectives and offers it as a scenario
  file (YAML, ``extends`` the searched scenario) to download and compare with
  ``sozialraum compare``.

Every input is a choice out of what the page offers (checked by
:mod:`dashboard.guard`); a click on the chart is used only by its candidate number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import yaml
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import figures as fig
from dashboard import ids
from dashboard.analyses import (
    baseline_of,
    dominance_text,
    lever_labels,
    lever_texts,
    objective_text,
)
from dashboard.components import card, dropdown, graph
from dashboard.context import AppContext
from dashboard.guard import Choice, Clicks, InputGate, PointClick, Rule
from dashboard.library import cached_scenario
from experiments import MEASURES, OBJECTIVES, LeverSpace
from scenarios import ScenarioError, fmt_num, fmt_pct

LABEL = "Entscheidung"
"""The tab's German label."""

TAB = ids.Decision.TAB

NOTICES = (
    ids.prop(ids.Decision.SENSITIVITY_NOTE, "children"),
    ids.prop(ids.Decision.BOXES, "children"),
    ids.prop(ids.Decision.CANDIDATE, "children"),
)
"""Outputs that show a German refusal when a request's value breaks its rule."""

KINDS = {
    "sensitivity": "sozialraum sensitivity SZENARIO --baseline VERGLEICH",
    "discover": "sozialraum discover SZENARIO --baseline VERGLEICH --outcome total_spent --above 0",
    "optimise": "sozialraum optimise SZENARIO",
}
"""Command that fills each section, shown while the store has no such analysis."""

DEFAULT_AXES = ("kosten_median", "unversorgt")
"""Objectives on the axes of the Pareto chart when the search has them."""


# =========================================================================== options


def _of_kind(ctx: AppContext, kind: str) -> pd.DataFrame:
    frame = ctx.analyses
    if frame.empty:
        return frame
    return frame[frame["kind"] == kind]


def _analysis_label(row: Any) -> str:
    settings = row["settings"] if isinstance(row["settings"], dict) else {}
    base = baseline_of(row)
    what = str(row["scenario"]) + (f" − {base}" if base else "")
    created = str(row["created"])[:16]
    if row["kind"] == "sensitivity":
        method = "Sobol" if settings.get("method") == "sobol" else "Morris"
        size = (
            f"{method}, N = {settings.get('samples')}, {fmt_num(settings.get('points', 0))} Punkte"
        )
    elif row["kind"] == "discover":
        sign = "über" if settings.get("direction") == "above" else "unter"
        size = f"{settings.get('outcome')} {sign} {fmt_num(float(settings.get('value', 0)), 2)}"
    else:
        size = f"{settings.get('generations')} Generationen × {settings.get('population')}"
    return f"{what} ({size}; {created})"


def analysis_options(ctx: AppContext, kind: str) -> list[dict[str, str]]:
    """Dropdown options of the stored analyses of a kind, newest first."""
    return [
        {"label": _analysis_label(row), "value": str(row["analysis_id"])}
        for _, row in _of_kind(ctx, kind).iterrows()
    ]


def outcome_options(ctx: AppContext) -> list[dict[str, str]]:
    """Every outcome of a stored sensitivity analysis (label from the analysis)."""
    seen: dict[str, str] = {}
    for result in _of_kind(ctx, "sensitivity")["result"] if not ctx.analyses.empty else []:
        for metric, info in (result or {}).get("outcomes", {}).items():
            seen.setdefault(str(metric), str(info.get("label", metric)))
    return [{"label": label, "value": metric} for metric, label in seen.items()]


def objective_options() -> list[dict[str, str]]:
    """The objectives a search can have (axes of the Pareto chart)."""
    return [{"label": o.label, "value": name} for name, o in OBJECTIVES.items()]


def _first(options: list[dict[str, str]]) -> str | None:
    return options[0]["value"] if options else None


def _analysis(ctx: AppContext, analysis_id: str | None) -> Any:
    if analysis_id is None or ctx.analyses.empty:
        return None
    rows = ctx.analyses[ctx.analyses["analysis_id"] == analysis_id]
    return rows.iloc[0] if len(rows) else None


def _missing(kind: str) -> html.P:
    return html.P(
        f"Noch keine solche Analyse in diesem Ergebnisspeicher. Sie entsteht mit "
        f"„{KINDS[kind]} --store …“.",
        className="hinweis",
    )


# =========================================================================== layout


def layout(ctx: AppContext) -> html.Div:
    """The tab's content: the three sections, each with its choice of stored analysis."""
    sens, boxes, search = (
        analysis_options(ctx, k) for k in ("sensitivity", "discover", "optimise")
    )
    outcomes = outcome_options(ctx)
    axes = [o["value"] for o in objective_options()]
    x0, y0 = DEFAULT_AXES
    return html.Div(
        [
            html.P(
                "Diese Seite zeigt gespeicherte Analysen; gerechnet werden sie auf der "
                "Kommandozeile (sozialraum sensitivity, discover, optimise), weil sie Hunderte "
                "bis Tausende Läufe brauchen. Alle Zahlen sind gepaart: gleiche Seeds und "
                "gleiche Annahmen für Variante und Vergleich.",
                className="hinweis",
            ),
            card(
                "Welche Annahmen entscheiden?",
                html.Div(
                    [
                        *([] if sens else [_missing("sensitivity")]),
                        html.Label(
                            [
                                "Analyse",
                                dropdown(
                                    sens, _first(sens), ids.Decision.SENSITIVITY, clearable=False
                                ),
                            ]
                        ),
                        html.Label(
                            [
                                "Ergebnisgröße",
                                dropdown(
                                    outcomes,
                                    "total_spent"
                                    if any(o["value"] == "total_spent" for o in outcomes)
                                    else _first(outcomes),
                                    ids.Decision.SENSITIVITY_OUTCOME,
                                    clearable=False,
                                ),
                            ]
                        ),
                        graph(ids.Decision.SENSITIVITY_FIGURE, height=700),
                        html.Div(id=ids.Decision.SENSITIVITY_NOTE, className="hinweis"),
                    ]
                ),
            ),
            card(
                "Unter welchen Annahmen scheitert eine Variante?",
                html.Div(
                    [
                        *([] if boxes else [_missing("discover")]),
                        html.Label(
                            [
                                "Analyse",
                                dropdown(
                                    boxes, _first(boxes), ids.Decision.DISCOVERY, clearable=False
                                ),
                            ]
                        ),
                        html.Div(id=ids.Decision.BOXES),
                    ]
                ),
            ),
            card(
                "Welche Aufteilungen sind am besten?",
                html.Div(
                    [
                        *([] if search else [_missing("optimise")]),
                        html.Label(
                            [
                                "Suche",
                                dropdown(
                                    search, _first(search), ids.Decision.SEARCH, clearable=False
                                ),
                            ]
                        ),
                        html.Label(
                            [
                                "Waagrecht",
                                dropdown(
                                    objective_options(),
                                    x0 if x0 in axes else None,
                                    ids.Decision.PARETO_X,
                                    clearable=False,
                                ),
                            ]
                        ),
                        html.Label(
                            [
                                "Senkrecht",
                                dropdown(
                                    objective_options(),
                                    y0 if y0 in axes else None,
                                    ids.Decision.PARETO_Y,
                                    clearable=False,
                                ),
                            ]
                        ),
                        graph(ids.Decision.PARETO_FIGURE, height=480),
                        html.Div(
                            "Einen Punkt der Front anklicken, um die Aufteilung zu sehen.",
                            id=ids.Decision.CANDIDATE,
                        ),
                        html.Button("Als Szenario herunterladen (YAML)", id=ids.Decision.YAML),
                        dcc.Download(id=ids.Decision.DOWNLOAD),
                    ]
                ),
            ),
        ]
    )


def _candidate_numbers(ctx: AppContext) -> frozenset[int]:
    numbers: set[int] = set()
    for result in _of_kind(ctx, "optimise")["result"] if not ctx.analyses.empty else []:
        numbers.update(int(row["kandidat"]) for row in (result or {}).get("front", []))
    return frozenset(numbers)


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of every input and state of the tab's callbacks."""

    def values(options: list[dict[str, str]]) -> frozenset[str]:
        return frozenset(o["value"] for o in options)

    return {
        ids.prop(ids.Decision.SENSITIVITY, "value"): Choice(
            "Sensitivitätsanalyse", values(analysis_options(ctx, "sensitivity")), optional=True
        ),
        ids.prop(ids.Decision.SENSITIVITY_OUTCOME, "value"): Choice(
            "Ergebnisgröße", values(outcome_options(ctx)), optional=True
        ),
        ids.prop(ids.Decision.DISCOVERY, "value"): Choice(
            "Szenarioentdeckung", values(analysis_options(ctx, "discover")), optional=True
        ),
        ids.prop(ids.Decision.SEARCH, "value"): Choice(
            "Suche", values(analysis_options(ctx, "optimise")), optional=True
        ),
        ids.prop(ids.Decision.PARETO_X, "value"): Choice(
            "Waagrechte Achse", values(objective_options()), optional=True
        ),
        ids.prop(ids.Decision.PARETO_Y, "value"): Choice(
            "Senkrechte Achse", values(objective_options()), optional=True
        ),
        ids.prop(ids.Decision.PARETO_FIGURE, "clickData"): PointClick(
            "Angeklickter Punkt", _candidate_numbers(ctx)
        ),
        ids.prop(ids.Decision.YAML, "n_clicks"): Clicks("Als Szenario herunterladen"),
    }


# =========================================================================== views


def sensitivity_view(ctx: AppContext, analysis_id: str | None, metric: str | None) -> tuple:
    """(figure, note) of a sensitivity analysis for one outcome."""
    row = _analysis(ctx, analysis_id)
    if row is None or metric is None:
        return fig.empty_figure("Keine Sensitivitätsanalyse gewählt"), ""
    info = (row["result"] or {}).get("outcomes", {}).get(metric)
    method = row["settings"].get("method", "sobol")
    if info is None:
        return fig.empty_figure("Diese Analyse hat die Ergebnisgröße nicht"), ""
    indices = ctx.data.sensitivity_indices(str(analysis_id))
    indices = indices[indices["outcome"] == metric]
    base = baseline_of(row)
    diff = base is not None
    title = f"{info['label']}{' (Differenz zum Vergleich)' if diff else ''}"
    figure = fig.sensitivity_figure(indices, method, title=title, value_unit=info.get("unit", ""))
    lead = MEASURES[method][0]
    top = indices[indices["measure"] == lead].sort_values("value", ascending=False)
    what = f"Gepaarte Differenz {row['scenario']} − {base}" if diff else row["scenario"]
    note = (
        f"{what}: am stärksten wirkt „{top['label'].iloc[0]}“. "
        if len(top) and info.get("sd", 0) > 0
        else "Keine Streuung über die Stichprobe: keine Annahme ändert diese Größe. "
    )
    note += (
        "Gesamteffekt: Anteil der Streuung, den die Annahme allein und zusammen mit anderen "
        "erklärt; nahe 0 heißt, sie kann in ihrer erklärten Spanne beliebig sein."
        if method == "sobol"
        else "Morris μ*: mittlere Änderung, wenn die Annahme um 2/3 ihrer Spanne wandert."
    )
    return figure, note


def boxes_view(ctx: AppContext, analysis_id: str | None) -> list[Any]:
    """The German boxes of a discovery (sentences and a table of their measures)."""
    row = _analysis(ctx, analysis_id)
    if row is None:
        return []
    result = row["result"] or {}
    boxes = result.get("boxes", [])
    head = html.P(
        f"{result.get('n_cases', 0)} von {result.get('n_points', 0)} Punkten der Stichprobe "
        f"sind Fälle: {result.get('case', '')}."
    )
    if not boxes:
        return [head, html.P("Keine Box gefunden (keine oder nur Fälle).", className="hinweis")]
    items = [html.Li(str(box.get("sentence", ""))) for box in boxes]
    rows = [
        html.Tr(
            [
                html.Td(str(k)),
                html.Td(fmt_pct(float(box.get("coverage", 0.0)), 0)),
                html.Td(fmt_pct(float(box.get("density", 0.0)), 0)),
                html.Td(fmt_pct(float(box.get("mass", 0.0)), 0)),
            ]
        )
        for k, box in enumerate(boxes, start=1)
    ]
    table = html.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th(t) for t in ("Box", "Abdeckung", "Dichte", "Anteil der Stichprobe")]
                )
            ),
            html.Tbody(rows),
        ],
        className="tabelle",
    )
    return [head, html.Ol(items), table]


def pareto_view(
    ctx: AppContext, analysis_id: str | None, x: str | None, y: str | None
) -> go.Figure:
    """The Pareto front of a search over the objectives ``x`` and ``y``."""
    row = _analysis(ctx, analysis_id)
    if row is None or x is None or y is None:
        return fig.empty_figure("Keine Suche gewählt")
    result = row["result"] or {}
    names = result.get("objectives", [])
    if x not in names or y not in names:
        return fig.empty_figure(
            "Diese Suche hat die gewählte Zielgröße nicht (gesucht: "
            + ", ".join(OBJECTIVES[n].label for n in names if n in OBJECTIVES)
            + ")"
        )
    labels = lever_labels(str(row["scenario"]))
    front = pd.DataFrame(
        [
            {
                "candidate": int(c["kandidat"]),
                x: float(c["objectives"][x]),
                y: float(c["objectives"][y]),
                "levers": "<br>".join(lever_texts(c["levers"], labels)),
                "values": f"{OBJECTIVES[x].label}: {objective_text(x, c['objectives'][x])}<br>"
                f"{OBJECTIVES[y].label}: {objective_text(y, c['objectives'][y])}",
            }
            for c in result.get("front", [])
        ]
    )
    variants = pd.DataFrame(
        [
            {
                "name": str(v["scenario"]),
                x: float(v["objectives"][x]),
                y: float(v["objectives"][y]),
                "dominated": dominance_text(v),
            }
            for v in result.get("variants", [])
        ]
    )
    axis = {n: OBJECTIVES[n].label for n in (x, y)}
    return fig.pareto_figure(
        front,
        x,
        y,
        axis,
        variants=variants,
        hover=["levers", "values"],
        title=(
            "Pareto-Front: keine andere Aufteilung ist in allen "
            f"{len(names)} Zielen der Suche zugleich besser (gezeigt: zwei)"
        ),
    )


def _clicked(click: Any) -> int | None:
    points = (click or {}).get("points") or []
    value = points[0].get("customdata") if points else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _front_row(row: Any, number: int | None) -> dict[str, Any] | None:
    if row is None or number is None:
        return None
    for candidate in (row["result"] or {}).get("front", []):
        if int(candidate["kandidat"]) == number:
            return candidate
    return None


def candidate_view(ctx: AppContext, analysis_id: str | None, click: Any) -> list[Any] | str:
    """All objectives and lever values of the clicked candidate."""
    row = _analysis(ctx, analysis_id)
    candidate = _front_row(row, _clicked(click))
    if candidate is None:
        return "Einen Punkt der Front anklicken, um die Aufteilung zu sehen."
    lines = lever_texts(candidate["levers"], lever_labels(str(row["scenario"])))
    values = [
        f"{OBJECTIVES[n].label}: {objective_text(n, v)}"
        for n, v in candidate["objectives"].items()
        if n in OBJECTIVES
    ]
    return [
        html.H4(f"Kandidat {candidate['kandidat']}"),
        html.Ul([html.Li(t) for t in lines]),
        html.Ul([html.Li(t) for t in values]),
    ]


def candidate_yaml(row: Any, candidate: Mapping[str, Any]) -> str:
    """A scenario file that sets a candidate's levers on the searched scenario.

    Raises:
        ScenarioError: If the searched scenario is no longer in the library.
    """
    scenario = cached_scenario(str(row["scenario"]))
    space = LeverSpace.from_scenario(scenario, list(candidate["levers"]))
    number = int(candidate["kandidat"])
    doc = {
        "name": f"{scenario.name}-kandidat-{number}"[:80],
        "title": f"Kandidat {number} der Suche {row['analysis_id']}",
        "description": (
            f"Aufteilung von der Pareto-Front der Suche {row['analysis_id']} über "
            f"{scenario.name}: "
            + "; ".join(lever_texts(candidate["levers"], lever_labels(str(row["scenario"]))))
        ),
        "extends": scenario.name,
        "overrides": space.overrides(candidate["levers"]),
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


# =========================================================================== callbacks


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callbacks (``gate`` has checked every request before it runs)."""

    @app.callback(
        Output(ids.Decision.SENSITIVITY_FIGURE, "figure"),
        Output(ids.Decision.SENSITIVITY_NOTE, "children"),
        Input(ids.Decision.SENSITIVITY, "value"),
        Input(ids.Decision.SENSITIVITY_OUTCOME, "value"),
    )
    def sensitivity(analysis_id: str | None, metric: str | None) -> tuple:
        return sensitivity_view(ctx, analysis_id, metric)

    @app.callback(Output(ids.Decision.BOXES, "children"), Input(ids.Decision.DISCOVERY, "value"))
    def discovery(analysis_id: str | None) -> list[Any]:
        return boxes_view(ctx, analysis_id)

    @app.callback(
        Output(ids.Decision.PARETO_FIGURE, "figure"),
        Input(ids.Decision.SEARCH, "value"),
        Input(ids.Decision.PARETO_X, "value"),
        Input(ids.Decision.PARETO_Y, "value"),
    )
    def pareto(analysis_id: str | None, x: str | None, y: str | None) -> go.Figure:
        return pareto_view(ctx, analysis_id, x, y)

    @app.callback(
        Output(ids.Decision.CANDIDATE, "children"),
        Input(ids.Decision.PARETO_FIGURE, "clickData"),
        State(ids.Decision.SEARCH, "value"),
    )
    def candidate(click: Any, analysis_id: str | None) -> Any:
        return candidate_view(ctx, analysis_id, click)

    @app.callback(
        Output(ids.Decision.DOWNLOAD, "data"),
        Input(ids.Decision.YAML, "n_clicks"),
        State(ids.Decision.PARETO_FIGURE, "clickData"),
        State(ids.Decision.SEARCH, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks: int | None, click: Any, analysis_id: str | None) -> Any:
        row = _analysis(ctx, analysis_id)
        candidate = _front_row(row, _clicked(click))
        if candidate is None:
            return no_update
        try:
            text = candidate_yaml(row, candidate)
        except ScenarioError:
            return no_update
        return dcc.send_string(text, f"kandidat-{candidate['kandidat']}.yaml")


__all__ = [
    "LABEL",
    "NOTICES",
    "TAB",
    "boxes_view",
    "candidate_view",
    "candidate_yaml",
    "layout",
    "pareto_view",
    "register",
    "rules",
    "sensitivity_view",
]
