"""Data files a scenario names: municipalities (CSV) and help types (YAML).

Both are read relative to the file that names them (see :mod:`scenarios.loader`)
and bounded like every other input: a municipality file has at most
:data:`MAX_CSV_BYTES` and :data:`MAX_CSV_ROWS`, each population at most
:data:`MAX_MUNICIPALITY_POPULATION`; a help-type file is read with the bounded YAML
reader and validated with :class:`~scenarios.documents.HelpTypesDoc`. Every problem
names the file, line and column or field.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.params import HelpType
from scenarios.documents import HelpTypesDoc, read_mapping, validate_document
from scenarios.errors import ScenarioError, line_for
from scenarios.formatting import fmt_num
from scenarios.quantities import walk_quantities
from scenarios.safe_yaml import decode_utf8, read_limited

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Folder of the shipped data files."""

MUNICIPALITY_COLUMNS = ("region", "municipality", "population", "area_km2", "year", "source")
"""Columns of a municipality data file, in this order."""


@dataclass(frozen=True)
class MunicipalityRecord:
    """One row of a municipality data file."""

    region: str
    name: str
    population: int
    area_km2: float
    year: int
    source: str


MAX_CSV_BYTES = 8 * 1024 * 1024
"""Largest municipality data file (8 MiB).

A row takes about 150 bytes (the shipped files have 1.6 to 4 KB); even
:data:`MAX_CSV_ROWS` rows with long source texts stay below 4 MB.
"""

MAX_CSV_ROWS = 11_000
"""Most rows (municipalities or Sozialräume) in a municipality data file.

Germany has about 10,800 municipalities in all; the Landkreis with the most
(Eifelkreis Bitburg-Prüm) has 235, the biggest city about 550 planning areas. A
file with more rows than Germany has municipalities cannot describe one Kreis.
"""

MAX_MUNICIPALITY_POPULATION = 4_000_000
"""Largest population of one row of a municipality data file.

Berlin, the largest German municipality, has about 3.9 million inhabitants; a
larger number is a typing error (and would make the engine allocate gigabytes).
"""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters a text data file never holds (tab, line feed, return are fine)."""

_CSV_PROBLEMS = (
    ("field larger than field limit", "ein Feld ist länger als {limit} Zeichen"),
    ("line contains NUL", "Nullzeichen in der Zeile (keine Textdatei?)"),
    (
        "new-line character seen in unquoted field",
        "Zeilenumbruch in einem Feld ohne Anführungszeichen",
    ),
    ("unexpected end of data", "Anführungszeichen nicht geschlossen"),
    ("',' expected after '\"'", "nach einem schließenden Anführungszeichen fehlt das Komma"),
)
"""Python's csv messages (English) → German."""


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    for english, german in _CSV_PROBLEMS:
        if english in text:
            return "ungültiges CSV: " + german.format(limit=fmt_num(csv.field_size_limit()))
    return "ungültiges CSV (Anführungszeichen oder Trennzeichen prüfen)"


def _csv_int(
    text: str,
    file: Path,
    line: int,
    column: str,
    label: str,
    *,
    minimum: int,
    maximum: int | None = None,
    why: str = "",
) -> int:
    if text == "":
        raise ScenarioError(file, column, f"{label} fehlt", line)
    try:
        value = int(text)
    except ValueError:
        raise ScenarioError(file, column, f"{label} „{text}“ ist keine ganze Zahl", line) from None
    if value < minimum:
        raise ScenarioError(file, column, f"{label} {value} ist kleiner als {minimum}", line)
    if maximum is not None and value > maximum:
        raise ScenarioError(
            file,
            column,
            f"{label} {fmt_num(value)} ist größer als {fmt_num(maximum)} (höchstens "
            f"{fmt_num(maximum)} erlaubt{why})",
            line,
        )
    return value


