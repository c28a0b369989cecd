"""A streaming XLSX writer: workbooks for German Excel, a million rows in seconds.

openpyxl's write-only mode builds a Python object for every cell (without lxml about
5,000 rows of nine cells a second here), so a store of 500 Lüneburg runs (1.1 million
yearly rows) took minutes. This module writes the parts of the package itself
(Office Open XML, ECMA-376 Part 1, §18 SpreadsheetML) and takes the rows as ready
XML text: built by DuckDB inside the query for the store's big tables
(:func:`sql_row`, :func:`sql_text_cell`, :func:`sql_number_cell`) or from a pandas
frame by :func:`write_frame`. The text goes straight into the compressed sheet part;
memory stays small however many rows there are.

Every sheet is a table: a bold, wrapped heading row, frozen below it, an
autofilter over the whole table and a width for every column; its dimension comes
first (readers such as openpyxl's read-only mode take the used range from it). Texts
are shared strings, one table for the workbook (:meth:`Workbook.string`); numbers
carry a number format (:meth:`Workbook.style`). Format codes are Excel's
locale-independent ones: ``#,##0 "€"`` shows as ``1.234 €`` and ``0.0 %`` as
``12,5 %`` in a German Excel.

**No formulas.** The writer never writes a formula cell; every text is a
shared-string cell, and a text beginning with one of :data:`FORMULA_PREFIXES` gets a
leading ``'`` (:func:`neutralise`, OWASP's rule against CSV injection, so a copy into
another program or a CSV cannot run it either). Characters XML cannot hold become
``�``; a text longer than :data:`MAX_CELL_CHARS` is cut there and marked.

Sheet limits (:data:`EXCEL_MAX_ROWS`, :data:`EXCEL_MAX_COLUMNS`) are checked when a
sheet is added: a caller splits a table before (:mod:`results.export` does), the
writer refuses rather than write a sheet Excel would cut.
"""

from __future__ import annotations

import math
import os
import queue
import re
import threading
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np
import pandas as pd

