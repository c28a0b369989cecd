"""Exports of the results store: Parquet, CSV for German Excel, XLSX.

* **Parquet** (machine use): one file per table (``runs``, ``results``, ``flows``,
  ``closings``, ``providers``) with the store's column names.
* **CSV for German Excel**: ``;`` as separator, decimal comma, UTF-8 with BOM (so
  Excel shows umlauts), German column headings; one file per table.
* **XLSX**: one workbook with the sheets *Läufe* (manifest), *Übersicht* (median and
  90 % interval per scenario, point, year, region and metric) and *Jahreswerte*
  (every yearly figure of every run).

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

import io
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as _sheet_writer

from results.atomic import (
    TEMP_MARK,
    atomic_file,
    atomic_folder,
    check_parent,
    fsync,
    remove_leftovers,
    remove_path,
)
from results.labels import COLUMN_LABELS
from results.queries import EXPORT_ORDER, yearly_filter, yearly_sql
from results.store import DATA_TABLES, ResultsStore, os_reason
from scenarios import ScenarioError

FORMATS = ("parquet", "csv", "xlsx")

_FORMAT_NAMES = {"parquet": "Parquet", "csv": "CSV", "xlsx": "XLSX"}

XLSX_MAX_ROWS = 1_048_575
"""Rows an Excel sheet holds below its heading."""

XLSX_MAX_CELL_CHARS = 32_767
"""Characters an Excel cell holds (Excel's specification); longer texts are cut there."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_CUT = " … (gekürzt)"

GERMAN_COLUMNS: dict[str, str] = COLUMN_LABELS
"""German headings for CSV and XLSX (:data:`results.labels.COLUMN_LABELS`)."""

SHEETS = {"runs": "Läufe", "summary": "Übersicht", "yearly": "Jahreswerte"}

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


# =========================================================================== selection


def select_runs(
    store: ResultsStore, batch_id: str | None = None, scenarios: Sequence[str] = ()
) -> pd.DataFrame:
    """The finished runs to export (of one batch and/or some scenarios).

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
    return runs.reset_index(drop=True)


def table(store: ResultsStore, name: str, run_ids: Sequence[str]) -> pd.DataFrame:
    """One data table restricted to some runs, sorted."""
    frame = store.query(
        f"SELECT * FROM {name} WHERE run_id IN (SELECT unnest(?)) ORDER BY ALL", [list(run_ids)]
    )
    return frame


def summary(store: ResultsStore, run_ids: Sequence[str]) -> pd.DataFrame:
    """Median and 90 % interval of every yearly figure per scenario, point, year, region."""
    source, params = yearly_filter(run_ids=run_ids)
    return store.query(
        f"""SELECT r.scenario, r.point_id, res.year, res.region, res.metric, res.unit,
                   count(*) AS n_runs,
                   median(res.value) AS median,
                   quantile_cont(res.value, 0.05) AS q05,
                   quantile_cont(res.value, 0.95) AS q95
            {source}
            GROUP BY ALL ORDER BY r.scenario, r.point_id, res.region, res.metric, res.year""",
        params,
    )


def yearly(store: ResultsStore, run_ids: Sequence[str]) -> pd.DataFrame:
    """Every yearly figure of the runs, with scenario, point and seed."""
    sql, params = yearly_sql(run_ids=run_ids, order=EXPORT_ORDER)
    return store.query(sql, params)


def german(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with German headings (unknown columns keep their name)."""
    return frame.rename(columns={c: GERMAN_COLUMNS.get(c, c) for c in frame.columns})


# =========================================================================== no formulas


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, with a leading ``'``.

    Args:
        value: Any cell value; only ``str`` is changed.

    Returns:
        The value, or ``"'" + value`` for a text beginning with one of
        :data:`FORMULA_PREFIXES`.

    Examples:
        >>> neutralise("=1+1"), neutralise("@SUM(A1)"), neutralise("-1")
        ("'=1+1", "'@SUM(A1)", "'-1")
        >>> neutralise(-1.5), neutralise("Region 1")
        (-1.5, 'Region 1')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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


def _xlsx_text(value: str) -> str:
    """A text as an Excel cell holds it: no control characters, at most 32,767 characters."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))
    if len(text) > XLSX_MAX_CELL_CHARS:
        text = text[: XLSX_MAX_CELL_CHARS - len(_CUT)] + _CUT
    return text


def _xlsx_values(column: pd.Series) -> list[Any]:
    """The column's values as Excel takes them (None for missing and non-finite)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return [None if pd.isna(v) else bool(v) for v in column]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return [None if pd.isna(v) else v.to_pydatetime().replace(tzinfo=None) for v in column]
    if pd.api.types.is_numeric_dtype(column.dtype):
        return [_number(v) for v in column]
    out: list[Any] = []
    for v in column.astype(object):
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, bool | int | float | datetime | date):
            out.append(None if isinstance(v, float) and not math.isfinite(v) else v)
        elif isinstance(v, np.generic):
            out.append(v.item())
        else:
            out.append(str(v))
    return out


