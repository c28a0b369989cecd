"""The indicator file of the Sozialräume: social burden indicators per Sozialraum (CSV).

A scenario with Sozialraumbüros and a distribution quota (``offices``,
``sozialraum_quota``) names it as ``sozialraeume_file``, relative to the file that
names it. One row per Sozialraum and indicator, each with its own source or
assumption, because the values come from different places (or from none)::

    sozialraum,indicator,value,year,source
    Samtgemeinde Scharnebeck,sgb2_share,0.09,2023,"Annahme: …"

``sozialraum`` is a municipality of the scenario's municipality file, ``indicator`` one
of :data:`model.allocation.INDICATORS`, ``value`` a share between 0 and 1, ``year`` the
reference year, ``source`` the Fundstelle with its address or a text starting with
„Annahme“. The file is bounded like the municipality file (:data:`MAX_CSV_BYTES`,
:data:`MAX_CSV_ROWS`); every problem names file, line and column.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

from model.allocation import INDICATORS
from scenarios.datafiles import MAX_CSV_BYTES, MAX_CSV_ROWS
from scenarios.errors import ScenarioError
from scenarios.formatting import fmt_num
from scenarios.safe_yaml import decode_utf8, read_limited

INDICATOR_COLUMNS = ("sozialraum", "indicator", "value", "year", "source")
"""Columns of an indicator file, in this order."""


@dataclass(frozen=True)
class IndicatorRecord:
    """One value of an indicator file."""

    sozialraum: str
    indicator: str
    value: float
    year: int
    source: str
    line: int
    """Line of the row in the file (for messages)."""

    @property
    def provenance(self) -> str:
        """``Quelle: …`` or the row's own ``Annahme: …`` text, with the year."""
        stand = "" if str(self.year) in self.source else f" (Stand {self.year})"
        if self.source.startswith("Annahme"):
            return f"{self.source}{stand}"
        return f"Quelle: {self.source}{stand}"


def load_indicators(path: str | os.PathLike[str]) -> dict[str, dict[str, IndicatorRecord]]:
    """Read an indicator file (CSV, UTF-8, comma-separated).

    Args:
        path: The CSV file.

    Returns:
        Per Sozialraum (in file order): indicator → record.

    Raises:
        ScenarioError: Naming the file, line and column of the first problem.
    """
    file = Path(path)
    raw = read_limited(file, MAX_CSV_BYTES, what="Indikatordatei")
    text = decode_utf8(raw, file, bom=True)
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        line = next(i for i, row in enumerate(text.split("\n"), 1) if _has_control(row))
        raise ScenarioError(file, None, "Steuerzeichen in der Datei nicht erlaubt", line)
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error:
        raise ScenarioError(file, None, "ungültiges CSV in der Kopfzeile", 1) from None
    for column in INDICATOR_COLUMNS:
        if column not in header:
            raise ScenarioError(file, column, "Spalte fehlt in der Kopfzeile", 1)
    for column in header:
        if column not in INDICATOR_COLUMNS:
            allowed = ", ".join(INDICATOR_COLUMNS)
            raise ScenarioError(file, column, f"unbekannte Spalte (erlaubt: {allowed})", 1)
    reader.fieldnames = header
    out: dict[str, dict[str, IndicatorRecord]] = {}
    rows = 0
    try:
        for row in reader:
            rows += 1
            line = reader.line_num
            if rows > MAX_CSV_ROWS:
                raise ScenarioError(
                    file, None, f"mehr als {fmt_num(MAX_CSV_ROWS)} Zeilen (höchstens erlaubt)", line
                )
            if None in row:
                raise ScenarioError(file, None, "zu viele Werte in der Zeile", line)
            rec = _record({k: (v or "").strip() for k, v in row.items()}, file, line)
            own = out.setdefault(rec.sozialraum, {})
            if rec.indicator in own:
                raise ScenarioError(
                    file,
                    "indicator",
                    f"„{rec.indicator}“ für „{rec.sozialraum}“ ist doppelt (schon in Zeile "
                    f"{own[rec.indicator].line})",
                    line,
                )
            own[rec.indicator] = rec
    except csv.Error:
        raise ScenarioError(
            file, None, "ungültiges CSV (Anführungszeichen oder Trennzeichen prüfen)", rows + 2
        ) from None
    if not out:
        raise ScenarioError(file, None, "keine Werte in der Datei", 1)
    return out


def _has_control(row: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\t\r" for ch in row)


def _record(values: dict[str, str], file: Path, line: int) -> IndicatorRecord:
    """One row, checked."""
    name = values["sozialraum"]
    if not name:
        raise ScenarioError(file, "sozialraum", "Sozialraum fehlt", line)
    indicator = values["indicator"]
    if indicator not in INDICATORS:
        raise ScenarioError(
            file,
            "indicator",
            f"unbekannter Indikator „{indicator[:60]}“ (erlaubt: {', '.join(INDICATORS)})",
            line,
        )
    text = values["value"]
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(file, "value", f"Wert „{text[:60]}“ ist keine Zahl", line) from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ScenarioError(file, "value", f"Wert {text[:60]} liegt nicht zwischen 0 und 1", line)
    year_text = values["year"]
    try:
        year = int(year_text)
    except ValueError:
        raise ScenarioError(
            file, "year", f"Jahr „{year_text[:60]}“ ist keine ganze Zahl", line
        ) from None
    if not 1900 <= year <= 2100:
        raise ScenarioError(file, "year", f"Jahr {year} liegt nicht zwischen 1900 und 2100", line)
    if not values["source"]:
        raise ScenarioError(file, "source", f"Quelle für „{name}“ fehlt", line)
    return IndicatorRecord(name, indicator, value, year, values["source"], line)


__all__ = ["INDICATOR_COLUMNS", "IndicatorRecord", "load_indicators"]
