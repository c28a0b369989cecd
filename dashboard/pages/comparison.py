"""Tab *Vergleich*: key figures, charts per year with bands, paired differences, exports.

For the shared selection (baseline and compared scenarios) the page shows the key
figures of the briefing, spending per pot, total spending against the budget, the
probability of overspending, the paired difference to the baseline of a chosen
outcome, cases per help type and one band chart per metric of
:data:`BAND_METRICS`. Its buttons download the data shown (XLSX, CSV for German
Excel) and the briefing for the Jugendhilfeausschuss (HTML, PDF). Every scenario is
drawn in its fixed style (:attr:`AppContext.styles`); each chart carries its title in
the figure, so its card has no heading of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures as fig
from dashboard import ids
from dashboard.briefing import BriefingError, briefing_pdf, build_briefing, key_figures
from dashboard.components import VIEW_CACHE, card, dropdown, frozen, graph
from dashboard.context import AppContext, cached_scenario, ordered_names, selection
from dashboard.data import DashboardData
from dashboard.guard import Choice, Clicks, InputGate, Rule, choice_values
from results import QUANTILE_COLUMN_LABELS, csv_de_bytes, metric_title, stored_unit, xlsx_bytes
from scenarios import ScenarioError, fmt_eur, fmt_num, fmt_pct

LABEL = "Vergleich"
"""The tab's German label."""

TAB = ids.Comparison.TAB

BAND_METRICS: tuple[str, ...] = (
    "total_spent",
    "cases_per_10k_total",
    "stationary_share",
    "escalations",
    "unmet_need_families",
    "mean_waiting_months",
    "provider_reserves",
    "provider_exits",
)
"""Metrics with a chart per year (the first, total spending, is drawn with the budget);
titles and units from :mod:`results.labels`."""

BUTTONS = {
    ids.Comparison.EXPORT_XLSX: "Tabelle als XLSX",
    ids.Comparison.EXPORT_CSV: "Tabelle als CSV",
    ids.Comparison.EXPORT_HTML: "Vorlage (HTML)",
    ids.Comparison.EXPORT_PDF: "Vorlage als PDF",
}
"""Buttons whose click count is a callback input (German names for refusals)."""

NOTICES = (ids.prop(ids.Comparison.EXPORT_NOTICE, "children"),)
"""Outputs that show a German refusal when a request's value breaks its rule."""


def outcome_options(baseline: str | None) -> list[dict[str, str]]:
    """Metrics of the difference chart: the baseline's declared outcomes, else the bands."""
    outcomes = []
    if baseline is not None:
        try:
            outcomes = [
                {"label": o.label, "value": o.metric} for o in cached_scenario(baseline).outcomes
            ]
        except ScenarioError:
            outcomes = []
    return outcomes or [{"label": metric_title(m), "value": m} for m in BAND_METRICS]


def describe_metric(baseline: str, metric: str) -> tuple[str, str, str]:
    """German title, stored unit and better direction of a metric (declared outcomes first)."""
    try:
        for o in cached_scenario(baseline).outcomes:
            if o.metric == metric:
                return o.label, stored_unit(metric), o.better
    except ScenarioError:
        pass
    return metric_title(metric), stored_unit(metric), "lower"


# =========================================================================== layout


def layout(ctx: AppContext) -> html.Div:
    """The tab's content."""
    outcomes = outcome_options(ctx.baseline)
    return html.Div(
        [
            html.Div(id=ids.Comparison.KEY_FIGURES, className="kennzahlen"),
            html.Div(
                [
                    html.Button("Tabelle als XLSX", id=ids.Comparison.EXPORT_XLSX),
                    html.Button("Tabelle als CSV (Excel)", id=ids.Comparison.EXPORT_CSV),
                    html.Button(
                        "Vorlage für den Jugendhilfeausschuss (HTML)",
                        id=ids.Comparison.EXPORT_HTML,
                    ),
                    html.Button("Vorlage als PDF", id=ids.Comparison.EXPORT_PDF),
                    dcc.Download(id=ids.Comparison.DOWNLOAD),
                    html.Span(id=ids.Comparison.EXPORT_NOTICE, className="meldung"),
                ],
                className="exporte",
            ),
            html.Div(
                [
                    card(None, graph(ids.Comparison.POTS, 420)),
                    card(None, graph(ids.Comparison.TOTAL)),
                    card(None, graph(ids.Comparison.OVERSPEND)),
                    card(
                        None,
                        html.Div(
                            [
                                html.Label(
                                    [
                                        "Unterschied zur Basis (gepaart, gleiche Seeds) für",
                                        dropdown(
                                            outcomes,
                                            outcomes[0]["value"],
                                            id=ids.Comparison.DIFFERENCE_METRIC,
                                            clearable=False,
                                        ),
                                    ]
                                ),
                                graph(ids.Comparison.DIFFERENCE),
                            ]
                        ),
                    ),
                    card(None, graph(ids.Comparison.HELP_TYPES, 460)),
                    *[card(None, graph(ids.Comparison.band(m))) for m in BAND_METRICS[1:]],
                ],
                className="raster",
            ),
        ]
    )


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of every input and state of the tab's callbacks."""
    return {
        ids.prop(ids.Comparison.DIFFERENCE_METRIC, "value"): Choice(
            "Kennzahl des Unterschieds", choice_values(outcome_options(ctx.baseline))
        ),
        **{ids.prop(ident, "n_clicks"): Clicks(label) for ident, label in BUTTONS.items()},
    }