def _number(value: Any) -> Any:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return value if math.isfinite(value) else None


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    target: Path | IO[bytes],
    *,
    scratch: Path | None = None,
) -> None:
    """Write frames as sheets of one workbook with German headings and no formula.

    Every text becomes a text cell (type ``s``, never a formula, even for a text
    beginning with ``=``; such texts also get a leading ``'`` as in the CSV);
    numbers, booleans and dates keep their type. Control characters that Excel
    cannot hold are replaced by ``�``; a text longer than
    :data:`XLSX_MAX_CELL_CHARS` is cut there and marked.

    The sheets are streamed (memory stays small for a million rows) through one
    temporary file per sheet; with ``scratch`` these lie in that directory under
    the export's pid-marked names (so a killed export leaves nothing elsewhere and
    the next export removes them), otherwise in the system's temporary directory.

    Args:
        sheets: Sheet name → frame (store column names; headings become German).
        target: A file path or a binary file object.
        scratch: Directory for the sheets' temporary files (the target's).

    Raises:
        OSError: If a file cannot be written; every temporary file is removed.
    """
    book = openpyxl.Workbook(write_only=True)
    try:
        for sheet_name, frame in sheets.items():
            _write_sheet(book, sheet_name, frame, scratch)
        book.save(target)
    except BaseException:
        _discard(book)
        raise


def _write_sheet(book: Any, sheet_name: str, frame: pd.DataFrame, scratch: Path | None) -> None:
    ws = book.create_sheet(title=sheet_name)
    headed = german(frame)
    # A streamed sheet does not know its size; readers (and Excel's "used range")
    # take it from the dimension written before the first row, so give it.
    last = f"{get_column_letter(max(headed.shape[1], 1))}{len(headed) + 1}"
    ws.calculate_dimension = lambda ref=f"A1:{last}": ref
    ws.freeze_panes = "A2"
    if scratch is not None:
        _stream_into(ws, scratch)
    bold = Font(bold=True)
    head = []
    for heading in headed.columns:
        cell = WriteOnlyCell(ws, value=_xlsx_text(str(heading)))
        cell.data_type = "s"
        cell.font = bold
        head.append(cell)
    ws.append(head)
    columns = [_xlsx_values(headed.iloc[:, k]) for k in range(headed.shape[1])]
    for row in zip(*columns, strict=True):
        ws.append([_xlsx_cell(ws, v) for v in row])


def _stream_into(ws: Any, scratch: Path) -> None:
    """Let a write-only sheet stream into a pid-marked temporary file in ``scratch``.

    openpyxl (pinned in constraints.txt) would use an ``openpyxl.*`` file in the
    system's temporary directory, which a killed export leaves behind; its writer
    takes the file to use, and removes it (listed in ``ALL_TEMP_FILES``) once the
    sheet is in the workbook.
    """
    fd, name = tempfile.mkstemp(
        prefix=f".blatt{TEMP_MARK}{os.getpid()}-", suffix=".xml", dir=scratch
    )
    os.close(fd)
    _sheet_writer.ALL_TEMP_FILES.append(name)
    ws._writer = _sheet_writer.WorksheetWriter(ws, out=name)
    ws._writer.write_top()