EXCEL_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet, the heading row included (Excel's specification)."""

EXCEL_MAX_COLUMNS = 16_384
"""Columns of an Excel sheet (Excel's specification)."""

MAX_CELL_CHARS = 32_767
"""Characters an Excel cell holds (Excel's specification); longer texts are cut there."""

SHEET_NAME_CHARS = 31
"""Characters of a sheet name (Excel's specification)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

CUT_MARK = " … (gekürzt)"
"""End of a text cut to :data:`MAX_CELL_CHARS`."""

COMPRESSION_LEVEL = 1
"""Deflate level of the parts: level 1 writes several times faster than the default 6
and the file is about a fifth larger (sheets repeat little but numbers)."""

HEADING_STYLE = 1
"""Style index of a heading cell (bold, wrapped, top-aligned)."""

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters an XML document cannot hold (control characters, lone surrogates)."""

_ESCAPED_LOOKALIKE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
"""``_x0041_`` in a text: Excel would read it as the escaped character ``A``."""

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_EXCEL_EPOCH = datetime(1899, 12, 30)


# =========================================================================== texts


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


def cell_text(value: str) -> str:
    r"""A text as a cell holds it: no formula, no character XML cannot hold, cut to fit.

    >>> cell_text("=A1"), cell_text("a\x00b")
    ("'=A1", 'a�b')
    """
    text = _ILLEGAL.sub("\ufffd", neutralise(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(CUT_MARK)] + CUT_MARK
    return text


def _xml_text(text: str) -> str:
    """Element text: ``& < >`` escaped, a carriage return kept, ``_xHHHH_`` kept literally."""
    text = _ESCAPED_LOOKALIKE.sub("_x005F_", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def column_letter(index: int) -> str:
    """Excel's name of a column (1 → ``A``, 27 → ``AA``).

    >>> column_letter(1), column_letter(26), column_letter(27), column_letter(16384)
    ('A', 'Z', 'AA', 'XFD')
    """
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def excel_serial(moment: datetime | date) -> float:
    """A date or time as Excel's serial number (days since 30 December 1899).

    >>> excel_serial(datetime(2026, 1, 1, 12))
    46023.5
    """
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment.replace(tzinfo=None) - _EXCEL_EPOCH
    return delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6


def text_width(texts: Sequence[str], heading: str, *, low: float = 8, high: float = 50) -> float:
    """A column width (in characters) that shows the texts and about two heading lines."""
    longest = max((len(t) for t in texts), default=0)
    head = len(heading) / 2 if len(heading) > 24 else len(heading)
    return float(min(high, max(low, longest + 2, head + 2)))


# =========================================================================== the workbook


class Workbook:
    """An XLSX package written part by part: sheets streamed, strings and styles at the end.

    Use as a context manager; sheets are added one after the other
    (:meth:`add_sheet`), each written completely before the next.

    Args:
        target: A file path or a binary file object (seekable or not).
    """

    def __init__(self, target: Path | IO[bytes]) -> None:
        self._own: IO[bytes] | None = None
        if isinstance(target, str | os.PathLike):
            self._own = open(target, "wb")  # closed by close() or discard()
            target = self._own
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._strings: dict[str, int] = {}
        self._formats: dict[str, int] = {}
        self._sheets: list[tuple[str, str]] = []  # (name, table range)
        self._open: Sheet | None = None
        self._closed = False

    # ------------------------------------------------------------------ registries

    def string(self, value: str) -> int:
        """The shared-string index of a text (cleaned by :func:`cell_text` first)."""
        text = cell_text(value)
        index = self._strings.get(text)
        if index is None:
            index = self._strings[text] = len(self._strings)
        return index

    def text_tail(self, value: str) -> str:
        """What follows a text cell's reference (``" t="s"><v>17</v></c>``) for SQL rows."""
        return f'" t="s"><v>{self.string(value)}</v></c>'

    def style(self, number_format: str) -> int:
        """The style index of a number format code (``#,##0 "€"``, ``0.0 %``)."""
        index = self._formats.get(number_format)
        if index is None:
            index = self._formats[number_format] = HEADING_STYLE + 1 + len(self._formats)
        return index

    # ------------------------------------------------------------------ sheets

    def add_sheet(
        self, name: str, headings: Sequence[str], widths: Sequence[float], rows: int
    ) -> Sheet:
        r"""Start a sheet; write its rows with :meth:`Sheet.write`, then :meth:`Sheet.close`.

        Args:
            name: The sheet's name (at most 31 characters, none of ``[]:*?/\``).
            headings: The column headings (become the frozen, filtered heading row).
            widths: Width of every column in characters.
            rows: How many rows (below the heading) will be written.

        Raises:
            ValueError: For a bad or repeated name, or a table Excel cannot hold.
        """
        if self._open is not None:
            raise ValueError(f"Blatt „{self._open.name}“ ist noch nicht abgeschlossen")
        if (
            not name
            or len(name) > SHEET_NAME_CHARS
            or _SHEET_NAME_FORBIDDEN.search(name)
            or name.startswith("'")
            or name.lower() in {n.lower() for n, _ in self._sheets}
        ):
            raise ValueError(f"ungültiger oder doppelter Blattname „{name}“")
        if not headings or len(headings) > EXCEL_MAX_COLUMNS:
            raise ValueError(f"Blatt „{name}“: {len(headings)} Spalten (1 bis {EXCEL_MAX_COLUMNS})")
        if not 0 <= rows <= EXCEL_MAX_ROWS - 1:
            raise ValueError(f"Blatt „{name}“: {rows} Zeilen passen nicht in ein Excel-Blatt")
        if len(widths) != len(headings):
            raise ValueError(f"Blatt „{name}“: {len(widths)} Breiten für {len(headings)} Spalten")
        ref = f"A1:{column_letter(len(headings))}{rows + 1}"
        self._sheets.append((name, ref))
        part = self._zip.open(_zip_info(f"xl/worksheets/sheet{len(self._sheets)}.xml"), "w")
        sheet = Sheet(self, name, part, rows, len(headings))
        selected = ' tabSelected="1"' if len(self._sheets) == 1 else ""
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        heading_cells = "".join(
            f'<c r="{column_letter(i)}1" s="{HEADING_STYLE}" t="s"><v>{self.string(h)}</v></c>'
            for i, h in enumerate(headings, start=1)
        )
        sheet._put(
            f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<dimension ref="{ref}"/>'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>"
            f'<row r="1">{heading_cells}</row>'
        )
        sheet._ref = ref
        self._open = sheet
        return sheet

    def _sheet_closed(self, sheet: Sheet) -> None:
        if self._open is sheet:
            self._open = None

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Write the workbook, its relations, styles and shared strings; close the file.

        Raises:
            ValueError: If a sheet is still open or the workbook has no sheet.
        """
        if self._closed:
            return
        if self._open is not None:
            raise ValueError(f"Blatt „{self._open.name}“ ist noch nicht abgeschlossen")
        if not self._sheets:
            raise ValueError("eine Arbeitsmappe braucht mindestens ein Blatt")
        n = len(self._sheets)
        self._part("[Content_Types].xml", _content_types(n))
        self._part(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        self._part("xl/workbook.xml", _workbook_xml(self._sheets))
        self._part("xl/_rels/workbook.xml.rels", _workbook_rels(n))
        self._part("xl/styles.xml", _styles_xml(self._formats))
        strings = "".join(
            f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>' for s in self._strings
        )
        self._part(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{_MAIN_NS}" uniqueCount="{len(self._strings)}">{strings}</sst>',
        )
        self._closed = True
        self._end_file(quiet=False)

    def _end_file(self, *, quiet: bool) -> None:
        """Close the package (central directory) and a file the workbook opened itself."""
        try:
            self._zip.close()
        except BaseException:
            self._zip.fp = None  # nothing more can be written; collecting it must not retry
            if not quiet:
                raise
        finally:
            if self._own is not None:
                try:
                    self._own.close()
                except OSError:
                    if not quiet:
                        raise

    def discard(self) -> None:
        """After a failure: close the file without completing it (the caller removes it)."""
        if self._closed:
            return
        self._closed = True
        if self._open is not None:
            self._open.abandon()
            self._open = None
        self._end_file(quiet=True)

    def _part(self, name: str, xml: str) -> None:
        body = xml if xml.startswith("<?xml") else _XML_HEAD + xml
        self._zip.writestr(_zip_info(name), body.encode("utf-8"))

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


class Sheet:
    """A sheet being written: rows as XML text, in order (see :meth:`Workbook.add_sheet`).

    A thread of its own encodes and compresses what :meth:`write` hands over (zlib
    releases the interpreter lock), so compressing one piece overlaps with building
    the next; at most :data:`_PENDING` pieces wait.
    """

    def __init__(self, book: Workbook, name: str, part: IO[bytes], rows: int, columns: int) -> None:
        self.name = name
        self.rows = rows
        self.columns = columns
        self.written = 0
        self._book = book
        self._part = part
        self._ref = ""
        self._pending: queue.Queue[str | bytes | memoryview | None] = queue.Queue(maxsize=_PENDING)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name=f"xlsx-{name}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while (xml := self._pending.get()) is not None:
            if self._error is None:
                try:
                    self._part.write(xml.encode("utf-8") if isinstance(xml, str) else xml)
                except BaseException as exc:  # handed to the writing thread
                    self._error = exc

    def _put(self, xml: str | bytes | memoryview) -> None:
        if self._error is not None:
            raise self._error
        self._pending.put(xml)

    def _stop(self) -> None:
        """Let the thread write what is pending and end; re-raise its failure."""
        if self._thread.is_alive():
            self._pending.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def write(self, xml: str | bytes | memoryview, rows: int) -> None:
        """Append ``rows`` complete ``<row>`` elements (rows 2, 3, … in order).

        ``xml`` is text, or its UTF-8 bytes (a buffer straight from a query).

        Raises:
            ValueError: If more rows arrive than the sheet was added with.
            OSError: If writing an earlier piece failed.
        """
        self.written += rows
        if self.written > self.rows:
            raise ValueError(f"Blatt „{self.name}“: mehr als {self.rows} Zeilen")
        self._put(xml)

    def close(self) -> None:
        """End the sheet: the autofilter over the table, page margins.

        Raises:
            ValueError: If fewer rows were written than announced (the dimension and
                the filter would be wrong).
            OSError: If writing failed.
        """
        if self.written != self.rows:
            raise ValueError(f"Blatt „{self.name}“: {self.written} statt {self.rows} Zeilen")
        self._put(
            f'</sheetData><autoFilter ref="{self._ref}"/>'
            '<pageMargins left="0.7" right="0.7" top="0.79" bottom="0.79" '
            'header="0.3" footer="0.3"/></worksheet>'
        )
        self._stop()
        self._part.close()
        self._book._sheet_closed(self)

    def abandon(self) -> None:
        """After a failure: end the thread and close the part, quietly."""
        try:
            self._stop()
        except BaseException:  # the failure is already being reported
            pass
        try:
            self._part.close()
        except Exception:  # the stream failed already; the caller removes the file
            pass


_PENDING = 2
"""Pieces of a sheet that may wait for compression (bounds the memory)."""


def _zip_info(name: str) -> zipfile.ZipInfo:
    """A part of the package: fixed time stamp (the same data give the same file)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    # ``_compresslevel``: the slot up to Python 3.12, an alias of ``compress_level`` from 3.13
    info._compresslevel = COMPRESSION_LEVEL  # type: ignore[attr-defined]
    info.external_attr = 0o644 << 16
    return info


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """``A1:C10`` → ``$A$1:$C$10``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def _workbook_xml(sheets: Sequence[tuple[str, str]]) -> str:
    entries = "".join(
        f'<sheet name="{_xml_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_xml_text(_quoted_sheet(name))}!{_absolute(ref)}</definedName>"
        for i, (name, ref) in enumerate(sheets)
    )
    return (
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets><definedNames>{filters}</definedNames></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = [
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    ]
    rels.append(f'<Relationship Id="rId{sheets + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>')
    rels.append(
        f'<Relationship Id="rId{sheets + 2}" Type="{_REL_NS}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    return f'<Relationships xmlns="{_PKG_REL_NS}">{"".join(rels)}</Relationships>'


def _styles_xml(formats: Mapping[str, int]) -> str:
    codes = "".join(
        f'<numFmt numFmtId="{164 + k}" formatCode="{_xml_attr(code)}"/>'
        for k, code in enumerate(formats)
    )
    xfs = "".join(
        f'<xf numFmtId="{164 + k}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for k in range(len(formats))
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    number_formats = f'<numFmts count="{len(formats)}">{codes}</numFmts>' if formats else ""
    return (
        f'<styleSheet xmlns="{_MAIN_NS}">{number_formats}'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{2 + len(formats)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
        'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
        f"{xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Standard" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


# =========================================================================== rows from SQL


EMPTY_TAIL = '"/>'
"""End of an empty cell element after its reference (``<c r="A2"/>``)."""


def sql_text_cell(letter: str, tail: str) -> list[str]:
    """SQL parts of a text cell; ``tail`` gives :meth:`Workbook.text_tail` (NULL: empty).

    The parts go into :func:`sql_row`; the row number is the SQL text ``_r``.
    """
    return [f"'<c r=\"{letter}'", "_r", f"coalesce({tail}, '{EMPTY_TAIL}')"]


def sql_number_cell(
    letter: str, value: str, style: int | str, *, integer: bool = False
) -> list[str]:
    """SQL parts of a number cell; NULL, NaN and infinities give an empty cell.

    Args:
        letter: The column's letter.
        value: SQL expression of the number.
        style: A style index, or an SQL expression giving :func:`style_head` per row.
        integer: The expression is an integer (no finiteness test needed).
    """
    head = f"'{style_head(style)}'" if isinstance(style, int) else f"({style})"
    missing = (
        f"({value}) IS NULL" if integer else f"NOT coalesce(isfinite(({value})::DOUBLE), false)"
    )
    return [
        f"'<c r=\"{letter}'",
        "_r",
        f"CASE WHEN {missing} THEN '{EMPTY_TAIL}' ELSE concat({head}, "
        f"CAST(({value}) AS VARCHAR), '</v></c>') END",
    ]


def style_head(style: int) -> str:
    """What follows a number cell's reference up to its value (``" s="3"><v>``)."""
    return f'" s="{style}"><v>'


def sql_row(cells: Sequence[Sequence[str]]) -> str:
    """SQL of one ``<row>`` element from the parts of its cells.

    One ``concat`` builds the whole row (DuckDB allocates it once); the row number
    must be the text column ``_r``.
    """
    parts = ["'<row r=\"'", "_r", "'\">'"]
    for cell in cells:
        parts.extend(cell)
    parts.append("'</row>'")
    return f"concat({', '.join(parts)})"


# =========================================================================== rows from frames


def _python_value(value: Any) -> Any:
    """A frame's value as a plain Python value (None for missing and non-finite)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _number_text(value: float | int) -> str:
    return repr(float(value)) if isinstance(value, float) else str(int(value))


def frame_cell(book: Workbook, ref: str, value: Any, style: int) -> str:
    """One cell of a frame's value: text, number (with ``style``), truth value or date."""
    value = _python_value(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="s"><v>{book.string(value)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{style}"><v>{_number_text(value)}</v></c>'
    if isinstance(value, datetime | date):
        code = "dd.mm.yyyy hh:mm:ss" if isinstance(value, datetime) else "dd.mm.yyyy"
        date_style = book.style(code)
        return f'<c r="{ref}" s="{date_style}"><v>{excel_serial(value)!r}</v></c>'
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return f'<c r="{ref}" t="s"><v>{book.string(str(value))}</v></c>'


def default_format(heading: str, column: pd.Series) -> str:
    """A number format for a frame column without one: years and ids plain, counts grouped."""
    if pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        plain = any(word in heading.lower() for word in ("jahr", "monat", "seed", "wiederholung"))
        return "0" if plain else "#,##0"
    return "#,##0.00"


def frame_widths(frame: pd.DataFrame, headings: Sequence[str]) -> list[float]:
    """Column widths from the headings and the texts (numbers get 14 characters)."""
    widths = []
    for heading, name in zip(headings, frame.columns, strict=True):
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            widths.append(text_width(["0" * 12], heading))
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            widths.append(text_width(["00.00.0000 00:00:00"], heading))
        else:
            sample = column.dropna().astype(str).head(2000).tolist()
            widths.append(text_width(sample, heading))
    return widths


def write_frame(
    book: Workbook,
    name: str,
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, str | Sequence[str]] | None = None,
    widths: Sequence[float] | None = None,
) -> None:
    """Write a frame as one table sheet (headings as they are in the frame).

    Args:
        book: The workbook.
        name: The sheet's name.
        frame: The table; text, number, truth-value and date columns.
        formats: Column → number format code, or one code per row (a summary whose
            rows have different units); other number columns get :func:`default_format`.
        widths: Column widths (default :func:`frame_widths`).
    """
    headings = [str(c) for c in frame.columns]
    formats = formats or {}
    styles: list[list[int] | int] = []
    for heading, column in zip(headings, frame.columns, strict=True):
        given = formats.get(column)
        if given is None:
            styles.append(book.style(default_format(heading, frame[column])))
        elif isinstance(given, str):
            styles.append(book.style(given))
        else:
            styles.append([book.style(code) for code in given])
    sheet = book.add_sheet(
        name,
        headings,
        list(widths) if widths is not None else frame_widths(frame, headings),
        len(frame),
    )
    letters = [column_letter(i) for i in range(1, len(headings) + 1)]
    columns = [
        frame[c].tolist()
        if not isinstance(frame[c].dtype, pd.CategoricalDtype)
        else frame[c].astype(object).tolist()
        for c in frame.columns
    ]
    chunk: list[str] = []
    for k, row in enumerate(zip(*columns, strict=True)):
        r = k + 2
        cells = "".join(
            frame_cell(book, f"{letter}{r}", value, style if isinstance(style, int) else style[k])
            for letter, value, style in zip(letters, row, styles, strict=True)
        )
        chunk.append(f'<row r="{r}">{cells}</row>')
        if len(chunk) == 5_000:
            sheet.write("".join(chunk), len(chunk))
            chunk = []
    sheet.write("".join(chunk), len(chunk))
    sheet.close()


__all__ = [
    "COMPRESSION_LEVEL",
    "CUT_MARK",
    "EMPTY_TAIL",
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "FORMULA_PREFIXES",
    "MAX_CELL_CHARS",
    "SHEET_NAME_CHARS",
    "Sheet",
    "Workbook",
    "cell_text",
    "column_letter",
    "default_format",
    "excel_serial",
    "frame_cell",
    "frame_widths",
    "neutralise",
    "sql_number_cell",
    "sql_row",
    "sql_text_cell",
    "style_head",
    "text_width",
    "write_frame",
]
