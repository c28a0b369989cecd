"""The streaming XLSX writer: valid workbooks that openpyxl and pandas read back as written."""

from __future__ import annotations

import io
import math
import os
import zipfile
from datetime import datetime

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from results import workbook as wb


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _frame_bytes(frames: dict[str, pd.DataFrame], **kwargs) -> bytes:
    buf = io.BytesIO()
    with wb.Workbook(buf) as book:
        for name, frame in frames.items():
            wb.write_frame(book, name, frame, **kwargs)
    return buf.getvalue()


def test_a_frame_comes_back_with_types_formats_and_table_features():
    frame = pd.DataFrame(
        {
            "Text": ["a", "=1+1", None],
            "Betrag": [1234.5, -2.0, float("nan")],
            "Jahr": [2026, 2027, 2028],
            "Anzahl": [1, 20, 300],
            "Aktiv": [True, False, True],
            "Beginn": pd.to_datetime(["2026-01-02 03:04:05"] * 3),
        }
    )
    data = _frame_bytes({"Blatt": frame}, formats={"Betrag": '#,##0 "€"'})
    ws = _read(data)["Blatt"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(frame.columns)
    assert rows[1] == ("a", 1234.5, 2026, 1, True, datetime(2026, 1, 2, 3, 4, 5))
    assert rows[2][0] == "'=1+1" and rows[2][1] == -2.0
    assert rows[3][0] is None and rows[3][1] is None  # missing and NaN: empty cells
    formats = [c.number_format for c in ws[2]]
    assert formats[1:4] == ['#,##0 "€"', "0", "#,##0"]
    assert formats[5] == "dd.mm.yyyy hh:mm:ss"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F4" == ws.dimensions
    assert all(ws.column_dimensions[wb.column_letter(i)].width >= 8 for i in range(1, 7))
    assert all(c.font.b for c in ws[1])
    back = pd.read_excel(io.BytesIO(data), sheet_name="Blatt")
    assert back["Jahr"].dtype.kind == "i" and back["Betrag"].dtype.kind == "f"


def test_same_data_give_the_same_bytes():
    frame = pd.DataFrame({"a": ["x", "y"], "b": [1.0, 2.0]})
    assert _frame_bytes({"A": frame}) == _frame_bytes({"A": frame})


def test_the_package_has_every_part_excel_needs():
    data = _frame_bytes({"Eins": pd.DataFrame({"a": [1]}), "Zwei": pd.DataFrame({"b": ["x"]})})
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    } <= names
    book = _read(data)
    assert book.sheetnames == ["Eins", "Zwei"]
    assert book["Zwei"]["A2"].value == "x"


@pytest.mark.parametrize("name", ["", "x" * 32, "a/b", "a[1]", "'quote", "Doppelt"])
def test_bad_or_repeated_sheet_names_are_refused(name):
    book = wb.Workbook(io.BytesIO())
    sheet = book.add_sheet("Doppelt", ["a"], [10], 0)
    sheet.close()
    with pytest.raises(ValueError, match="Blattname"):
        book.add_sheet(name if name != "Doppelt" else "doppelt", ["a"], [10], 0)
    book.discard()


def test_a_sheet_beyond_excels_limits_is_refused_not_cut():
    book = wb.Workbook(io.BytesIO())
    with pytest.raises(ValueError, match="Zeilen"):
        book.add_sheet("Viel", ["a"], [10], wb.EXCEL_MAX_ROWS)
    with pytest.raises(ValueError, match="Spalten"):
        book.add_sheet("Breit", ["a"] * (wb.EXCEL_MAX_COLUMNS + 1), [10] * 16_385, 1)
    book.discard()


def test_a_sheet_must_get_exactly_its_announced_rows():
    book = wb.Workbook(io.BytesIO())
    sheet = book.add_sheet("A", ["a"], [10], 1)
    with pytest.raises(ValueError, match="0 statt 1"):
        sheet.close()
    with pytest.raises(ValueError, match="mehr als 1"):
        sheet.write('<row r="2"/><row r="3"/>', 2)
    book.discard()


def test_a_failed_write_is_reported_and_leaves_no_thread():
    class Full(io.BytesIO):
        """A disk that is full after 20 kB."""

        def write(self, data):
            if self.tell() + len(data) > 20_000:
                raise OSError(28, "No space left on device")
            return super().write(data)

    book = wb.Workbook(Full())
    rows = 2_000
    sheet = book.add_sheet("A", ["a"], [10], rows)
    with pytest.raises(OSError, match="No space"):
        for r in range(2, rows + 2):
            noise = os.urandom(30).hex()  # does not compress
            sheet.write(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{noise}</t></is></c></row>', 1
            )
        sheet.close()
    book.discard()
    assert not sheet._thread.is_alive()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_every_text_comes_back_as_the_cell_holds_it(texts):
    """Any text: control characters become �, formulas get a ', the rest stays exactly."""
    data = _frame_bytes({"T": pd.DataFrame({"t": texts}, dtype=object)})
    ws = _read(data)["T"]
    got = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    expected = [wb.cell_text(t) for t in texts]
    assert got == expected
    for row in ws.iter_rows(min_row=2):
        assert row[0].value is None or row[0].data_type == "s"


def test_lookalikes_of_excel_escapes_and_carriage_returns_stay_as_written():
    texts = ["_x0041_ bleibt", "a\rb", "a\r\nb", " Leerzeichen ", "<&>"]
    ws = _read(_frame_bytes({"T": pd.DataFrame({"t": texts})}))["T"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == texts


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
def test_numbers_built_in_sql_come_back_exactly(values):
    """Rows built by DuckDB: finite numbers round-trip, NaN and infinities are empty cells."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE t (i INTEGER, v DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    buf = io.BytesIO()
    with wb.Workbook(buf) as book:
        style = book.style("#,##0.00")
        cells = [
            wb.sql_number_cell("A", "i", book.style("0"), integer=True),
            wb.sql_number_cell("B", "v", style),
            wb.sql_text_cell("C", "CASE WHEN i % 2 = 0 THEN ? END"),
        ]
        tail = book.text_tail("gerade")
        rows = con.execute(
            f"SELECT {wb.sql_row(cells)} FROM (SELECT *, CAST(i + 2 AS VARCHAR) AS _r FROM t) "
            "ORDER BY i",
            [tail],
        ).fetchall()
        sheet = book.add_sheet("Zahlen", ["i", "v", "t"], [8, 14, 10], len(values))
        sheet.write("".join(r[0] for r in rows), len(rows))
        sheet.close()
    ws = _read(buf.getvalue())["Zahlen"]
    back = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in back] == list(range(len(values)))
    for value, row in zip(values, back, strict=True):
        assert row[1] == (value if math.isfinite(value) else None)
        assert row[2] == ("gerade" if row[0] % 2 == 0 else None)
    assert all(r[1].number_format == "#,##0.00" for r in ws.iter_rows(min_row=2) if r[1].value)