def _discard(book: Any) -> None:
    """After a failure: end every sheet's stream quietly and remove its temporary file.

    Without this the streams' generators would be finalised later and print
    "Exception ignored" tracebacks about the closed file.
    """
    for ws in book.worksheets:
        writer = getattr(ws, "_writer", None)
        for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            if stream is not None:
                try:
                    stream.close()
                except Exception:  # the stream failed already; its file is removed below
                    pass
        out = getattr(writer, "out", None)
        if isinstance(out, str):
            remove_path(Path(out))
            if out in _sheet_writer.ALL_TEMP_FILES:
                _sheet_writer.ALL_TEMP_FILES.remove(out)


def _xlsx_cell(ws: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=_xlsx_text(value))
    cell.data_type = "s"  # a text is a text: not a formula ("="), not an error ("#N/A")
    return cell


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """:func:`write_xlsx` into memory (for a download)."""
    buf = io.BytesIO()
    write_xlsx(sheets, buf)
    return buf.getvalue()


# =========================================================================== export


def export(
    store: ResultsStore,
    fmt: str,
    out: Path,
    *,
    batch_id: str | None = None,
    scenarios: Sequence[str] = (),
) -> list[Path]:
    """Export the selected runs.

    Args:
        store: The results store.
        fmt: ``parquet``, ``csv`` or ``xlsx``.
        out: A directory (Parquet, CSV; created if missing, replaced as a whole if it
            holds an earlier export) or an ``.xlsx`` file.
        batch_id: Only this batch.
        scenarios: Only these scenarios.

    Returns:
        The files written.

    Raises:
        ScenarioError: For an unknown format, an empty selection, a sheet too large
            for Excel, or an output path that cannot be written (then nothing is
            left behind and an earlier export is unchanged).
    """
    if fmt not in FORMATS:
        raise ScenarioError(
            out, "--format", f"unbekanntes Format „{fmt}“ (möglich: {', '.join(FORMATS)})"
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
    ids = list(runs["run_id"])
    if fmt == "xlsx":
        sheets = {
            SHEETS["runs"]: runs.drop(columns=["params"]),
            SHEETS["summary"]: summary(store, ids),
            SHEETS["yearly"]: yearly(store, ids),
        }
        for sheet, frame in sheets.items():
            if len(frame) > XLSX_MAX_ROWS:
                raise ScenarioError(
                    out,
                    sheet,
                    f"{len(frame):,} Zeilen passen nicht in ein Excel-Blatt (höchstens "
                    f"{XLSX_MAX_ROWS:,}); mit --batch oder --szenario weniger Läufe wählen "
                    "oder als CSV/Parquet exportieren".replace(",", "."),
                )
        atomic_file(target, lambda tmp: write_xlsx(sheets, tmp, scratch=target.parent))
        return [target]

    frames = {"runs": runs, **{name: table(store, name, ids) for name in DATA_TABLES}}

    def write(folder: Path) -> None:
        for name, frame in frames.items():
            path = folder / f"{name}.{fmt}"
            if fmt == "parquet":
                frame.to_parquet(path, index=False)
            else:
                _write_csv(frame, path)
            fsync(path)

    atomic_folder(target, write)
    return [target / f"{name}.{fmt}" for name in frames]


def export_files(fmt: str) -> set[str]:
    """Names of the files a CSV or Parquet export writes into its folder."""
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
    allowed = export_files(fmt)
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
    "FORMATS",
    "FORMULA_PREFIXES",
    "GERMAN_COLUMNS",
    "TEMP_MARK",
    "XLSX_MAX_CELL_CHARS",
    "csv_de_bytes",
    "csv_de_text",
    "export",
    "export_files",
    "german",
    "neutralise",
    "remove_leftovers",
    "safe_frame",
    "select_runs",
    "summary",
    "write_csv_de",
    "write_xlsx",
    "xlsx_bytes",
]
