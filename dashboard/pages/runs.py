"""Tab *Läufe*: the batches and runs of the store, and the parameters of a chosen run.

The runs table (a data grid) shows the manifest in German (status, short content
hash, seconds, start, scale; numbers in German format, sorted as numbers); selecting
a row sends the row, of which only its run id is used (checked against the store's
run ids before the callback runs), and the page shows that run's full parameters as
JSON.
"""

from __future__ import annotations

from dash import Dash, Input, Output, html

from dashboard import ids
from dashboard.components import RowSelection, card, selected_id, table
from dashboard.context import AppContext
from dashboard.guard import InputGate, Rule
from results import RUN_STATUS_LABELS, german
from scenarios import fmt_num, fmt_pct

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
                table(
                    ids.Runs.RUNS,
                    german(runs),
                    page_size=15,
                    row_ids=row_ids,
                    formats={"Seed": lambda x: str(int(x)), "Sekunden": lambda x: fmt_num(x, 2)},
                ),
            ),
            html.Pre(id=ids.Runs.PARAMETERS, className="parameter"),
        ]
    )


def rules(ctx: AppContext) -> dict[str, Rule]:
    """The rule of the row selection."""
    return {
        ids.prop(ids.Runs.RUNS, "selectedRows"): RowSelection(
            "Ausgewählter Lauf", frozenset(ctx.runs["run_id"]), max_items=1
        )
    }


def register(app: Dash, ctx: AppContext, gate: InputGate) -> None:
    """The tab's callback (``gate`` has checked every request before it runs)."""
    data = ctx.data

    @app.callback(Output(ids.Runs.PARAMETERS, "children"), Input(ids.Runs.RUNS, "selectedRows"))
    def params(rows: list[dict] | None) -> str:
        # only the row's id (its run id, checked by the rule) is used, never its data
        run_id = selected_id(rows)
        if run_id is None:
            return "Einen Lauf auswählen, um seine Parameter zu sehen."
        return data.run_params(run_id)


__all__ = ["LABEL", "NOTICES", "TAB", "layout", "register", "rules"]
