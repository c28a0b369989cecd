"""Building blocks: the data grid (AG Grid) in German, its row rule, cards without repeats."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
import pytest
from dash import dcc, html

from dashboard import components as C
from dashboard.app import create_app
from dashboard.pages import comparison, regions


def test_grid_shows_german_numbers_and_sorts_them_as_numbers():
    frame = pd.DataFrame(
        {
            "Szenario": ["a", "b", "c"],
            "Läufe": [1200, 5, 30],
            "Sekunden": [1234.5, 0.25, float("nan")],
            "Punkt.Name": ["x", None, "z"],  # a dot in a heading must not become a path
        }
    )
    defs, rows = C.grid_columns(frame, {"Sekunden": lambda x: f"{x:.1f} s".replace(".", ",")})
    assert [d["headerName"] for d in defs] == list(frame.columns)
    assert [d["field"] for d in defs] == ["c0", "c1", "c2", "c3"]
    assert defs[1]["filter"] == "agNumberColumnFilter" and defs[1]["type"] == "rightAligned"
    assert defs[1]["valueFormatter"] == {"function": "params.data.c1_text"}
    assert defs[0]["filter"] == "agTextColumnFilter" and "valueFormatter" not in defs[0]
    assert [r["c1"] for r in rows] == [1200.0, 5.0, 30.0]  # numbers: sorted as numbers
    assert [r["c1_text"] for r in rows] == ["1.200", "5", "30"]  # shown in German
    assert [r["c2_text"] for r in rows] == ["1234,5 s", "0,2 s", "–"]
    assert rows[2]["c2"] is None and rows[1]["c3"] is None  # no NaN in the JSON
    default = C.grid_columns(pd.DataFrame({"x": [1234.567]}))[1]
    assert default[0]["c0_text"] == "1.234,57"


def test_table_is_a_grid_with_german_texts_and_one_selectable_row():
    frame = pd.DataFrame({"Lauf": ["r1", "r2"], "Seed": [1, 2]})
    grid = C.table("t-test", frame, page_size=5, row_ids=["r1", "r2"])
    assert isinstance(grid, dag.AgGrid)
    assert [r["id"] for r in grid.rowData] == ["r1", "r2"]
    assert grid.getRowId == "params.data.id"
    options = grid.dashGridOptions
    assert options["rowSelection"]["mode"] == "singleRow"
    assert options["paginationPageSize"] == 5
    locale = options["localeText"]
    assert locale["noRowsToShow"] == "Keine Zeilen" and locale["thousandSeparator"] == "."
    plain = C.table("t-plain", frame)
    assert "rowSelection" not in plain.dashGridOptions
    assert not getattr(plain, "getRowId", None)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (None, True),
        ([], True),
        ([{"id": "r1", "c0": "r1", "c1": 1}], True),
        ([{"id": "/etc/passwd"}], False),
        ([{"id": "r1"}, {"id": "r2"}], False),
        ([{"c0": "r1"}], False),
        (["r1"], False),
        ({"id": "r1"}, False),
        ([{"id": 1}], False),
    ],
    ids=["none", "empty", "row", "path", "two-rows", "no-id", "bare-id", "not-a-list", "int-id"],
)
def test_row_selection_rule(value, ok):
    rule = C.RowSelection("Ausgewählter Lauf", frozenset({"r1", "r2"}), max_items=1)
    problem = rule.problem(value)
    assert (problem is None) is ok
    if not ok:
        assert problem.startswith("Ausgewählter Lauf:") and "/etc" not in problem
    if ok:  # what the callback reads from a value the rule let through
        assert C.selected_id(value) == (value[0]["id"] if value else None)


def _cards(node, out):
    if isinstance(node, html.Div) and getattr(node, "className", None) == "karte":
        out.append(node)
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            _cards(child, out)
    return out


def _has(node, kind) -> bool:
    if isinstance(node, kind):
        return True
    children = getattr(node, "children", None)
    return any(
        _has(c, kind)
        for c in (children if isinstance(children, list) else [children])
        if c is not None and not isinstance(c, (str, int, float))
    )


def test_regression_chart_titles_were_repeated_in_their_cards(demo_store, tmp_path):
    """Cards said "Gesamtausgaben und Budget" above a chart titled "Ausgaben gesamt und
    Budget"; now a chart's title is in the figure only (and in its PNG download)."""
    from dashboard.context import build_context

    app = create_app(demo_store, cache_dir=tmp_path)
    try:
        ctx = build_context(app.data)
        for page in (comparison, regions):
            cards = _cards(page.layout(ctx), [])
            charts = [c for c in cards if _has(c, dcc.Graph)]
            assert charts, page.__name__
            for card in charts:
                assert not _has(card, html.H3), page.__name__
            # cards without a chart (tables) keep their heading
            assert all(_has(c, html.H3) for c in cards if not _has(c, dcc.Graph))
    finally:
        app.data.close()