# =========================================================================== views


def spending_and_budget(
    q: pd.DataFrame,
    shown: dict[str, str],
    styles: Mapping[str, fig.ScenarioStyle] | None = None,
) -> go.Figure:
    """Total spending (median, 50 % and 90 % bands) with each scenario's budget as year marks.

    Args:
        q: Quantiles of ``total_spent`` and ``total_budget``.
        shown: Scenario → title, baseline first.
        styles: Fixed style per scenario (default: numbered in the order of ``shown``).
    """
    spent = q[q["metric"] == "total_spent"]
    figure = fig.band_figure(spent, "Ausgaben gesamt und Budget", "EUR", shown, styles=styles)
    factor = fig.unit_scale("EUR", spent["q95"]).factor
    colours = fig.scenario_colours(shown, styles)
    budget = q[q["metric"] == "total_budget"]
    for s, title in shown.items():
        part = budget[budget["scenario"] == s].sort_values("year")
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[int(y) for y in part["year"]],
                y=part["median"] * factor,
                mode="markers",
                # a bar across each year: the budget level, unlike any scenario's line
                marker={
                    "symbol": "line-ew-open",
                    "size": 26,
                    "color": colours[s],
                    "line": {"width": 3, "color": colours[s]},
                },
                name=f"Budget: {title}",
                customdata=[fmt_eur(v) for v in part["median"]],
                hovertemplate=(
                    f"<b>Budget {title}</b><br>Jahr %{{x}}: %{{customdata}}<extra></extra>"
                ),
                meta={"scenario": s, "role": "budget"},
            )
        )
    return figure


def key_figures_table(
    data: DashboardData, baseline: str, chosen: list[str], names: dict[str, str]
) -> html.Table:
    """Per scenario: spending over all years, paired difference, overspending, unmet need.

    The figures are the briefing's (:func:`dashboard.briefing.key_figures`), so the page
    and the Sitzungsvorlage always agree.
    """
    head = (
        "Szenario",
        "Ausgaben gesamt (Median)",
        "Unterschied zur Basis [90-%-Intervall]",
        "Läufe mit Überschreitung in mindestens einem Jahr",
        "Ungedeckter Bedarf (Familien, Mittel)",
    )
    rows = [html.Tr([html.Th(h) for h in head])]
    if not chosen:
        return html.Table(rows, className="tabelle")
    table = key_figures(data, baseline, chosen).table
    for r in table.itertuples(index=False):
        if r.runs == 0:
            continue
        diff = "Basis"
        if r.scenario != baseline and r.pairs:
            diff = f"{fmt_eur(r.diff_median)} [{fmt_eur(r.diff_q05)}; {fmt_eur(r.diff_q95)}]"
        rows.append(
            html.Tr(
                [
                    html.Td(names.get(r.scenario, r.scenario)),
                    html.Td(fmt_eur(r.spent_median)),
                    html.Td(diff),
                    html.Td(fmt_pct(r.overspend_share, 0)),
                    html.Td(fmt_num(r.unmet_median, 0)),
                ]
            )
        )
    return html.Table(rows, className="tabelle")