def load_municipalities(path: str | os.PathLike[str]) -> dict[str, MunicipalityRecord]:
    """Read a municipality data file (CSV, UTF-8, comma-separated).

    Columns: ``region, municipality, population, area_km2, year, source``.
    ``population`` is a whole number >= 0; ``area_km2`` may be empty (unknown = 0).

    Args:
        path: The CSV file.

    Returns:
        Records by municipality name, in file order.

    Raises:
        ScenarioError: Naming the file, line and column of the first problem.
    """
    file = Path(path)
    text = decode_utf8(read_limited(file, MAX_CSV_BYTES, what="Gemeindedatei"), file, bom=True)
    control = _CONTROL.search(text)
    if control is not None:
        raise ScenarioError(
            file,
            None,
            f"Steuerzeichen (U+{ord(control.group()):04X}) in der Datei nicht erlaubt "
            "(keine Textdatei?)",
            text.count("\n", 0, control.start()) + 1,
        )
    # strict: an unclosed quote is an error, not a field running to the end of the file
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ScenarioError(file, None, _csv_message(exc), 1) from None
    for column in MUNICIPALITY_COLUMNS:
        if column not in header:
            raise ScenarioError(file, column, "Spalte fehlt in der Kopfzeile", 1)
    for column in header:
        if column not in MUNICIPALITY_COLUMNS:
            raise ScenarioError(
                file, column, f"unbekannte Spalte (erlaubt: {', '.join(MUNICIPALITY_COLUMNS)})", 1
            )
    reader.fieldnames = header
    records: dict[str, MunicipalityRecord] = {}
    rows: list[tuple[int, dict[str | None, Any]]] = []
    try:
        for row in reader:
            # line_num is the last physical line of the record (= its line, normally)
            rows.append((reader.line_num, row))
            if len(rows) > MAX_CSV_ROWS:
                raise ScenarioError(
                    file,
                    None,
                    f"mehr als {fmt_num(MAX_CSV_ROWS)} Zeilen (höchstens {fmt_num(MAX_CSV_ROWS)} "
                    "erlaubt; so viele Gemeinden hat ganz Deutschland nicht)",
                    reader.line_num,
                )
    except csv.Error as exc:
        # the broken record starts after the last complete one (the reader's own
        # count depends on where in the record it failed)
        line = (rows[-1][0] if rows else 1) + 1
        raise ScenarioError(file, None, _csv_message(exc), line) from None
    for line, row in rows:
        if None in row:
            raise ScenarioError(file, None, "zu viele Werte in der Zeile", line)
        values = {k: (v or "").strip() for k, v in row.items()}
        name = values["municipality"]
        if not name:
            raise ScenarioError(file, "municipality", "Gemeindename fehlt", line)
        if name in records:
            raise ScenarioError(file, "municipality", f"Gemeinde „{name}“ ist doppelt", line)
        population = _csv_int(
            values["population"],
            file,
            line,
            "population",
            f"Einwohnerzahl von „{name}“",
            minimum=0,
            maximum=MAX_MUNICIPALITY_POPULATION,
            why="; Berlin, die größte Gemeinde, hat rund 3,9 Mio.",
        )
        area_text = values["area_km2"]
        try:
            area = float(area_text) if area_text else 0.0
        except ValueError:
            raise ScenarioError(
                file, "area_km2", f"Fläche „{area_text}“ ist keine Zahl", line
            ) from None
        if not area >= 0.0 or area == float("inf"):
            raise ScenarioError(
                file, "area_km2", f"Fläche {area_text} ist ungültig (erwartet ≥ 0)", line
            )
        year = _csv_int(values["year"], file, line, "year", "Jahr", minimum=1900)
        if not values["source"]:
            raise ScenarioError(file, "source", f"Quelle für „{name}“ fehlt", line)
        records[name] = MunicipalityRecord(
            region=values["region"],
            name=name,
            population=population,
            area_km2=area,
            year=year,
            source=values["source"],
        )
    return records


def load_help_types(
    path: str | os.PathLike[str],
) -> tuple[tuple[HelpType, ...], tuple[tuple[str, str], ...], dict[str, str]]:
    """Read a help-type file.

    Args:
        path: The YAML file.

    Returns:
        The help types in file order, their provenance (``help_types.<code>.<field>``)
        and units by the same paths.

    Raises:
        ScenarioError: Naming the file, line and field of the first problem.
    """
    file = Path(path)
    data, lines = read_mapping(file)
    doc: HelpTypesDoc = validate_document(
        HelpTypesDoc, data, file, lambda loc: line_for(loc, lines)
    )
    types_: list[HelpType] = []
    for h in doc.help_types:
        kwargs: dict[str, Any] = {
            "code": h.code,
            "label": h.label,
            "setting": h.setting,
            "billing": h.billing,
            "fls_per_week": h.fls_per_week.value if h.fls_per_week else 0.0,
            "daily_rate": h.daily_rate.value if h.daily_rate else 0.0,
            "mean_duration_months": h.mean_duration_months.value,
            "need_min": h.need_min.value,
            "need_max": h.need_max.value,
            "age_min_years": h.age_min_years.value,
            "age_max_years": h.age_max_years.value,
            "selection_weight": h.selection_weight.value,
            "help_effect": h.help_effect.value,
            "escalates_to": h.escalates_to,
            "regional2_eligible": h.regional2_eligible,
            "trait": h.trait,
        }
        if h.group_size is not None:
            kwargs["group_size"] = h.group_size.value
        if h.group_offer_replaces is not None and h.group_offer_fit is not None:
            kwargs["group_offer_replaces"] = tuple(h.group_offer_replaces)
            kwargs["group_offer_fit"] = h.group_offer_fit.value
        types_.append(HelpType(**kwargs))
    prov, units = walk_quantities(doc, "")
    return tuple(types_), tuple(prov), units


__all__ = [
    "DATA_DIR",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "MAX_MUNICIPALITY_POPULATION",
    "MUNICIPALITY_COLUMNS",
    "MunicipalityRecord",
    "load_help_types",
    "load_municipalities",
]
