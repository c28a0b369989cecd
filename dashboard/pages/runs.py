"""Tab *Läufe*: the batches and runs of the store, and the parameters of a chosen run.

The runs table shows the manifest in German (status, short content hash, seconds,
start, scale); selecting a row sends only its run id, and the page shows that run's
full parameters as JSON.
"""

from __future__ import annotations

from dash import Dash, Input, Output, html

from dashboard import ids
from dashboard.components import card, table
from dashboard.context import AppContext
from dashboard.guard import Choices, InputGate, Rule
from results import RUN_STATUS_LABELS, german
from scenarios import fmt_pct

LABEL = "Läufe"
"""The tab's German label."""

TAB = ids.Runs.TAB

NOTICES = (ids.prop(ids.Runs.PARAMETERS, "children"),)
"""Outputs that show a German refusal when a request's value breaks its rule."""


def layout(ctx: AppContext) -> html.Div:
    """The tab's content: batches, runs, the selected run's parameters."""
    batches = ctx.data.batches()
    runs = ctx.runs
    row_ids = list(runs["run_id"])
    runs = runs.assign(
        scenario_sha256=runs["scenario_sha256"].str[:12],
        seconds=runs["seconds"].round(2),
        started=runs["started"].astype(str).str[:19],
        status=runs["status"].map(RUN_STATUS_LABELS),
        scale=runs["scale"].map(lambda x: fmt_pct(x, 0)),
    ).drop(columns=["finished"])
    return html.Div(
        [
            card(
                "Batches",
                table(
                    ids.Runs.BATCHES,
                    german(batches.assign(created=batches["created"].astype(str).str[:19])),
                ),
            ),
            card(
                "Läufe (Auswahl zeigt die Parameter)",
                table(ids.Runs.RUNS, german(runs), page_size=15, row_ids=row_ids),
            ),
            html.Pre(id=ids.Runs.PARAMETERS, className="parameter"),
        ]
    )


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of the row selection."""
    return {
        ids.prop(ids.Runs.RUNS, "selected_row_ids"): Choices(
            "Ausgewählter Lauf", frozenset(ctx.runs["run_id"]), max_items=1
        )
    }


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callback (``gate`` has checked every request before it runs)."""
    data = ctx.data

    @app.callback(Output(ids.Runs.PARAMETERS, "children"), Input(ids.Runs.RUNS, "selected_row_ids"))
    def params(run_ids: list[str] | None) -> str:
        # the row's id (its run id), not the table's data: the browser sends no table back
        if not run_ids:
            return "Einen Lauf auswählen, um seine Parameter zu sehen."
        return data.run_params(run_ids[0])


__all__ = ["LABEL", "NOTICES", "TAB", "layout", "register", "rules"]
