"""Exports of the results store: Parquet, CSV for German Excel, XLSX.

* **Parquet** (machine use): one file per table (``runs``, ``results``, ``flows``,
  ``closings``, ``providers``) with the store's column names and codes.
* **CSV for German Excel**: ``;`` as separator, decimal comma, UTF-8 with BOM (so
  Excel shows umlauts), German column headings; one file per table. ``results.csv``
  carries scenario, sweep point and replicate of every row (no join with
  ``runs.csv`` needed), the metric's German label and unit, and the metric's code in
  its last column. A file with more lines than Excel opens
  (:data:`CSV_EXCEL_MAX_LINES`) is named in :attr:`ExportResult.notes`, with the
  aggregated form as the way out: ``aggregated=True`` (``--aggregiert``) writes
  ``runs.csv`` and the two summaries (:data:`AGGREGATED_CSV_FILES`) instead.
* **XLSX**: one workbook (:mod:`results.workbook`) with the sheets *Hinweise* (what
  is where, every split), *Übersicht* (median and 5/95 % quantiles per scenario over
  all its points and replicates, per year, region and metric), *Übersicht je Punkt*
  (the same per sweep point, its levers as columns), *Läufe* (the manifest, levers
  as columns, status in German) and *Jahreswerte* (every yearly figure of every
  run; ``aggregated=True`` leaves it out). Every metric has its German label, every
  unit its own column and every number a number format (:data:`results.labels.
  UNIT_FORMATS`); every sheet has a frozen heading row, an autofilter and column
  widths. A table longer than an Excel sheet (:data:`XLSX_MAX_ROWS` rows below its
  heading) continues on further sheets (``Jahreswerte 2``, …), and levers too many
  for the columns of a sheet (:data:`XLSX_MAX_COLUMNS`) go to a sheet *Punkte*, one
  row per lever; both are said on *Hinweise* and in the notes. Nothing is cut.

**Fast.** The big tables are streamed: DuckDB builds the rows (as XML for the
workbook, as frames of 100,000 rows for a CSV) and they are written as they come;
memory stays small and a store of 500 Lüneburg runs of five years exports to XLSX in
seconds (``benchmarks/bench_export.py``).

**No formulas.** A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula; scenario titles, descriptions,
region and provider names come from files anyone can write. Every *text* cell
that begins with one of these characters gets a leading ``'`` in CSV and XLSX
(OWASP's rule against CSV injection), and XLSX cells holding text are always
written as text cells; numbers stay numbers. The dashboard's table downloads use
the same writers (:func:`xlsx_bytes`, :func:`csv_de_bytes`).

**Atomic.** Every file is written under a temporary name in the target directory
and renamed when complete; a CSV or Parquet folder is written completely beside
the old one and then swapped with it, so the folder is always one whole export,
old or new. A failure (full disk, no permission) leaves no temporary file and the
earlier export untouched. Temporary names carry the writing process's id
(``.NAME.sozialraum-export-PID-…``); those of an export that was killed are
removed by the next export into the same directory once their process is gone.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from results.atomic import (
    TEMP_MARK,
    atomic_file,
    atomic_folder,
    check_parent,
    fsync,
    remove_leftovers,
)
from results.compare import INTERVAL
from results.labels import (
    CHOICE_LABELS,
    COLUMN_LABELS,
    COUNT_FORMAT,
    FALLBACK_NUMBER_FORMAT,
    MEASURE_LABELS,
    POT_LABELS,
    QUANTILE_COLUMN_LABELS,
    RUN_STATUS_LABELS,
    SCENARIO_UNIT_FORMATS,
    metric_label,
    parameter_label,
    unit_format,
)
from results.queries import EXPORT_ORDER, yearly_filter, yearly_sql
from results.store import DATA_TABLES, ResultsStore, os_reason
from results.workbook import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    FORMULA_PREFIXES,
    MAX_CELL_CHARS,
    Workbook,
    column_letter,
    neutralise,
    sql_number_cell,
    sql_row,
    sql_text_cell,
    style_head,
    text_width,
    write_frame,
)
from scenarios import ScenarioError

FORMATS = ("parquet", "csv", "xlsx")

_FORMAT_NAMES = {"parquet": "Parquet", "csv": "CSV", "xlsx": "XLSX"}

XLSX_MAX_ROWS = EXCEL_MAX_ROWS - 1
"""Rows an Excel sheet holds below its heading; a longer table continues on the next
sheet (a module variable, so tests can lower it)."""

XLSX_MAX_COLUMNS = EXCEL_MAX_COLUMNS
"""Columns of an Excel sheet; levers that would not fit go to the sheet *Punkte*."""

CSV_EXCEL_MAX_LINES = EXCEL_MAX_ROWS
"""Lines (heading included) of a CSV file that Excel opens in full."""

XLSX_MAX_CELL_CHARS = MAX_CELL_CHARS
"""Characters an Excel cell holds (Excel's specification); longer texts are cut there."""

GERMAN_COLUMNS: dict[str, str] = COLUMN_LABELS
"""German headings for CSV and XLSX (:data:`results.labels.COLUMN_LABELS`)."""

SHEETS = {
    "notes": "Hinweise",
    "summary": "Übersicht",
    "points": "Übersicht je Punkt",
    "runs": "Läufe",
    "levers": "Punkte",
    "yearly": "Jahreswerte",
}
"""Names of the workbook's sheets (a split table continues as ``Jahreswerte 2``, …)."""

AGGREGATED_CSV_FILES = {
    "runs": "runs.csv",
    "summary": "uebersicht.csv",
    "points": "uebersicht_punkte.csv",
}
"""Files of an aggregated CSV export (``--aggregiert``)."""

_CSV_OPTIONS: dict[str, Any] = {
    "sep": ";",
    "decimal": ",",
    "index": False,
    "date_format": "%d.%m.%Y %H:%M:%S",
    # CRLF as Excel writes it; it also makes the writer quote every text holding a
    # carriage return (with "\n" alone a bare "\r" would end the row in Excel and
    # start a new cell, which could begin with "=").
    "lineterminator": "\r\n",
}

_CHUNK_ROWS = 100_000
"""Rows per piece a streamed table is fetched and written in."""

_Q_LOW, _Q_HIGH = INTERVAL


@dataclass
class ExportResult:
    """What an export wrote.

    Attributes:
        paths: The files or folder written.
        notes: German lines for the command's output (split sheets, CSV files too
            long for Excel and what to do instead).
    """

    paths: list[Path]
    notes: list[str] = field(default_factory=list)


ANALYSIS_FILES = {"analyses": "analysen.csv", "sensitivity": "sensitivitaet.csv"}
"""CSV files of the stored analyses of the selected scenarios (written when there are any)."""

ANALYSIS_SHEETS = {"analyses": "Analysen", "sensitivity": "Sensitivität"}
"""Sheets of the stored analyses of the selected scenarios (when there are any)."""

ANALYSIS_KINDS = {
    "sensitivity": "Sensitivitätsanalyse",
    "discover": "Szenarioentdeckung (PRIM)",
    "optimise": "Suche nach Aufteilungen (Pareto)",
}
"""German names of the kinds of analyses."""


def analysis_frames(
    store: ResultsStore, scenarios: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored analyses of these scenarios and their sensitivity indices, in German.

    Args:
        store: The results store.
        scenarios: The scenarios of the export's runs (an analysis of one of them,
            or with one of them as its baseline, is included).

    Returns:
        (analyses, indices): one row per analysis (kind, scenario, baseline, date,
        settings and result as JSON text), and one row per outcome, assumption and
        measure of every sensitivity analysis among them.
    """
    frame = store.query(
        "SELECT * FROM analyses WHERE scenario IN (SELECT unnest(?)) "
        "OR baseline IN (SELECT unnest(?)) ORDER BY created, analysis_id",
        [list(scenarios), list(scenarios)],
    )
    analyses = pd.DataFrame(
        {
            "Analyse": frame["analysis_id"],
            "Art": frame["kind"].map(lambda k: ANALYSIS_KINDS.get(k, k)),
            "Szenario": frame["scenario"],
            "Vergleich": frame["baseline"].fillna(""),
            "Erstellt": frame["created"],
            "Einstellungen": frame["settings"].astype(str),
            "Ergebnis": frame["result"].astype(str),
        }
    )
    ids = [
        a for a, k in zip(frame["analysis_id"], frame["kind"], strict=True) if k == "sensitivity"
    ]
    idx = store.query(
        "SELECT * FROM sensitivity_indices WHERE analysis_id IN (SELECT unnest(?)) "
        "ORDER BY analysis_id, outcome, measure, value DESC, parameter",
        [ids],
    )
    indices = pd.DataFrame(
        {
            "Analyse": idx["analysis_id"],
            "Ergebnisgröße": idx["outcome"],
            "Annahme": idx["label"],
            "Parameter": idx["parameter"],
            "Maß": idx["measure"].map(lambda m: MEASURE_LABELS.get(m, m)),
            "Wert": idx["value"],
            "Halbe Breite 95-%-Intervall": idx["conf"],
        }
    )
    return analyses, indices


def _write_analyses_csv(store: ResultsStore, runs: pd.DataFrame, folder: Path) -> list[str]:
    """The analyses' CSV files (none without analyses); returns the files written."""
    analyses, indices = analysis_frames(store, sorted({str(s) for s in runs["scenario"]}))
    if analyses.empty:
        return []
    written = []
    for key, frame in (("analyses", analyses), ("sensitivity", indices)):
        if key == "sensitivity" and frame.empty:
            continue
        path = folder / ANALYSIS_FILES[key]
        _write_csv(frame, path)
        fsync(path)
        written.append(ANALYSIS_FILES[key])
    return written


def _de(n: int) -> str:
    """An integer with German thousands separators (``1.048.576``)."""
    return f"{n:,}".replace(",", ".")


# =========================================================================== selection


def select_runs(
    store: ResultsStore, batch_id: str | None = None, scenarios: Sequence[str] = ()
) -> pd.DataFrame:
    """The finished runs to export (of one batch and/or some scenarios), with replicate.

    ``replicate`` is the run's replicate in its batch (0, 1, …; of the first batch that
    planned it when no batch is chosen, missing for runs of no batch).

    Raises:
        ScenarioError: If the batch or a scenario is not in the store, or nothing
            is selected.
    """
    runs = store.runs(batch_id)
    if batch_id is not None and runs.empty:
        known = ", ".join(store.batches()["batch_id"]) or "keine"
        raise ScenarioError(
            store.path, "--batch", f"Batch „{batch_id}“ nicht gefunden (vorhanden: {known})"
        )
    runs = runs[runs["status"] == "done"]
    for name in scenarios:
        if name not in set(runs["scenario"]):
            raise ScenarioError(
                store.path, "--szenario", f"keine fertigen Läufe von Szenario „{name}“"
            )
    if scenarios:
        runs = runs[runs["scenario"].isin(scenarios)]
    if runs.empty:
        raise ScenarioError(store.path, None, "keine fertigen Läufe im Ergebnisspeicher")
    if "replicate" not in runs.columns:
        members = store.query(
            "SELECT run_id, min(replicate) AS replicate FROM batch_runs GROUP BY run_id"
        )
        runs = runs.merge(members, on="run_id", how="left")
    else:
        runs = runs.drop_duplicates("run_id")
    runs = runs.sort_values(["scenario", "point_id", "seed", "run_id"], na_position="last")
    return runs.reset_index(drop=True)


def german(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with German headings (unknown columns keep their name)."""
    return frame.rename(columns={c: GERMAN_COLUMNS.get(c, c) for c in frame.columns})


def yearly(store: ResultsStore, run_ids: Sequence[str]) -> pd.DataFrame:
    """Every yearly figure of the runs with scenario, point and seed, with codes.

    The rows of the sheet *Jahreswerte* (which shows them in German): both come from
    :func:`results.queries.yearly_filter`.
    """
    sql, params = yearly_sql(run_ids=run_ids, order=EXPORT_ORDER)
    return store.query(sql, params)


# =========================================================================== levers


@dataclass(frozen=True)
class Lever:
    """A lever (or sampled uncertainty) of the sweep points, as a column.

    Attributes:
        path: Dotted parameter path (``budget.regional2_share``).
        heading: German heading.
        numeric: Whether every value is a number (else the values are texts).
        number_format: Excel number format of a numeric lever.
    """

    path: str
    heading: str
    numeric: bool
    number_format: str


@dataclass(frozen=True)
class Point:
    """A sweep point of a scenario with its lever values (numbers or German texts)."""

    scenario: str
    point_id: str | None
    raw: str | None
    values: Mapping[str, Any]
    units: Mapping[str, str]


def _point_values(raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Lever values and units of a point's JSON (a bad or missing point has none)."""
    try:
        doc = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}, {}
    if not isinstance(doc, dict):
        return {}, {}
    values: dict[str, Any] = {}
    units: dict[str, str] = {}
    for path, entry in doc.items():
        value = entry
        if isinstance(entry, dict):
            value = entry.get("value")
            if isinstance(entry.get("unit"), str):
                units[str(path)] = entry["unit"]
        values[str(path)] = value
    return values, units


def _lever_text(path: str, value: Any) -> str | None:
    """A non-numeric lever value in German (a choice's label, pots by name)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list | tuple):
        return ", ".join(POT_LABELS.get(str(v), str(v)) for v in value)
    if isinstance(value, str):
        return CHOICE_LABELS.get(path, {}).get(value, value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def points_and_levers(runs: pd.DataFrame) -> tuple[list[Point], list[Lever]]:
    """The distinct sweep points of the runs (sorted) and the levers they set."""
    seen: dict[tuple[Any, ...], Point] = {}
    columns = (runs["scenario"], runs["point_id"], runs["point"])
    for scenario, point_id, raw in zip(*columns, strict=True):
        key = (scenario, _key(point_id), _key(raw))
        if key not in seen:
            values, units = _point_values(raw)
            seen[key] = Point(scenario, _key(point_id), _key(raw), values, units)
    points = sorted(seen.values(), key=lambda p: (p.scenario, p.point_id or "", p.raw or ""))
    paths: list[str] = []
    for p in points:
        paths.extend(path for path in p.values if path not in paths)
    levers: list[Lever] = []
    headings: set[str] = set()
    for path in paths:
        values = [p.values[path] for p in points if p.values.get(path) is not None]
        numeric = bool(values) and all(_is_number(v) for v in values)
        label = parameter_label(path)
        unit = next((p.units[path] for p in points if path in p.units), label.unit)
        heading = label.label
        k = 2
        while heading in headings:
            heading, k = f"{label.label} ({k})", k + 1
        headings.add(heading)
        fmt = SCENARIO_UNIT_FORMATS.get(unit, FALLBACK_NUMBER_FORMAT)
        levers.append(Lever(path, heading, numeric, fmt))
    return points, levers


def _key(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _lever_cell(lever: Lever, point: Point) -> Any:
    value = point.values.get(lever.path)
    if lever.numeric:
        return float(value) if _is_number(value) else None
    return _lever_text(lever.path, value)


# =========================================================================== no formulas


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return (
        pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.StringDtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headings cannot be read as formulas.

    Numeric, boolean and date columns are unchanged (a negative number stays a
    number); in text columns every value is passed through :func:`neutralise`.
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if _is_text(column):
            if isinstance(column.dtype, pd.CategoricalDtype):
                column = column.astype(object)
            out[name] = column.map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def csv_de_text(frame: pd.DataFrame) -> str:
    """CSV text for German Excel (``;``, decimal comma), formula-safe, German headings."""
    return safe_frame(german(frame)).to_csv(**_CSV_OPTIONS)


def csv_de_bytes(frame: pd.DataFrame) -> bytes:
    """:func:`csv_de_text` as UTF-8 with BOM (for a download)."""
    return ("\ufeff" + csv_de_text(frame)).encode("utf-8")


def write_csv_de(frame: pd.DataFrame, path: Path) -> None:
    """CSV for German Excel: ``;``, decimal comma, UTF-8 with BOM (atomically, no formulas)."""
    atomic_file(path, lambda tmp: _write_csv(frame, tmp))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    safe_frame(german(frame)).to_csv(path, encoding="utf-8-sig", **_CSV_OPTIONS)


def _write_csv_chunks(chunks: Iterator[pd.DataFrame], path: Path, headings: list[str]) -> int:
    """Stream frames into one CSV; returns the rows.

    The frames come from a streamed table whose texts are formula-safe already
    (:meth:`_Lookups.shown`) and whose headings are German.
    """
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        heading = csv.writer(f, delimiter=";", lineterminator=_CSV_OPTIONS["lineterminator"])
        heading.writerow([neutralise(h) for h in headings])
        for chunk in chunks:
            chunk.to_csv(f, header=False, **_CSV_OPTIONS)
            rows += len(chunk)
    return rows


def write_xlsx(sheets: Mapping[str, pd.DataFrame], target: Path | IO[bytes]) -> None:
    """Write frames as table sheets of one workbook with German headings and no formula.

    Every text becomes a text cell (never a formula, even for a text beginning with
    ``=``; such texts also get a leading ``'`` as in the CSV); numbers get a number
    format (integers grouped, years and seeds plain, other numbers two decimals),
    booleans and dates keep their type. Control characters that Excel cannot hold are
    replaced by ``�``; a text longer than :data:`XLSX_MAX_CELL_CHARS` is cut there and
    marked. Every sheet has a frozen heading row, an autofilter and column widths.

    Args:
        sheets: Sheet name → frame (store column names; headings become German).
        target: A file path or a binary file object.

    Raises:
        OSError: If the file cannot be written.
    """
    with Workbook(target) as book:
        for name, frame in sheets.items():
            write_frame(book, name, german(frame))


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """:func:`write_xlsx` into memory (for a download)."""
    buf = io.BytesIO()
    write_xlsx(sheets, buf)
    return buf.getvalue()


# =========================================================================== tables in SQL


Kind = Literal["text", "number", "integer"]


@dataclass(frozen=True)
class _Column:
    """A column of a streamed table.

    Attributes:
        heading: German heading.
        expr: SQL expression: the shown text (CSV) or its shared-string index
            (XLSX) for a text, the value for a number.
        kind: ``text``, ``number`` or ``integer``.
        style: A number's style index (XLSX), or an SQL expression giving its
            :func:`results.workbook.style_head` per row (a summary of many units).
        width: Column width in characters.
    """

    heading: str
    expr: str
    kind: Kind
    style: int | str = 0
    width: float = 14.0


class _Lookups:
    """Side tables of one rendering: raw key → shown text (CSV) or its cell's tail (XLSX).

    Each table is a ``WITH`` entry of parallel lists (``unnest``), so the big query
    joins small tables instead of calling Python per row.
    """

    def __init__(self, book: Workbook | None) -> None:
        self.book = book
        self.ctes: list[str] = []
        self.params: list[Any] = []
        self.region_width = self.metric_width = self.unit_width = 14.0

    def shown(self, text: str | None) -> str | None:
        """The shown form of a text: its cell's tail (XLSX) or itself, formula-safe (CSV).

        Every text of a streamed table passes here, so its rows need no check of their own.
        """
        if text is None:
            return None
        return self.book.text_tail(text) if self.book is not None else neutralise(text)

    text_type = "VARCHAR"
    """SQL type of a shown text (the cell's tail for XLSX, the text for CSV)."""

    def style(self, number_format: str) -> int:
        """The workbook's style index of a number format (0 for a CSV)."""
        return self.book.style(number_format) if self.book is not None else 0

    def style_head(self, number_format: str) -> str:
        """A number cell's text up to its value in this format (:func:`style_head`)."""
        return style_head(self.style(number_format))

    def table(self, name: str, columns: Sequence[tuple[str, str, Sequence[Any]]]) -> None:
        """Add ``name(column, …)`` from (column, SQL type, values) triples of equal length."""
        select = ", ".join(f"unnest(?::{kind}[]) AS {col}" for col, kind, _ in columns)
        self.ctes.append(f"{name} AS (SELECT {select})")
        self.params.extend(list(values) for _, _, values in columns)

    def texts(self, name: str, keys: Sequence[str], texts: Sequence[str]) -> float:
        """Add a lookup ``name(k, v, o, c)`` of keys and their German texts.

        ``v`` is the shown text, ``o`` its rank in German order and ``c`` the key
        itself as shown text (a code column of a CSV).

        Returns:
            A column width for the texts.
        """
        order = sorted(range(len(keys)), key=lambda i: (texts[i].casefold(), texts[i]))
        rank = [0] * len(keys)
        for position, i in enumerate(order):
            rank[i] = position
        self.table(
            name,
            [
                ("k", "VARCHAR", keys),
                ("v", self.text_type, [self.shown(t) for t in texts]),
                ("o", "INTEGER", rank),
                ("c", self.text_type, [self.shown(k) for k in keys]),
            ],
        )
        return text_width(list(texts), "")


@dataclass
class _Table:
    """A streamed table: its columns, ``FROM … WHERE …`` (with lookups) and order."""

    name: str
    columns: list[_Column]
    source: str
    params: list[Any]
    order: str
    rows: int


def _xlsx_query(table: _Table, lookups: _Lookups, limit: int) -> tuple[str, list[Any]]:
    """SQL giving ``_sheet`` (0, 1, …) and the ``<row>`` XML of every row, in order.

    Rows are numbered in the table's order; row ``i`` (from 0) goes to sheet
    ``i // limit`` as its row ``i % limit + 2`` (row 1 is the heading). Texts are
    cell tails from the lookups, so the query only joins strings.
    """
    named = ", ".join(f"{c.expr} AS _c{i}" for i, c in enumerate(table.columns))
    styles = "".join(
        f", {c.style} AS _s{i}" for i, c in enumerate(table.columns) if isinstance(c.style, str)
    )
    cells = []
    for i, c in enumerate(table.columns):
        letter = column_letter(i + 1)
        if c.kind == "text":
            cells.append(sql_text_cell(letter, f"_c{i}"))
        else:
            style = c.style if isinstance(c.style, int) else f"_s{i}"
            cells.append(sql_number_cell(letter, f"_c{i}", style, integer=c.kind == "integer"))
    ctes = [
        *lookups.ctes,
        f"_src AS (SELECT {named}{styles}, row_number() OVER (ORDER BY {table.order}) - 1 "
        f"AS _i {table.source})",
        f"_num AS (SELECT *, CAST(_i % {limit} + 2 AS VARCHAR) AS _r FROM _src)",
    ]
    sql = (
        f"WITH {', '.join(ctes)} "
        f"SELECT _i // {limit} AS _sheet, {sql_row(cells)} AS _xml FROM _num ORDER BY _i"
    )
    return sql, [*lookups.params, *table.params]


def _csv_query(table: _Table, lookups: _Lookups) -> tuple[str, list[Any]]:
    """SQL of the table's rows with German headings, in order (for a CSV)."""
    ctes = f"WITH {', '.join(lookups.ctes)} " if lookups.ctes else ""
    named = ", ".join(f'{c.expr} AS "{c.heading}"' for c in table.columns)
    sql = f"{ctes}SELECT {named} {table.source} ORDER BY {table.order}"
    return sql, [*lookups.params, *table.params]


def sheet_names(base: str, rows: int, limit: int) -> list[tuple[str, int]]:
    """The sheets a table of ``rows`` rows fills: names and rows of each.

    >>> sheet_names("Jahreswerte", 25, 10)
    [('Jahreswerte', 10), ('Jahreswerte 2', 10), ('Jahreswerte 3', 5)]
    >>> sheet_names("Läufe", 0, 10)
    [('Läufe', 0)]
    """
    count = max(1, math.ceil(rows / limit))
    return [
        (base if k == 0 else f"{base} {k + 1}", min(limit, rows - k * limit)) for k in range(count)
    ]


def _utf8_rows(column: Any) -> Callable[[int, int], bytes | memoryview | str]:
    """Rows ``start:end`` of an Arrow text column as one piece of UTF-8.

    A plain string column holds all its texts back to back in one buffer, so a range
    of rows is a slice of it (no Python string per row); other layouts are joined.
    """
    if column.null_count == 0 and (
        pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    ):
        wide = pa.types.is_large_string(column.type)
        _, offsets_buffer, data = column.buffers()
        offsets = np.frombuffer(
            offsets_buffer,
            dtype=np.int64 if wide else np.int32,
            count=len(column) + 1,
            offset=column.offset * (8 if wide else 4),
        )
        view = memoryview(data) if data is not None else memoryview(b"")
        return lambda start, end: view[offsets[start] : offsets[end]]
    texts = [t or "" for t in column.to_pylist()]
    return lambda start, end: "".join(texts[start:end])


def _write_table(
    book: Workbook, store: ResultsStore, table: _Table, lookups: _Lookups, limit: int
) -> None:
    """Stream a table into one sheet, or several if it is longer than ``limit`` rows."""
    sql, params = _xlsx_query(table, lookups, limit)
    headings = [c.heading for c in table.columns]
    widths = [text_width([], c.heading, low=c.width) for c in table.columns]
    sheets = sheet_names(table.name, table.rows, limit)
    current = 0
    sheet = book.add_sheet(sheets[0][0], headings, widths, sheets[0][1])
    for batch in store.query_arrow(sql, params, _CHUNK_ROWS):
        numbers = batch.column(0).to_numpy(zero_copy_only=False)
        rows = _utf8_rows(batch.column(1))
        cuts = np.flatnonzero(np.diff(numbers)) + 1
        for start, end in zip([0, *cuts], [*cuts, len(numbers)], strict=True):
            while int(numbers[start]) > current:
                sheet.close()
                current += 1
                sheet = book.add_sheet(sheets[current][0], headings, widths, sheets[current][1])
            sheet.write(rows(start, end), int(end - start))
    sheet.close()  # raises if fewer rows came than counted: never a silently short sheet


# =========================================================================== the export's tables


@dataclass
class _Selection:
    """The runs of an export with everything the tables need about them."""

    runs: pd.DataFrame
    points: list[Point]
    levers: list[Lever]
    point_index: list[int]
    """Index into :attr:`points` of every run (in the order of :attr:`runs`)."""
    regions: list[str]
    metrics: list[str]
    units: list[str]


def _selection(store: ResultsStore, runs: pd.DataFrame) -> _Selection:
    points, levers = points_and_levers(runs)
    index = {(p.scenario, p.point_id, p.raw): k for k, p in enumerate(points)}
    point_index = [
        index[(s, _key(pid), _key(raw))]
        for s, pid, raw in zip(runs["scenario"], runs["point_id"], runs["point"], strict=True)
    ]
    found = store.query(
        "SELECT DISTINCT region, metric, unit FROM results WHERE run_id IN (SELECT unnest(?))",
        [list(runs["run_id"])],
    )
    return _Selection(
        runs,
        points,
        levers,
        point_index,
        sorted({str(r) for r in found["region"].dropna()}),
        sorted({str(m) for m in found["metric"].dropna()}),
        sorted({str(u) for u in found["unit"].dropna()}),
    )


def _replicates(runs: pd.DataFrame) -> list[int | None]:
    """Replicates counted from 1 as users count them (the store counts from 0)."""
    return [None if pd.isna(r) else int(r) + 1 for r in runs["replicate"]]


def _lookups(sel: _Selection, book: Workbook | None) -> _Lookups:
    """The side tables of runs, regions, metrics and units (for one rendering)."""
    lk = _Lookups(book)
    runs = sel.runs
    lk.table(
        "rr",
        [
            ("run_id", "VARCHAR", list(runs["run_id"])),
            ("ord", "INTEGER", list(range(len(runs)))),
            ("sc", lk.text_type, [lk.shown(str(s)) for s in runs["scenario"]]),
            ("sc_ord", "INTEGER", _ranks([str(s) for s in runs["scenario"]])),
            ("pt", lk.text_type, [lk.shown(sel.points[k].point_id) for k in sel.point_index]),
            ("pk", "INTEGER", sel.point_index),
            ("rep", "INTEGER", _replicates(runs)),
            ("run", lk.text_type, [lk.shown(str(r)) for r in runs["run_id"]]),
        ],
    )
    lk.region_width = lk.texts("rg", sel.regions, sel.regions)
    labels = [metric_label(m).label for m in sel.metrics]
    lk.metric_width = lk.texts("mm", sel.metrics, labels)
    unit_labels = [unit_format(u).label for u in sel.units]
    lk.table(
        "uu",
        [
            ("k", "VARCHAR", sel.units),
            ("v", lk.text_type, [lk.shown(t) for t in unit_labels]),
            ("st", "VARCHAR", [lk.style_head(unit_format(u).number_format) for u in sel.units]),
        ],
    )
    lk.unit_width = text_width(unit_labels, "")
    return lk


def _ranks(values: Sequence[str]) -> list[int]:
    order = {v: k for k, v in enumerate(sorted(set(values)))}
    return [order[v] for v in values]


def _count(store: ResultsStore, lk: _Lookups, source: str, params: Sequence[Any]) -> int:
    """Rows of a table (a workbook needs them before its rows; a CSV does not: 0)."""
    if lk.book is None:
        return 0
    ctes = f"WITH {', '.join(lk.ctes)} " if lk.ctes else ""
    frame = store.query(
        f"{ctes}SELECT count(*) AS n FROM (SELECT 1 {source})", [*lk.params, *params]
    )
    return int(frame["n"].iloc[0])


def _yearly_source(sel: _Selection) -> tuple[str, list[Any]]:
    """The yearly figures of the selected runs: the one yearly query of :mod:`results.queries`."""
    source, params = yearly_filter(run_ids=list(sel.runs["run_id"]))
    return f"(SELECT res.* {source})", params


_JOINS = (
    "LEFT JOIN rg ON rg.k = res.region LEFT JOIN mm ON mm.k = res.metric "
    "LEFT JOIN uu ON uu.k = res.unit"
)


def _value_columns(lk: _Lookups) -> list[_Column]:
    """Region and metric columns (German texts) of a yearly table."""
    return [
        _Column(COLUMN_LABELS["region"], "rg.v", "text", width=lk.region_width),
        _Column(COLUMN_LABELS["metric"], "mm.v", "text", width=lk.metric_width),
    ]


def _yearly_table(
    store: ResultsStore, sel: _Selection, lk: _Lookups, *, monthly: bool = False
) -> _Table:
    """Every yearly (CSV: and monthly) figure of every run, with scenario, point, replicate."""
    fallback = lk.style_head(FALLBACK_NUMBER_FORMAT)
    plain = lk.style("0")
    if monthly:  # every row of the runs (CSV)
        rows_of, params = "results", []
    else:
        rows_of, params = _yearly_source(sel)
    source = f"FROM {rows_of} res JOIN rr ON rr.run_id = res.run_id {_JOINS}"
    columns = [
        _Column(COLUMN_LABELS["scenario"], "rr.sc", "text", width=_scenario_width(sel)),
        _Column(COLUMN_LABELS["point_id"], "rr.pt", "text", width=10),
        _Column(COLUMN_LABELS["replicate"], "rr.rep", "integer", plain, width=8),
        *_value_columns(lk),
        _Column(COLUMN_LABELS["year"], "res.year", "integer", plain, width=8),
    ]
    if monthly:
        columns.append(_Column(COLUMN_LABELS["month"], "res.month", "integer", plain, width=8))
    columns += [
        _Column(COLUMN_LABELS["value"], "res.value", "number", f"coalesce(uu.st, '{fallback}')"),
        _Column(COLUMN_LABELS["unit"], "uu.v", "text", width=lk.unit_width),
        _Column(COLUMN_LABELS["run_id"], "rr.run", "text", width=22),
    ]
    if monthly:
        columns.append(_Column(COLUMN_LABELS["metric_code"], "mm.c", "text", width=24))
    order = "rr.ord, rg.o, mm.o, res.year" + (", res.month" if monthly else "")
    # the lookups' joins keep every row (``rr`` holds every selected run): count the rows alone
    rows = _count(store, lk, f"FROM {rows_of} res", params)
    return _Table(SHEETS["yearly"], columns, source, params, order, rows)


def _scenario_width(sel: _Selection) -> float:
    return text_width([str(s) for s in sel.runs["scenario"].unique()], "")


def _quantile_columns(lk: _Lookups) -> list[_Column]:
    fallback = lk.style_head(FALLBACK_NUMBER_FORMAT)
    per_row = f"coalesce(uu.st, '{fallback}')"
    return [
        _Column(COLUMN_LABELS["unit"], "uu.v", "text", width=lk.unit_width),
        _Column(COLUMN_LABELS["n_runs"], "a.n", "integer", lk.style(COUNT_FORMAT), width=8),
        _Column(QUANTILE_COLUMN_LABELS["median"], "a.med", "number", per_row),
        _Column(QUANTILE_COLUMN_LABELS["q05"], "a.q05", "number", per_row),
        _Column(QUANTILE_COLUMN_LABELS["q95"], "a.q95", "number", per_row),
    ]


def _aggregate(sel: _Selection, group: str) -> tuple[str, list[Any], str]:
    """``FROM`` of the yearly figures aggregated over runs by ``group`` (columns of ``rr``).

    Returns:
        The ``FROM`` part, its parameters and a ``FROM`` with one row per group (to
        count the rows without computing the quantiles).
    """
    rows_of, params = _yearly_source(sel)
    groups = (
        f"FROM (SELECT DISTINCT {group}, res.year, res.region, res.metric, res.unit "
        f"FROM {rows_of} res JOIN rr ON rr.run_id = res.run_id)"
    )
    source = (
        "FROM (SELECT "
        f"{group}, res.year, res.region, res.metric, res.unit, count(*) AS n, "
        "median(res.value) AS med, "
        f"quantile_cont(res.value, {_Q_LOW}) AS q05, quantile_cont(res.value, {_Q_HIGH}) AS q95 "
        f"FROM {rows_of} res JOIN rr ON rr.run_id = res.run_id "
        f"GROUP BY {group}, res.year, res.region, res.metric, res.unit) a "
        "LEFT JOIN rg ON rg.k = a.region LEFT JOIN mm ON mm.k = a.metric "
        "LEFT JOIN uu ON uu.k = a.unit"
    )
    return source, params, groups


def _summary_table(store: ResultsStore, sel: _Selection, lk: _Lookups) -> _Table:
    """Median and 5/95 % quantiles per scenario (over all points and replicates)."""
    plain = lk.style("0")
    source, params, groups = _aggregate(sel, "rr.sc, rr.sc_ord")
    columns = [
        _Column(COLUMN_LABELS["scenario"], "a.sc", "text", width=_scenario_width(sel)),
        _Column(COLUMN_LABELS["year"], "a.year", "integer", plain, width=8),
        *_value_columns(lk),
        *_quantile_columns(lk),
    ]
    rows = _count(store, lk, groups, params)
    order = "a.sc_ord, rg.o, mm.o, a.year"
    return _Table(SHEETS["summary"], columns, source, params, order, rows)


def _points_table(
    store: ResultsStore, sel: _Selection, lk: _Lookups, levers: Sequence[Lever]
) -> _Table:
    """Median and 5/95 % quantiles per sweep point, its levers as columns."""
    plain = lk.style("0")
    lever_columns = []
    for j, lever in enumerate(levers):
        values = [_lever_cell(lever, p) for p in sel.points]
        if lever.numeric:
            lk_values: list[Any] = values
            kind = "DOUBLE"
        else:
            lk_values = [lk.shown(v) for v in values]
            kind = lk.text_type
        lever_columns.append((f"l{j}", kind, lk_values))
    lk.table(
        "pp",
        [
            ("pk", "INTEGER", list(range(len(sel.points)))),
            ("sc", lk.text_type, [lk.shown(p.scenario) for p in sel.points]),
            ("pt", lk.text_type, [lk.shown(p.point_id) for p in sel.points]),
            *lever_columns,
        ],
    )
    grouped, params, groups = _aggregate(sel, "rr.pk")
    source = grouped + " JOIN pp ON pp.pk = a.pk"
    columns = [
        _Column(COLUMN_LABELS["scenario"], "pp.sc", "text", width=_scenario_width(sel)),
        _Column(COLUMN_LABELS["point_id"], "pp.pt", "text", width=10),
    ]
    for j, lever in enumerate(levers):
        if lever.numeric:
            style = lk.style(lever.number_format)
            columns.append(_Column(lever.heading, f"pp.l{j}", "number", style))
        else:
            texts = [str(_lever_cell(lever, p) or "") for p in sel.points]
            columns.append(_Column(lever.heading, f"pp.l{j}", "text", width=text_width(texts, "")))
    columns += [
        _Column(COLUMN_LABELS["year"], "a.year", "integer", plain, width=8),
        *_value_columns(lk),
        *_quantile_columns(lk),
    ]
    rows = _count(store, lk, groups, params)
    return _Table(SHEETS["points"], columns, source, params, "a.pk, rg.o, mm.o, a.year", rows)


# =========================================================================== frames


def _runs_sheet(sel: _Selection, levers: Sequence[Lever]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The runs manifest for the workbook: German headings, levers as columns, formats."""
    runs = sel.runs
    c = COLUMN_LABELS
    frame = pd.DataFrame(
        {
            c["scenario"]: runs["scenario"].astype(object),
            c["description"]: runs["description"].astype(object),
            c["point_id"]: runs["point_id"].astype(object),
        }
    )
    formats: dict[str, str] = {}
    for lever in levers:
        frame[lever.heading] = [_lever_cell(lever, sel.points[k]) for k in sel.point_index]
        if lever.numeric:
            frame[lever.heading] = frame[lever.heading].astype(float)
            formats[lever.heading] = lever.number_format
    more = {
        c["replicate"]: pd.array(_replicates(runs), dtype="Int64"),
        c["seed"]: runs["seed"],
        c["years"]: runs["years"],
        c["scale"]: runs["scale"],
        c["status"]: runs["status"].map(lambda s: RUN_STATUS_LABELS.get(s, s)).astype(object),
        c["started"]: runs["started"],
        c["finished"]: runs["finished"],
        c["seconds"]: runs["seconds"],
        c["worker"]: runs["worker"].astype(object),
        c["code_version"]: runs["code_version"].astype(object),
        c["scenario_sha256"]: runs["scenario_sha256"].astype(object),
        c["input_sha256"]: runs["input_sha256"].astype(object),
        c["run_id"]: runs["run_id"].astype(object),
    }
    for heading, column in more.items():
        frame[heading] = column
    formats.update(
        {
            c["replicate"]: "0",
            c["seed"]: "0",
            c["years"]: "0",
            c["scale"]: "0.0##",
            c["seconds"]: "#,##0.00",
        }
    )
    return frame, formats


def _levers_sheet(sel: _Selection, levers: Sequence[Lever]) -> pd.DataFrame:
    """Levers of every point, one row per lever (when they are too many for columns)."""
    rows = []
    for point in sel.points:
        for lever in levers:
            value = _lever_cell(lever, point)
            rows.append(
                {
                    COLUMN_LABELS["scenario"]: point.scenario,
                    COLUMN_LABELS["point_id"]: point.point_id,
                    COLUMN_LABELS["lever"]: lever.heading,
                    COLUMN_LABELS["value"]: value if lever.numeric else None,
                    COLUMN_LABELS["choice"]: None if lever.numeric else value,
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[COLUMN_LABELS[k] for k in ("scenario", "point_id", "lever", "value", "choice")],
    )
    frame[COLUMN_LABELS["value"]] = frame[COLUMN_LABELS["value"]].astype(float)
    return frame


def _notes_frame(notes: Sequence[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(notes, columns=[COLUMN_LABELS["topic"], COLUMN_LABELS["note"]])


# =========================================================================== export


def export(
    store: ResultsStore,
    fmt: str,
    out: Path,
    *,
    batch_id: str | None = None,
    scenarios: Sequence[str] = (),
    aggregated: bool = False,
) -> ExportResult:
    """Export the selected runs.

    Args:
        store: The results store.
        fmt: ``parquet``, ``csv`` or ``xlsx``.
        out: A directory (Parquet, CSV; created if missing, replaced as a whole if it
            holds an earlier export) or an ``.xlsx`` file.
        batch_id: Only this batch.
        scenarios: Only these scenarios.
        aggregated: Summaries instead of every value (CSV: :data:`AGGREGATED_CSV_FILES`;
            XLSX: without the sheet *Jahreswerte*); not for Parquet.

    Returns:
        The files written and notes for the user.

    Raises:
        ScenarioError: For an unknown format, an empty selection or an output path
            that cannot be written (then nothing is left behind and an earlier export
            is unchanged).
    """
    if fmt not in FORMATS:
        raise ScenarioError(
            out, "--format", f"unbekanntes Format „{fmt}“ (möglich: {', '.join(FORMATS)})"
        )
    if aggregated and fmt == "parquet":
        raise ScenarioError(
            out, "--aggregiert", "gibt es für CSV und XLSX; Parquet enthält immer alle Werte"
        )
    target = _target(out)
    if fmt == "xlsx":
        if target.suffix.lower() != ".xlsx":
            raise ScenarioError(out, "--out", "XLSX-Export braucht einen Dateinamen auf .xlsx")
        if target.is_dir():
            raise ScenarioError(
                out, "--out", "ist ein Verzeichnis; einen Dateinamen auf .xlsx angeben"
            )
        check_parent(target)
    else:
        _check_folder(target, fmt)
    runs = select_runs(store, batch_id, scenarios)
    with _all_cores(store):
        if fmt == "xlsx":
            return _export_xlsx(store, runs, target, aggregated=aggregated, batch_id=batch_id)
        if fmt == "csv":
            return _export_csv(store, runs, target, aggregated=aggregated)
        return _export_parquet(store, runs, target)


@contextmanager
def _all_cores(store: ResultsStore) -> Iterator[None]:
    """Let DuckDB use every core for the export's queries, then restore its setting.

    The store's connection uses one thread (the cores belong to the runs of a batch);
    an export runs alone and its sorting and row building are DuckDB's work.
    """
    before = int(store.query("SELECT current_setting('threads') AS n")["n"].iloc[0])
    store.query(f"SET threads = {max(1, os.cpu_count() or 1)}")
    try:
        yield
    finally:
        store.query(f"SET threads = {before}")


def _export_parquet(store: ResultsStore, runs: pd.DataFrame, target: Path) -> ExportResult:
    ids = list(runs["run_id"])
    manifest = runs.drop(columns=["replicate"])

    def write(folder: Path) -> None:
        manifest.to_parquet(folder / "runs.parquet", index=False)
        fsync(folder / "runs.parquet")
        for name in DATA_TABLES:
            path = folder / f"{name}.parquet"
            _table(store, name, ids).to_parquet(path, index=False)
            fsync(path)

    atomic_folder(target, write)
    return ExportResult([target / f"{name}.parquet" for name in ("runs", *DATA_TABLES)])


def _table(store: ResultsStore, name: str, run_ids: Sequence[str]) -> pd.DataFrame:
    """One data table restricted to some runs, sorted."""
    return store.query(
        f"SELECT * FROM {name} WHERE run_id IN (SELECT unnest(?)) ORDER BY ALL", [list(run_ids)]
    )


def _csv_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The manifest for ``runs.csv``: the store's columns, replicate from 1, status in German."""
    frame = runs.drop(columns=["replicate"]).copy()
    frame.insert(
        list(frame.columns).index("point_id") + 1,
        "replicate",
        pd.array(_replicates(runs), dtype="Int64"),
    )
    frame["status"] = frame["status"].map(lambda s: RUN_STATUS_LABELS.get(s, s)).astype(object)
    return frame


def _export_csv(
    store: ResultsStore, runs: pd.DataFrame, target: Path, *, aggregated: bool
) -> ExportResult:
    sel = _selection(store, runs)
    ids = list(runs["run_id"])
    counts: dict[str, int] = {}

    def stream(folder: Path, file: str, table: _Table, lk: _Lookups) -> None:
        sql, params = _csv_query(table, lk)
        path = folder / file
        counts[file] = _write_csv_chunks(
            store.query_chunks(sql, params, _CHUNK_ROWS), path, [c.heading for c in table.columns]
        )
        fsync(path)

    extra: list[str] = []

    def write(folder: Path) -> None:
        _write_csv(_csv_runs(runs), folder / "runs.csv")
        fsync(folder / "runs.csv")
        counts["runs.csv"] = len(runs)
        extra.extend(_write_analyses_csv(store, runs, folder))
        if aggregated:
            lk = _lookups(sel, None)
            stream(folder, AGGREGATED_CSV_FILES["summary"], _summary_table(store, sel, lk), lk)
            lk = _lookups(sel, None)
            table = _points_table(store, sel, lk, sel.levers)
            stream(folder, AGGREGATED_CSV_FILES["points"], table, lk)
            return
        lk = _lookups(sel, None)
        stream(folder, "results.csv", _yearly_table(store, sel, lk, monthly=True), lk)
        for name in DATA_TABLES[1:]:
            frame = _table(store, name, ids)
            _write_csv(frame, folder / f"{name}.csv")
            fsync(folder / f"{name}.csv")
            counts[f"{name}.csv"] = len(frame)

    atomic_folder(target, write)
    files = export_files("csv", aggregated=aggregated)
    notes = []
    for file in sorted(files):
        lines = counts.get(file, 0) + 1
        if lines > CSV_EXCEL_MAX_LINES:
            notes.append(
                f"Hinweis: {file} hat {_de(lines)} Zeilen, Excel öffnet höchstens "
                f"{_de(CSV_EXCEL_MAX_LINES)} und zeigt nur den Anfang. Für Excel: derselbe "
                "Befehl mit --aggregiert (Median und 5-/95-%-Quantil je Szenario und je "
                "Punkt) oder --format xlsx (verteilt die Jahreswerte auf mehrere Blätter)."
            )
    order = (
        [AGGREGATED_CSV_FILES[k] for k in AGGREGATED_CSV_FILES]
        if aggregated
        else [f"{name}.csv" for name in ("runs", *DATA_TABLES)]
    )
    return ExportResult([target / f for f in [*order, *extra]], notes)


def _export_xlsx(
    store: ResultsStore,
    runs: pd.DataFrame,
    target: Path,
    *,
    aggregated: bool,
    batch_id: str | None,
) -> ExportResult:
    sel = _selection(store, runs)
    limit = XLSX_MAX_ROWS
    fixed_point_columns = 2 + 1 + 2 + 5  # scenario, point; year; region, metric; unit … q95
    fixed_run_columns = 16
    wide = len(sel.levers) + max(fixed_point_columns, fixed_run_columns) <= XLSX_MAX_COLUMNS
    levers = sel.levers if wide else []
    notes: list[str] = []

    def write(tmp: Path) -> None:
        with Workbook(tmp) as book:
            tables = []
            lk = _lookups(sel, book)
            tables.append((_summary_table(store, sel, lk), lk))
            lk = _lookups(sel, book)
            tables.append((_points_table(store, sel, lk, levers), lk))
            if not aggregated:
                lk = _lookups(sel, book)
                tables.append((_yearly_table(store, sel, lk), lk))
            rows = _notes(store, sel, tables, limit, aggregated, wide, batch_id, notes)
            write_frame(book, SHEETS["notes"], _notes_frame(rows), widths=[24, 100])
            for table, lk in tables[:2]:
                _write_table(book, store, table, lk, limit)
            frame, formats = _runs_sheet(sel, levers)
            _write_frame_split(book, SHEETS["runs"], frame, limit, formats)
            if not wide:
                _write_frame_split(book, SHEETS["levers"], _levers_sheet(sel, sel.levers), limit)
            analyses, indices = analysis_frames(store, sorted({str(x) for x in runs["scenario"]}))
            if not analyses.empty:
                write_frame(book, ANALYSIS_SHEETS["analyses"], safe_frame(analyses))
            if not indices.empty:
                _write_frame_split(book, ANALYSIS_SHEETS["sensitivity"], safe_frame(indices), limit)
            for table, lk in tables[2:]:
                _write_table(book, store, table, lk, limit)

    atomic_file(target, write)
    return ExportResult([target], notes)


def _write_frame_split(
    book: Workbook,
    base: str,
    frame: pd.DataFrame,
    limit: int,
    formats: Mapping[str, str] | None = None,
) -> None:
    """A frame as one sheet, or as several if it is longer than ``limit`` rows."""
    for k, (name, count) in enumerate(sheet_names(base, len(frame), limit)):
        write_frame(book, name, frame.iloc[k * limit : k * limit + count], formats=formats)


def _notes(
    store: ResultsStore,
    sel: _Selection,
    tables: Sequence[tuple[_Table, _Lookups]],
    limit: int,
    aggregated: bool,
    wide: bool,
    batch_id: str | None,
    command_notes: list[str],
) -> list[tuple[str, str]]:
    """The rows of the sheet *Hinweise*; splits also go into ``command_notes``."""
    runs = sel.runs
    scenarios = sorted({str(s) for s in runs["scenario"]})
    which = f"Batch {batch_id}" if batch_id else "alle Batches"
    rows = [
        ("Ergebnisspeicher", store.path.name),
        (
            "Auswahl",
            f"{_de(len(runs))} abgeschlossene Läufe ({which}) von {len(scenarios)} "
            f"Szenario(s): {', '.join(scenarios)}. Fehlgeschlagene Läufe fehlen.",
        ),
        (
            SHEETS["summary"],
            "Median, 5-%- und 95-%-Quantil je Szenario über alle Punkte und Wiederholungen, "
            "je Jahr, Region und Kennzahl.",
        ),
        (
            SHEETS["points"],
            "Dasselbe je Sweep-Punkt; die Hebel und Annahmen des Punktes stehen als Spalten "
            "(„basis“: der Punkt ohne Sweep).",
        ),
        (
            SHEETS["runs"],
            "Jeder Lauf mit Szenario, Punkt, Wiederholung, Seed, Status und Zeiten; "
            "Wiederholung 1, 2, … hat in jedem Szenario denselben Seed (gepaarte Läufe).",
        ),
    ]
    if aggregated:
        rows.append((SHEETS["yearly"], "nicht enthalten (zusammengefasster Export, --aggregiert)."))
    else:
        rows.append(
            (
                SHEETS["yearly"],
                "Jeder Jahreswert jedes Laufs; Monatswerte nur im CSV- und Parquet-Export.",
            )
        )
    rows.append(
        (
            "Einheiten",
            "Die Spalte Einheit nennt die Einheit jeder Zeile; Beträge in €, Anteile in %, "
            "Budgetüberschreitung je Lauf als ja/nein (über Läufe: Anteil der Läufe).",
        )
    )
    rows.append(("Regionen", "„Gesamt“ ist der ganze Kreis."))
    if not wide:
        text = (
            f"Die {len(sel.levers)} Hebel der Punkte passen nicht als Spalten in ein Blatt "
            f"(höchstens {_de(XLSX_MAX_COLUMNS)} Spalten); sie stehen auf dem Blatt "
            f"„{SHEETS['levers']}“, eine Zeile je Punkt und Hebel."
        )
        rows.append((SHEETS["levers"], text))
        command_notes.append(f"Hinweis: {text}")
    split = [(t.name, t.rows) for t, _ in tables]
    split.append((SHEETS["runs"], len(runs)))
    if not wide:
        split.append((SHEETS["levers"], len(sel.points) * len(sel.levers)))
    for name, count in split:
        parts = sheet_names(name, count, limit)
        if len(parts) > 1:
            names = ", ".join(f"„{n}“ ({_de(r)} Zeilen)" for n, r in parts)
            text = (
                f"{_de(count)} Zeilen passen nicht in ein Excel-Blatt (höchstens {_de(limit)} "
                f"Zeilen unter der Überschrift); sie stehen der Reihe nach auf {len(parts)} "
                f"Blättern: {names}. Nichts ist weggelassen."
            )
            rows.append((f"{name} (aufgeteilt)", text))
            command_notes.append(f"Hinweis: {name}: {text}")
    return rows


def export_files(fmt: str, *, aggregated: bool = False) -> set[str]:
    """Names of the files a CSV or Parquet export writes into its folder."""
    if aggregated:
        return set(AGGREGATED_CSV_FILES.values())
    return {f"{name}.{fmt}" for name in ("runs", *DATA_TABLES)}


# =========================================================================== output paths


def _target(out: Path) -> Path:
    """The absolute path to write (through a symlink to where it points)."""
    try:
        os.stat(out)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ScenarioError(out, "--out", f"nicht nutzbar: {os_reason(exc)}") from None
    try:
        return Path(os.path.realpath(out))
    except OSError as exc:  # pragma: no cover - realpath is not strict
        raise ScenarioError(out, "--out", f"nicht nutzbar: {os_reason(exc)}") from None


def _check_folder(folder: Path, fmt: str) -> None:
    """A folder to replace must be missing, empty or hold only an earlier export."""
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(
            folder, "--out", "ist eine Datei; für Parquet und CSV ein Verzeichnis angeben"
        )
    if folder.parent == folder:
        raise ScenarioError(folder, "--out", "das Wurzelverzeichnis kann kein Exportordner sein")
    if not folder.is_dir():
        return
    try:
        entries = sorted(os.listdir(folder))
    except OSError as exc:
        raise ScenarioError(folder, "--out", f"nicht lesbar: {os_reason(exc)}") from None
    allowed = export_files(fmt) | (
        export_files(fmt, aggregated=True) | set(ANALYSIS_FILES.values()) if fmt == "csv" else set()
    )
    foreign = [
        e
        for e in entries
        if e not in allowed or not (folder / e).is_file() or (folder / e).is_symlink()
    ]
    if foreign:
        raise ScenarioError(
            folder,
            "--out",
            f"enthält andere Dateien als einen früheren {_FORMAT_NAMES[fmt]}-Export (z. B. "
            f"„{foreign[0]}“) und wird nicht ersetzt; ein leeres oder neues Verzeichnis angeben",
        )


__all__ = [
    "AGGREGATED_CSV_FILES",
    "ANALYSIS_FILES",
    "ANALYSIS_KINDS",
    "ANALYSIS_SHEETS",
    "CSV_EXCEL_MAX_LINES",
    "FORMATS",
    "FORMULA_PREFIXES",
    "GERMAN_COLUMNS",
    "SHEETS",
    "TEMP_MARK",
    "XLSX_MAX_CELL_CHARS",
    "XLSX_MAX_COLUMNS",
    "XLSX_MAX_ROWS",
    "ExportResult",
    "Lever",
    "Point",
    "analysis_frames",
    "csv_de_bytes",
    "csv_de_text",
    "export",
    "export_files",
    "german",
    "neutralise",
    "points_and_levers",
    "remove_leftovers",
    "safe_frame",
    "select_runs",
    "sheet_names",
    "write_csv_de",
    "write_xlsx",
    "xlsx_bytes",
    "yearly",
]
