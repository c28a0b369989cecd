"""Building blocks every page uses: German dropdowns, charts, cards and tables.

Pure layout helpers (no data access, no callbacks): a dropdown with German texts,
a chart with plotly's German locale and a PNG download named after its id, a card
(with a heading only where its content has no title of its own), a data grid
(AG Grid, German texts and number format; optionally one selectable row, whose id is
checked by :class:`RowSelection`) and cached view outputs as plain dicts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dash_ag_grid as dag
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import figures as fig
from scenarios import fmt_num

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

GRID_LOCALE_DE: dict[str, str] = json.loads(
    (Path(__file__).parent / "grid_locale_de.json").read_text("utf-8")
)
"""German texts of the data grids (pagination, filters, sorting; AG Grid's keys)."""


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


def card(title: str | None, children: Any) -> html.Div:
    """A card; with a heading only where its content has no title of its own.

    A chart carries its title in the figure (so that its PNG download has it too);
    its card has no heading (``title=None``), so the title is not shown twice.
    """
    head = [html.H3(title)] if title else []
    return html.Div([*head, children], className="karte")


def _cell_text(value: Any, fmt: Callable[[float], str] | None, integer: bool) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if fmt is not None:
        return fmt(float(value))
    return fmt_num(float(value), 0 if integer else 2)


def grid_columns(
    frame: pd.DataFrame, formats: Mapping[str, Callable[[float], str]] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Column definitions and rows of a frame for the grid, numbers in German format.

    Every column gets a plain field name (``c0``, ``c1`` …: the grid reads dots in a
    field as nested paths) and its heading as ``headerName``. A numeric column keeps
    the number (so it sorts and filters as a number) and a German text beside it
    (``c0_text``: ``1.234.567``, ``12,50``, from ``formats`` where given), which the
    cell shows.

    Args:
        frame: The table (German column names).
        formats: Column → formatter of its numbers (default: integers without,
            other numbers with two decimals).

    Returns:
        (column definitions, rows).
    """
    formats = formats or {}
    defs: list[dict[str, Any]] = []
    numeric: dict[str, tuple[str, Callable[[float], str] | None, bool]] = {}
    for i, col in enumerate(frame.columns):
        field = f"c{i}"
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            numeric[col] = (field, formats.get(col), pd.api.types.is_integer_dtype(series))
            defs.append(
                {
                    "headerName": str(col),
                    "field": field,
                    "type": "rightAligned",
                    "filter": "agNumberColumnFilter",
                    "valueFormatter": {"function": f"params.data.{field}_text"},
                }
            )
        else:
            defs.append({"headerName": str(col), "field": field, "filter": "agTextColumnFilter"})
    fields = {col: f"c{i}" for i, col in enumerate(frame.columns)}
    rows: list[dict[str, Any]] = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for col, value in record.items():
            field = fields[col]
            if col in numeric:
                _, fmt, integer = numeric[col]
                missing = value is None or pd.isna(value)
                row[field] = None if missing else float(value)
                row[f"{field}_text"] = _cell_text(None if missing else value, fmt, integer)
            else:
                row[field] = None if value is None or pd.isna(value) else str(value)
        rows.append(row)
    return defs, rows


def table(
    ident: str,
    frame: pd.DataFrame,
    page_size: int = 10,
    row_ids: Sequence[str] | None = None,
    formats: Mapping[str, Callable[[float], str]] | None = None,
) -> dag.AgGrid:
    """A grid (AG Grid) in German: sortable, filterable, paged.

    With ``row_ids`` one row can be selected; its id is ``id`` of the row (the
    callback reads ``selectedRows`` and uses only that id, checked by
    :class:`RowSelection`).

    Args:
        ident: Component id.
        frame: The table (German column names).
        page_size: Rows per page.
        row_ids: Id of every row (enables selecting one row).
        formats: Column → formatter of its numbers (:func:`grid_columns`).
    """
    defs, rows = grid_columns(frame, formats)
    if row_ids is not None:
        rows = [{**r, "id": str(i)} for r, i in zip(rows, row_ids, strict=True)]
    options: dict[str, Any] = {
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        "localeText": GRID_LOCALE_DE,
        "domLayout": "autoHeight",
        "enableCellTextSelection": True,
        # every column in the page (a few dozen at most): found by the browser's search
        "suppressColumnVirtualisation": True,
    }
    extra: dict[str, Any] = {}
    if row_ids is not None:
        options["rowSelection"] = {"mode": "singleRow", "enableClickSelection": True}
        extra["getRowId"] = "params.data.id"
    return dag.AgGrid(
        id=ident,
        rowData=rows,
        columnDefs=defs,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "floatingFilter": True,
            "resizable": True,
            "minWidth": 90,
        },
        columnSize="autoSize",
        dashGridOptions=options,
        style={"width": "100%"},
        **extra,
    )


@dataclass(frozen=True)
class RowSelection:
    """The rule of a grid's ``selectedRows``: at most ``max_items`` rows of the grid.

    The browser sends the selected rows' data; only their ``id`` is used, and it
    must be one of the grid's row ids (computed once at start).

    Attributes:
        label: German name of the field (shown in refusals).
        allowed: The row ids of the grid.
        max_items: Most rows that may be selected.
    """

    label: str
    allowed: frozenset[str]
    max_items: int = 1

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        if value is None:
            return None
        ok = (
            isinstance(value, list)
            and len(value) <= self.max_items
            and all(
                isinstance(row, dict) and type(row.get("id")) is str and row["id"] in self.allowed
                for row in value
            )
        )
        if not ok:
            return (
                f"{self.label}: nur bis zu {self.max_items} Zeile(n) dieser Tabelle sind auswählbar"
            )
        return None


def selected_id(rows: Any) -> str | None:
    """The id of the first selected row (``selectedRows`` of :func:`table`), or None."""
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        value = rows[0].get("id")
        return value if isinstance(value, str) else None
    return None


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
    "GRID_LOCALE_DE",
    "LOCALE_DE",
    "VIEW_CACHE",
    "RowSelection",
    "card",
    "dropdown",
    "frame_table",
    "frozen",
    "graph",
    "grid_columns",
    "selected_id",
    "table",
]
