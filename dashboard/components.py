"""Building blocks every page uses: German dropdowns, charts, cards and tables.

Pure layout helpers (no data access, no callbacks): a dropdown with German texts,
a chart with plotly's German locale and a PNG download named after its id, a card
with a heading, a data table (optionally with one selectable row whose id, not its
data, is sent back) and cached view outputs as plain dicts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from dashboard import figures as fig

VIEW_CACHE = 256
"""Views kept per server process: the store is read-only while served (DuckDB allows no
writer while it is open), so a view of the same selection never changes."""

DROPDOWN_LABELS = {
    "select_all": "Alle auswählen",
    "deselect_all": "Alle abwählen",
    "selected_count": "{num_selected} ausgewählt",
    "search": "Suchen",
    "clear_search": "Suche löschen",
    "clear_selection": "Auswahl löschen",
    "no_options_found": "Keine Treffer",
}
"""German texts of every dropdown."""

LOCALE_DE = json.loads((Path(__file__).parent / "plotly_locale_de.json").read_text("utf-8"))
"""plotly's German locale (modebar texts, number and date format), given with every chart."""

GRAPH_CONFIG: dict[str, Any] = {
    "locale": "de",
    "locales": {"de": LOCALE_DE},
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    # no upload to Plotly's cloud, no selection tools the charts do not use
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "select2d", "lasso2d"],
}
"""Every chart: German locale, PNG download from the camera button."""


def dropdown(options: Any, value: Any, ident: str | None = None, **kwargs: Any) -> dcc.Dropdown:
    """A dropdown with German texts."""
    if ident is not None:
        kwargs["id"] = ident
    return dcc.Dropdown(options, value, labels=DROPDOWN_LABELS, **kwargs)


def graph(ident: str, height: int = 380, figure: Any = None) -> dcc.Graph:
    """A chart in German whose PNG download is named after its id."""
    return dcc.Graph(
        id=ident,
        figure=figure if figure is not None else fig.empty_figure("Wird geladen …"),
        config={
            **GRAPH_CONFIG,
            "toImageButtonOptions": {**GRAPH_CONFIG["toImageButtonOptions"], "filename": ident},
        },
        style={"height": f"{height}px"},
    )


def card(title: str, children: Any) -> html.Div:
    """A card with a heading."""
    return html.Div([html.H3(title), children], className="karte")


def table(
    ident: str, frame: pd.DataFrame, page_size: int = 10, row_ids: Sequence[str] | None = None
) -> dash_table.DataTable:
    """A table; with ``row_ids`` one row can be selected (its id is sent, not its data)."""
    records = frame.to_dict("records")
    if row_ids is not None:
        records = [{**r, "id": i} for r, i in zip(records, row_ids, strict=True)]
    return dash_table.DataTable(
        id=ident,
        filter_options={"placeholder_text": "Filter …", "case": "insensitive"},
        data=records,
        columns=[{"name": c, "id": c} for c in frame.columns],
        page_size=page_size,
        sort_action="native",
        filter_action="native",
        row_selectable="single" if row_ids is not None else False,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "textAlign": "left"},
    )


def frame_table(frame: pd.DataFrame) -> html.Table:
    """A small frame as a plain HTML table (every cell as text)."""
    head = html.Tr([html.Th(c) for c in frame.columns])
    body = [html.Tr([html.Td(str(v)) for v in row]) for row in frame.itertuples(index=False)]
    return html.Table([head, *body], className="tabelle")


def frozen(*parts: Any) -> tuple:
    """Outputs of a cached view: figures as plain dicts (built once, sent many times)."""
    return tuple(p.to_dict() if isinstance(p, go.Figure) else p for p in parts)


__all__ = [
    "DROPDOWN_LABELS",
    "GRAPH_CONFIG",
    "LOCALE_DE",
    "VIEW_CACHE",
    "card",
    "dropdown",
    "frame_table",
    "frozen",
    "graph",
    "table",
]
