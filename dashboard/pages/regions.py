"""Tab *Regionen*: one metric per region, a schematic map and equity between regions.

For the shared selection the page shows the chosen metric of :data:`REGION_METRICS`
per region (median and 90 % interval), the same on a schematic map of the regions,
and the equity table of the cost per Jugendeinwohnerwert. The charts carry their
titles in the figure (their cards have no heading); scenarios keep their fixed styles.
"""

from __future__ import annotations

import functools

from dash import Dash, Input, Output, html

from dashboard import figures as fig
from dashboard import ids
from dashboard.components import VIEW_CACHE, card, dropdown, frame_table, frozen, graph
from dashboard.context import AppContext, ordered_names, selection
from dashboard.guard import Choice, InputGate, Rule
from results import metric_title, stored_unit

LABEL = "Regionen"
"""The tab's German label."""

TAB = ids.Regions.TAB

REGION_METRICS: tuple[str, ...] = (
    "cost_per_jew",
    "cases_per_10k_total",
    "total_spent",
    "spent_regional_2",
    "unmet_need_families",
    "project_reach",
)
"""Metrics the page offers per region (titles and units from :mod:`results.labels`)."""

NOTICES: tuple[str, ...] = ()
"""No output of this tab shows a refusal (a refused request gets no update)."""


def layout(ctx: AppContext) -> html.Div:
    """The tab's content."""
    return html.Div(
        [
            html.Label(
                [
                    "Kennzahl",
                    dropdown(
                        [{"label": metric_title(m), "value": m} for m in REGION_METRICS],
                        REGION_METRICS[0],
                        id=ids.Regions.METRIC,
                        clearable=False,
                    ),
                ]
            ),
            html.Div(
                [
                    card(None, graph(ids.Regions.BY_REGION, 420)),
                    card(None, graph(ids.Regions.SCHEMATIC, 420)),
                    card("Gerechtigkeit zwischen den Regionen", html.Div(id=ids.Regions.EQUITY)),
                ],
                className="raster",
            ),
        ]
    )


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of every input of the tab's callbacks."""
    return {
        ids.prop(ids.Regions.METRIC, "value"): Choice(
            "Kennzahl je Region", frozenset(REGION_METRICS)
        )
    }


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callback (``gate`` has checked every request before it runs)."""
    data, names, styles = ctx.data, ctx.names, ctx.styles

    @app.callback(
        Output(ids.Regions.BY_REGION, "figure"),
        Output(ids.Regions.SCHEMATIC, "figure"),
        Output(ids.Regions.EQUITY, "children"),
        Input(ids.Shell.BASELINE, "value"),
        Input(ids.Shell.COMPARED, "value"),
        Input(ids.Regions.METRIC, "value"),
    )
    def regions(baseline: str, compared: list[str] | None, metric: str) -> tuple:
        return regions_view(baseline, tuple(compared or ()), metric)

    @functools.lru_cache(maxsize=VIEW_CACHE)
    def regions_view(baseline: str, compared: tuple[str, ...], metric: str) -> tuple:
        chosen = selection(baseline, compared)
        shown = ordered_names(chosen, names)
        title, unit = metric_title(metric), stored_unit(metric)
        q = data.quantiles([metric], chosen, regions=data.regions())
        equity = fig.equity_table(
            data.quantiles(["cost_per_jew"], chosen, regions=data.regions()), shown
        )
        return frozen(
            fig.regions_figure(q, title, unit, shown, styles=styles),
            fig.region_schematic(q, shown, title=title, unit=unit, styles=styles),
            frame_table(equity),
        )


__all__ = ["LABEL", "NOTICES", "REGION_METRICS", "TAB", "layout", "register", "rules"]
