"""Tab *Geldflüsse*: where the money of one scenario goes in one year (Sankey diagram).

From the budget to the pots, the regions, the help types and the prevention
projects, as the mean over the scenario's runs; malus repayments enter as a source
of their own (:func:`dashboard.figures.sankey_data`).
"""

from __future__ import annotations

import functools
from typing import Any

from dash import Dash, Input, Output, State, html

from dashboard import figures as fig
from dashboard import ids
from dashboard.components import VIEW_CACHE, card, dropdown, graph
from dashboard.context import AppContext
from dashboard.guard import Choice, InputGate, Rule

LABEL = "Geldflüsse"
"""The tab's German label."""

TAB = ids.Flows.TAB

NOTICES: tuple[str, ...] = ()
"""No output of this tab shows a refusal (a refused request gets no update)."""


def layout(ctx: AppContext) -> html.Div:
    """The tab's content: scenario and year, then the diagram."""
    years = ctx.data.years([ctx.baseline]) if ctx.baseline else []
    return html.Div(
        [
            html.Div(
                [
                    html.Label(
                        [
                            "Szenario",
                            dropdown(
                                ctx.options, ctx.baseline, id=ids.Flows.SCENARIO, clearable=False
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "Jahr",
                            dropdown(
                                [{"label": str(y), "value": y} for y in years],
                                years[0] if years else None,
                                id=ids.Flows.YEAR,
                                clearable=False,
                            ),
                        ]
                    ),
                ],
                className="auswahl",
            ),
            card(
                "Vom Budget zu Töpfen, Regionen, Hilfearten und Projekten (Mittel je Lauf)",
                graph(ids.Flows.SANKEY, 640),
            ),
        ]
    )


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of every input and state of the tab's callbacks."""
    scenarios = frozenset(ctx.stored)
    return {
        ids.prop(ids.Flows.SCENARIO, "value"): Choice(
            "Szenario der Geldflüsse", scenarios, optional=not scenarios
        ),
        ids.prop(ids.Flows.YEAR, "value"): Choice(
            "Jahr der Geldflüsse", frozenset(ctx.data.years(ctx.stored)), kind=int, optional=True
        ),
    }


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callbacks (``gate`` has checked every request before they run)."""
    data = ctx.data

    @app.callback(
        Output(ids.Flows.YEAR, "options"),
        Output(ids.Flows.YEAR, "value"),
        Input(ids.Flows.SCENARIO, "value"),
        State(ids.Flows.YEAR, "value"),
    )
    def flow_years(scenario: str, year: int | None) -> tuple:
        years = data.years([scenario])
        keep = year if year in years else (years[0] if years else None)
        return [{"label": str(y), "value": y} for y in years], keep

    @app.callback(
        Output(ids.Flows.SANKEY, "figure"),
        Input(ids.Flows.SCENARIO, "value"),
        Input(ids.Flows.YEAR, "value"),
    )
    @functools.lru_cache(maxsize=VIEW_CACHE)
    def flows(scenario: str, year: int | None) -> Any:
        return fig.sankey_figure(data.flows(scenario, year), data.labels).to_dict()


__all__ = ["LABEL", "NOTICES", "TAB", "layout", "register", "rules"]