def shown_tables(
    data: DashboardData, baseline: str, chosen: list[str], names: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The data behind the page, for XLSX/CSV export (German sheet and column names)."""
    metrics = list(BAND_METRICS)
    q = data.quantiles(metrics, chosen)
    q.insert(1, "titel", q["scenario"].map(names))
    d = data.paired(metrics, baseline, chosen)
    pots = data.pots(chosen)
    over = data.overspend_probability(chosen)
    return {
        "Werte je Jahr": q.rename(
            columns={"titel": "Titel", **QUANTILE_COLUMN_LABELS, "runs": "Läufe"}
        ),
        "Differenz zur Basis": d.rename(columns={**QUANTILE_COLUMN_LABELS, "pairs": "Paare"}),
        "Töpfe": pots.rename(
            columns={"label": "Bezeichnung", "budget": "Budget EUR", "spent": "Ausgaben EUR"}
        ),
        "Überschreitung": over.rename(
            columns={"runs": "Läufe", "probability": "Wahrscheinlichkeit"}
        ),
    }


# =========================================================================== callbacks


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callbacks (``gate`` has checked every request before they run)."""
    data, names, styles = ctx.data, ctx.names, ctx.styles
    band_outputs = [Output(ids.Comparison.band(m), "figure") for m in BAND_METRICS[1:]]

    @app.callback(
        Output(ids.Comparison.KEY_FIGURES, "children"),
        Output(ids.Comparison.POTS, "figure"),
        Output(ids.Comparison.TOTAL, "figure"),
        Output(ids.Comparison.OVERSPEND, "figure"),
        Output(ids.Comparison.HELP_TYPES, "figure"),
        *band_outputs,
        Input(ids.Shell.BASELINE, "value"),
        Input(ids.Shell.COMPARED, "value"),
    )
    def comparison(baseline: str, compared: list[str] | None) -> tuple:
        return comparison_view(baseline, tuple(compared or ()))

    @functools.lru_cache(maxsize=VIEW_CACHE)
    def comparison_view(baseline: str, compared: tuple[str, ...]) -> tuple:
        chosen = selection(baseline, compared)
        shown = ordered_names(chosen, names)
        q = data.quantiles([*BAND_METRICS, "total_budget"], chosen)
        years = data.years(chosen)
        cases = data.cases_by_type(chosen, year=years[-1] if years else None)
        bands = [
            fig.band_figure(
                q[q["metric"] == m], metric_title(m), stored_unit(m), shown, styles=styles
            )
            for m in BAND_METRICS[1:]
        ]
        return frozen(
            key_figures_table(data, baseline, chosen, names),
            fig.pots_figure(data.pots(chosen), shown, styles=styles),
            spending_and_budget(q, shown, styles),
            fig.overspend_figure(data.overspend_probability(chosen), shown, styles=styles),
            fig.cases_by_type_figure(cases, shown, styles=styles),
            *bands,
        )

    @app.callback(
        Output(ids.Comparison.DIFFERENCE, "figure"),
        Input(ids.Shell.BASELINE, "value"),
        Input(ids.Shell.COMPARED, "value"),
        Input(ids.Comparison.DIFFERENCE_METRIC, "value"),
    )
    def difference(baseline: str, compared: list[str] | None, metric: str) -> Any:
        return difference_view(baseline, tuple(compared or ()), metric)

    @functools.lru_cache(maxsize=VIEW_CACHE)
    def difference_view(baseline: str, compared: tuple[str, ...], metric: str) -> Any:
        chosen = selection(baseline, compared)
        shown = ordered_names(chosen, names)
        d = data.paired([metric], baseline, chosen)
        title, unit, better = describe_metric(baseline, metric)
        return fig.difference_figure(
            d,
            f"{title}: Unterschied zu „{names.get(baseline, baseline)}“",
            unit,
            shown,
            better,
            styles=styles,
        ).to_dict()

    @app.callback(
        Output(ids.Comparison.DOWNLOAD, "data"),
        Output(ids.Comparison.EXPORT_NOTICE, "children"),
        Input(ids.Comparison.EXPORT_XLSX, "n_clicks"),
        Input(ids.Comparison.EXPORT_CSV, "n_clicks"),
        Input(ids.Comparison.EXPORT_HTML, "n_clicks"),
        Input(ids.Comparison.EXPORT_PDF, "n_clicks"),
        State(ids.Shell.BASELINE, "value"),
        State(ids.Shell.COMPARED, "value"),
        prevent_initial_call=True,
    )
    def export(
        _x: int, _c: int, _h: int, _p: int, baseline: str, compared: list[str] | None
    ) -> tuple:
        from dash import ctx as trigger

        chosen = selection(baseline, compared)
        stamp = datetime.now().strftime("%Y-%m-%d")
        which = trigger.triggered_id
        if which not in BUTTONS:
            raise PreventUpdate  # no button was pressed (a request without a trigger)
        if which in (ids.Comparison.EXPORT_XLSX, ids.Comparison.EXPORT_CSV):
            sheets = shown_tables(data, baseline, chosen, names)
            if which == ids.Comparison.EXPORT_XLSX:  # formula-safe: no text runs as a formula
                content = xlsx_bytes(sheets)
                return dcc.send_bytes(content, f"vergleich-{stamp}.xlsx"), "XLSX erstellt."
            content = csv_de_bytes(sheets["Werte je Jahr"])
            return dcc.send_bytes(content, f"vergleich-{stamp}.csv"), "CSV erstellt."
        pdf = which == ids.Comparison.EXPORT_PDF
        try:
            page = build_briefing(
                data,
                baseline,
                chosen,
                store_label=ctx.store_label,
                created=datetime.now(),
                styles=styles,
            )
        except BriefingError as err:
            return no_update, f"{'PDF' if pdf else 'Vorlage'} nicht möglich: {err}"
        if not pdf:
            return dcc.send_bytes(
                page.encode("utf-8"), f"vorlage-jha-{stamp}.html"
            ), "Vorlage erstellt."
        try:
            content = briefing_pdf(page)
        except BriefingError as err:
            return no_update, f"PDF nicht möglich: {err}"
        return dcc.send_bytes(content, f"vorlage-jha-{stamp}.pdf"), "PDF erstellt."


__all__ = [
    "BAND_METRICS",
    "LABEL",
    "NOTICES",
    "TAB",
    "describe_metric",
    "key_figures_table",
    "layout",
    "outcome_options",
    "register",
    "rules",
    "shown_tables",
    "spending_and_budget",
]
