"""Bad-input catalogue of the files the toolkit reads: YAML, calibration file, CSV.

Before, a 1 KB "billion laughs" scenario or sweep file grew to gigabytes, 1,000
levels of nesting ended in a ``RecursionError`` with 3,000 lines of traceback, a
FIFO or ``/dev/zero`` was "Datei nicht gefunden" (or hung), a symlink loop was a
traceback, corrupt calibration files (random bytes, no ``point``, ``point: abc``,
``draws: [1, 2, 3]``, ``parameters: 5``) were tracebacks, a duplicate key or
``draws: []`` in a calibration file was silently accepted, and a bad draw named the
scenario file instead of the calibration file.

Every case below runs through ``sozialraum run FILE`` and ``sozialraum batch FILE
--store S`` (sweep cases through ``batch --sweep``) and must give exit 2, exactly one
German ``Fehler:`` line naming the file (and field, where there is one), no
traceback, and leave the results store byte for byte unchanged. The alias bomb is
also measured in its own process: refused in well under a second, below 300 MB.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios import DATA_DIR, LIBRARY_DIR
from tests.bad_days.harness import (
    ROOT,
    Case,
    assert_clear_input_error,
    file_digest,
    run_case,
)

STATUS_QUO = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"
SHIPPED_CALIBRATION = ROOT / "calibration" / "posterior" / "lueneburg-v1.yaml"
STORE = "ergebnisse.duckdb"
"""Name of the small store (fixture ``small_store``) in each case's folder."""
SCENARIO = "kaputt.yaml"
"""The scenario file each scenario case writes (or replaces by something else)."""
CALIBRATION = "kalibrierung.yaml"
SWEEP = "sweep.yaml"
CSV_FILE = "gemeinden.csv"
IND_FILE = "indikatoren.csv"
"""The copy of the Sozialräume's indicator file (``sozialraeume_file``)."""
HELP_FILE = "hilfearten.yaml"

BOMB_SECONDS = 1.0
"""Longest the refusal of the 1 KB alias bomb may take (reading, after imports)."""
BOMB_MEGABYTES = 300
"""Highest peak memory of the whole process that refuses the alias bomb."""


# =========================================================================== building files


def _status_quo_text(name: str = "kaputt") -> str:
    """The shipped status quo as ``name``, data files next to it, calibration copied."""
    text = STATUS_QUO.read_text(encoding="utf-8")
    text = text.replace("name: lueneburg-status-quo\n", f"name: {name}\n", 1)
    text = text.replace(
        "municipalities_file: ../../data/lueneburg_municipalities.csv",
        "municipalities_file: " + CSV_FILE,
        1,
    )
    text = text.replace(
        "help_types_file: ../../data/help_types.yaml", f"help_types_file: {HELP_FILE}", 1
    )
    text = text.replace(
        "sozialraeume_file: ../../data/lueneburg_sozialraeume.csv",
        f"sozialraeume_file: {IND_FILE}",
        1,
    )
    return text.replace(
        "file: ../../../calibration/posterior/lueneburg-v1.yaml", f"file: {CALIBRATION}", 1
    )


def _workspace(w: Path) -> None:
    """A valid scenario ``kaputt.yaml`` with copies of its data and calibration files."""
    (w / CSV_FILE).write_bytes((DATA_DIR / "lueneburg_municipalities.csv").read_bytes())
    (w / HELP_FILE).write_bytes((DATA_DIR / "help_types.yaml").read_bytes())
    (w / IND_FILE).write_bytes((DATA_DIR / "lueneburg_sozialraeume.csv").read_bytes())
    (w / CALIBRATION).write_bytes(SHIPPED_CALIBRATION.read_bytes())
    (w / SCENARIO).write_text(_status_quo_text(), encoding="utf-8")


def _writes(name: str, content: str | bytes) -> Callable[[Path], None]:
    """Writes the workspace, then ``name`` with ``content`` (replacing the copy)."""

    def setup(w: Path) -> None:
        _workspace(w)
        target = w / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return setup


def _replaces(name: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    """Writes the workspace, then puts something that is not a normal file at ``name``."""

    def setup(w: Path) -> None:
        _workspace(w)
        (w / name).unlink(missing_ok=True)
        make(w / name)

    return setup


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _directory(path: Path) -> None:
    path.mkdir()


def _loop(path: Path) -> None:
    other = path.with_name(f"schleife-{path.name}")
    path.symlink_to(other.name)
    other.symlink_to(path.name)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the socket file stays


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" YAML text: ``width ** levels`` strings from about 1 KB."""
    lines = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _scenario_with(text: str) -> str:
    """The status quo with ``text`` put in front (top-level keys)."""
    return text + _status_quo_text()


@functools.cache
def _calibration_doc() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SHIPPED_CALIBRATION.read_text(encoding="utf-8"), Loader=loader)


def _calibration(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """Writes the workspace with a calibration file changed by ``change`` (a copy)."""

    def setup(w: Path) -> None:
        _workspace(w)
        doc = json.loads(json.dumps(_calibration_doc()))  # deep copy, no shared objects
        change(doc)
        (w / CALIBRATION).write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    return setup


_SEED_LINE = next(
    i
    for i, line in enumerate(SHIPPED_CALIBRATION.read_text(encoding="utf-8").splitlines(), 1)
    if line.startswith("seed: ")
)
"""Line of ``seed:`` in the shipped calibration file (its header may grow)."""


def _calibration_text(edit: Callable[[str], str]) -> Callable[[Path], None]:
    """Writes the workspace with the calibration file's text edited."""

    def setup(w: Path) -> None:
        _workspace(w)
        text = SHIPPED_CALIBRATION.read_text(encoding="utf-8")
        (w / CALIBRATION).write_text(edit(text), encoding="utf-8")

    return setup


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc.update(values)

    return change


def _without(key: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        del doc[key]

    return change


def _draw(index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        if value is _DELETE:
            del doc["draws"][index][key]
        else:
            doc["draws"][index][key] = value

    return change


_DELETE = object()


def _everywhere(key: str, value: float) -> Callable[[dict[str, Any]], None]:
    """Adds a calibrated parameter to the point and every draw."""

    def change(doc: dict[str, Any]) -> None:
        for values in (doc["point"], *doc["draws"]):
            values[key] = value

    return change


def _csv(edit: Callable[[str], str]) -> Callable[[Path], None]:
    def setup(w: Path) -> None:
        _workspace(w)
        path = w / CSV_FILE
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")

    return setup


def _indicators(edit: Callable[[str], str]) -> Callable[[Path], None]:
    def setup(w: Path) -> None:
        _workspace(w)
        path = w / IND_FILE
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")

    return setup


def _csv_rows(count: int) -> Callable[[str], str]:
    def edit(text: str) -> str:
        header = text.splitlines()[0]
        rows = [f"Region 1,Dorf {i},10,1.0,2023,Annahme: Test" for i in range(count)]
        return "\n".join([header, *rows]) + "\n"

    return edit


def _sweep(text: str) -> Callable[[Path], None]:
    return _writes(SWEEP, text)


def _sweep_replaced(make: Callable[[Path], None]) -> Callable[[Path], None]:
    return _replaces(SWEEP, make)


# =========================================================================== the catalogue


@dataclasses.dataclass(frozen=True)
class FileCase:
    """One bad file, run through ``run`` and ``batch`` (or ``batch --sweep``).

    Attributes:
        ident: Short id.
        what: German description for the report.
        setup: Writes the case's files into its folder.
        expect: Fragments of the first ``Fehler:`` line.
        sweep: The bad file is a sweep file (only ``batch --sweep`` reads it).
        subprocess: Run in its own process (a FIFO must not hang the test run).
        lines: ``Fehler:`` lines expected, one per problem of the file.
    """

    ident: str
    what: str
    setup: Callable[[Path], None]
    expect: tuple[str, ...]
    sweep: bool = False
    subprocess: bool = False
    lines: int = 1


FILE_CASES = [
    # ------------------------------------------------------------ YAML limits
    FileCase(
        "alias-bombe-szenario",
        "Szenario mit 1 KB „billion laughs“ (9 Ebenen × 9 Aliase)",
        _writes(SCENARIO, _scenario_with(billion_laughs())),
        (SCENARIO, "Zeile 6", "Aliase (*name) vervielfachen den Inhalt", "4 MiB"),
    ),
    FileCase(
        "alias-bombe-sweep",
        "Sweep-Datei mit 1 KB „billion laughs“",
        _sweep(billion_laughs() + "grid:\n  budget.regional2_share: [0.1, 0.2]\n"),
        (SWEEP, "Zeile 6", "Aliase (*name) vervielfachen den Inhalt", "4 MiB"),
        sweep=True,
    ),
    FileCase(
        "alias-zyklus",
        "Alias innerhalb des Abschnitts, den er wiederholt (&a [1, *a])",
        _writes(SCENARIO, _scenario_with("schleife: &a [1, *a]\n")),
        (SCENARIO, "Zeile 1", "Alias *a steht in dem Abschnitt, den er wiederholt (Zyklus)"),
    ),
    FileCase(
        "zu-viele-aliase",
        "1.001 Aliase in einer Datei",
        _writes(SCENARIO, _scenario_with("x: &x 1\nliste: [" + ", ".join(["*x"] * 1001) + "]\n")),
        (SCENARIO, "Zeile 2", "mehr als 1.000 Aliase", "höchstens 1.000 erlaubt"),
    ),
    FileCase(
        "verschachtelung-1000-klammern",
        "1.000 Ebenen verschachtelter Listen [[[…]]]",
        _writes(SCENARIO, _scenario_with("tief: " + "[" * 1000 + "]" * 1000 + "\n")),
        (SCENARIO, "Zeile 1", "zu tief verschachtelt", "höchstens 32 erlaubt"),
    ),
    FileCase(
        "verschachtelung-1000-einrueckungen",
        "1.000 Ebenen eingerückter Abschnitte",
        _writes(
            SCENARIO, "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v: 1\n"
        ),
        (SCENARIO, "Zeile 32", "zu tief verschachtelt", "höchstens 32 erlaubt"),
    ),
    FileCase(
        "sweep-verschachtelung",
        "Sweep-Datei mit 1.000 Ebenen verschachtelter Abschnitte {{{…}}}",
        _sweep("grid: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"),
        (SWEEP, "Zeile 1", "zu tief verschachtelt"),
        sweep=True,
    ),
    FileCase(
        "datei-zu-gross",
        "Szenario mit 2 MB Beschreibung",
        _writes(SCENARIO, _status_quo_text() + "x_beschreibung: " + "x" * (2 * 1024 * 1024) + "\n"),
        (SCENARIO, "Datei ist größer als 1 MiB", "höchstens 1 MiB erlaubt"),
    ),
    FileCase(
        "zu-viele-eintraege",
        "flache Liste mit 60.000 Zahlen (unter 1 MiB)",
        _writes(SCENARIO, "name: kaputt\nliste: [" + ",".join(["1"] * 60_000) + "]\n"),
        (SCENARIO, "mehr als 50.000 Einträge", "höchstens 50.000 erlaubt"),
    ),
    FileCase(
        "doppelter-schluessel",
        "Szenario mit einem Schlüssel zweimal",
        _writes(SCENARIO, _status_quo_text() + "years: {value: 3, unit: years, assumption: x}\n"),
        (SCENARIO, "doppelter Schlüssel „years“"),
    ),
    FileCase(
        "nicht-utf8",
        "Szenario in Latin-1 (Umlaut in Zeile 2)",
        _writes(SCENARIO, "name: kaputt\ndescription: Größe\n".encode("latin-1")),
        (SCENARIO, "Zeile 2", "nicht UTF-8-kodiert"),
    ),
    FileCase(
        "sweep-doppelter-schluessel",
        "Sweep-Datei mit grid zweimal",
        _sweep("grid:\n  budget.regional2_share: [0.1]\ngrid:\n  budget.regional2_share: [0.2]\n"),
        (SWEEP, "Zeile 3", "doppelter Schlüssel „grid“"),
        sweep=True,
    ),
    # ------------------------------------------------------------ not a normal file
    FileCase(
        "fifo",
        "benannte Pipe (FIFO) als Szenario",
        _replaces(SCENARIO, _fifo),
        (SCENARIO, "ist keine normale Datei, sondern eine benannte Pipe (FIFO)"),
        subprocess=True,
    ),
    FileCase(
        "dev-zero",
        "Verweis auf /dev/zero als Szenario",
        _replaces(SCENARIO, _dev_zero),
        (SCENARIO, "ist keine normale Datei, sondern eine Gerätedatei"),
    ),
    FileCase(
        "verzeichnis",
        "Verzeichnis namens kaputt.yaml",
        _replaces(SCENARIO, _directory),
        (SCENARIO, "ist ein Verzeichnis, keine Datei"),
    ),
    FileCase(
        "socket",
        "Socket namens kaputt.yaml",
        _replaces(SCENARIO, _socket),
        (SCENARIO, "ist keine normale Datei, sondern ein Socket"),
    ),
    FileCase(
        "symlink-schleife",
        "zwei symbolische Verweise, die aufeinander zeigen",
        _replaces(SCENARIO, _loop),
        (SCENARIO, "symbolische Verweise (Links) bilden eine Schleife"),
    ),
    FileCase(
        "sweep-fifo",
        "benannte Pipe (FIFO) als Sweep-Datei",
        _sweep_replaced(_fifo),
        (SWEEP, "benannte Pipe (FIFO)"),
        sweep=True,
        subprocess=True,
    ),
    FileCase(
        "sweep-symlink-schleife",
        "Sweep-Datei als Schleife symbolischer Verweise",
        _sweep_replaced(_loop),
        (SWEEP, "bilden eine Schleife"),
        sweep=True,
    ),
    FileCase(
        "hilfeartendatei-fifo",
        "benannte Pipe (FIFO) als Hilfeartendatei",
        _replaces(HELP_FILE, _fifo),
        (SCENARIO, "Feld help_types_file", "benannte Pipe (FIFO)"),
        subprocess=True,
    ),
    FileCase(
        "hilfeartendatei-doppelter-schluessel",
        "Hilfeartendatei mit einem Schlüssel zweimal",
        _writes(
            HELP_FILE,
            (DATA_DIR / "help_types.yaml").read_text(encoding="utf-8") + "help_types: []\n",
        ),
        (HELP_FILE, "doppelter Schlüssel „help_types“"),
    ),
    # ------------------------------------------------------------ calibration file
    FileCase(
        "kalibrierung-zufallsbytes",
        "Kalibrierungsdatei aus zufälligen Bytes",
        _writes(CALIBRATION, bytes(range(256)) * 8),
        (CALIBRATION, "Zeile 2", "nicht UTF-8-kodiert"),  # byte 10 ends line 1
    ),
    FileCase(
        "kalibrierung-ohne-point",
        "Kalibrierungsdatei ohne point",
        _calibration(_without("point")),
        (CALIBRATION, "Feld point", "Pflichtfeld fehlt"),
    ),
    FileCase(
        "kalibrierung-point-text",
        "Kalibrierungsdatei mit point: abc",
        _calibration(_set(point="abc")),
        (CALIBRATION, "Feld point", "erwartet einen Abschnitt mit Schlüsseln, erhalten „abc“"),
    ),
    FileCase(
        "kalibrierung-point-wert-text",
        "Kalibrierungsdatei mit point.need.base: viel",
        _calibration(lambda d: d["point"].update({"need.base": "viel"})),
        (CALIBRATION, "Feld point.need.base", "Wert „viel“ ist keine Zahl"),
    ),
    FileCase(
        "kalibrierung-point-ausserhalb",
        "Kalibrierungsdatei mit einer Wahrscheinlichkeit 1,7 im point",
        _calibration(lambda d: d["point"].update({"recognition.p_crisis": 1.7})),
        (CALIBRATION, "Feld point.recognition.p_crisis", "Wert 1,7 liegt nicht zwischen 0 und 1"),
    ),
    FileCase(
        "kalibrierung-point-unbekannt",
        "Kalibrierungsdatei kalibriert einen Parameter, den das Szenario nicht hat",
        _calibration(_everywhere("need.gibtsnicht", 1.0)),
        (CALIBRATION, "Feld point.need.gibtsnicht", "ist kein Parameter des Szenarios kaputt"),
    ),
    FileCase(
        "kalibrierung-draws-zahlen",
        "Kalibrierungsdatei mit draws: [1, 2, 3]",
        _calibration(_set(draws=[1, 2, 3])),
        (CALIBRATION, "Feld draws.0", "erwartet einen Abschnitt mit Schlüsseln, erhalten 1"),
        lines=3,  # draws.0, draws.1 and draws.2, each on its own line
    ),
    FileCase(
        "kalibrierung-draws-leer",
        "Kalibrierungsdatei mit draws: [] (wurde still angenommen)",
        _calibration(_set(draws=[])),
        (CALIBRATION, "Feld draws", "zu wenige Einträge (mindestens 1)"),
    ),
    FileCase(
        "kalibrierung-draws-fehlen",
        "Kalibrierungsdatei ohne draws, das Szenario nutzt die Ziehungen",
        _calibration(_without("draws")),
        (CALIBRATION, "Feld draws", "Pflichtfeld fehlt", "use: posterior"),
    ),
    FileCase(
        "kalibrierung-ziehung-ohne-parameter",
        "Ziehung 3 ohne need.base",
        _calibration(_draw(3, "need.base", _DELETE)),
        (CALIBRATION, "Feld draws.3", "kalibrierter Parameter need.base fehlt in Ziehung 3"),
    ),
    FileCase(
        "kalibrierung-ziehung-nan",
        "Ziehung 5 mit need.trait_sd: .nan",
        _calibration(_draw(5, "need.trait_sd", float("nan"))),
        (CALIBRATION, "Feld draws.5.need.trait_sd", "Wert muss eine endliche Zahl sein"),
    ),
    FileCase(
        "kalibrierung-ziehung-unendlich",
        "Ziehung 0 mit need.base: .inf",
        _calibration(_draw(0, "need.base", float("inf"))),
        (CALIBRATION, "Feld draws.0.need.base", "Wert muss eine endliche Zahl sein"),
    ),
    FileCase(
        "kalibrierung-ziehung-ausserhalb",
        "Ziehung 7 mit Wahrscheinlichkeit 1,5 (der Fehler nannte die Szenariodatei)",
        _calibration(_draw(7, "recognition.p_crisis", 1.5)),
        (CALIBRATION, "Feld draws.7.recognition.p_crisis", "Wert 1,5 liegt nicht zwischen 0 und 1"),
    ),
    FileCase(
        "kalibrierung-parameters-zahl",
        "Kalibrierungsdatei mit parameters: 5",
        _calibration(_set(parameters=5)),
        (CALIBRATION, "Feld parameters", "erwartet eine Liste, erhalten 5"),
    ),
    FileCase(
        "kalibrierung-format-falsch",
        "Kalibrierungsdatei mit format: sozialraum-kalibrierung/2",
        _calibration(_set(format="sozialraum-kalibrierung/2")),
        (CALIBRATION, "Feld format", "keine Kalibrierungsdatei", "„sozialraum-kalibrierung/2“"),
    ),
    FileCase(
        "kalibrierung-doppelter-schluessel",
        "Kalibrierungsdatei mit seed zweimal (wurde still angenommen)",
        _calibration_text(lambda t: t.replace("\nseed: ", "\nseed: 1\nseed: ", 1)),
        (CALIBRATION, f"Zeile {_SEED_LINE + 1}", "doppelter Schlüssel „seed“"),
    ),
    FileCase(
        "kalibrierung-doppelter-parameter",
        "Kalibrierungsdatei mit need.base zweimal im point",
        _calibration_text(lambda t: t.replace("\npoint:\n", "\npoint:\n  need.base: 0.5\n", 1)),
        (CALIBRATION, "doppelter Schlüssel „need.base“"),
    ),
    FileCase(
        "kalibrierung-alias",
        "Kalibrierungsdatei mit einem Alias (hat dort keinen Zweck)",
        _calibration_text(
            lambda t: t.replace("\npoint:\n", "\nanker: &p 0.5\npoint:\n", 1).replace(
                "\ndraws:\n- need.base: ", "\ndraws:\n- need.base: *p\n  x: ", 1
            )
        ),
        (CALIBRATION, "Aliase (*p) sind in dieser Datei nicht erlaubt"),
    ),
    FileCase(
        "kalibrierung-alias-bombe",
        "Kalibrierungsdatei als „billion laughs“",
        _writes(CALIBRATION, billion_laughs()),
        (CALIBRATION, "Zeile 2", "Aliase (*lol0) sind in dieser Datei nicht erlaubt"),
    ),
    FileCase(
        "kalibrierung-verschachtelung",
        "Kalibrierungsdatei mit 100.000 Ebenen [[[…]]] (libyaml stürzte ab)",
        _writes(CALIBRATION, "format: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        (CALIBRATION, "Zeile 1", "zu tief verschachtelt"),
    ),
    FileCase(
        "kalibrierung-zu-gross",
        "Kalibrierungsdatei mit 5 MB",
        _calibration_text(lambda t: t + "# " + "x" * (5 * 1024 * 1024) + "\n"),
        (CALIBRATION, "Kalibrierungsdatei ist größer als 4 MiB"),
    ),
    FileCase(
        "kalibrierung-leer",
        "leere Kalibrierungsdatei",
        _writes(CALIBRATION, ""),
        (CALIBRATION, "Datei ist leer"),
    ),
    FileCase(
        "kalibrierung-fehlt",
        "Szenario nennt eine Kalibrierungsdatei, die es nicht gibt",
        _replaces(CALIBRATION, lambda p: None),
        (
            SCENARIO,
            "Feld calibration.file",
            "Kalibrierungsdatei „kalibrierung.yaml“ nicht gefunden",
        ),
    ),
    FileCase(
        "kalibrierung-fifo",
        "benannte Pipe (FIFO) als Kalibrierungsdatei",
        _replaces(CALIBRATION, _fifo),
        (CALIBRATION, "benannte Pipe (FIFO)"),
        subprocess=True,
    ),
    FileCase(
        "kalibrierung-symlink-schleife",
        "Kalibrierungsdatei als Schleife symbolischer Verweise",
        _replaces(CALIBRATION, _loop),
        (CALIBRATION, "bilden eine Schleife"),
    ),
    # ------------------------------------------------------------ CSV data file
    FileCase(
        "csv-zu-viele-zeilen",
        "Gemeindedatei mit 11.001 Zeilen",
        _csv(_csv_rows(11_001)),
        (CSV_FILE, "mehr als 11.000 Zeilen", "höchstens 11.000 erlaubt"),
    ),
    FileCase(
        "csv-zu-gross",
        "Gemeindedatei mit 9 MB",
        _csv(lambda t: t + "#" * (9 * 1024 * 1024)),
        (CSV_FILE, "Gemeindedatei ist größer als 8 MiB"),
    ),
    FileCase(
        "csv-einwohner-riesig",
        "Gemeinde mit 10¹² Einwohnern",
        _csv(lambda t: t.replace(",5535,", ",1000000000000,", 1)),
        (CSV_FILE, "Feld population", "größer als 4.000.000", "höchstens 4.000.000 erlaubt"),
    ),
    FileCase(
        "csv-nullzeichen",
        "Gemeindedatei mit einem Nullzeichen",
        _csv(lambda t: t.replace("Stadt Bleckede", "Stadt\x00Bleckede", 1)),
        (CSV_FILE, "Zeile 3", "Steuerzeichen (U+0000) in der Datei nicht erlaubt"),
    ),
    FileCase(
        "csv-fifo",
        "benannte Pipe (FIFO) als Gemeindedatei",
        _replaces(CSV_FILE, _fifo),
        (SCENARIO, "Feld municipalities_file", "benannte Pipe (FIFO)"),
        subprocess=True,
    ),
    # ------------------------------------------------------------ indicator file
    FileCase(
        "indikatoren-zu-gross",
        "Indikatordatei der Sozialräume mit 9 MB",
        _indicators(lambda t: t + "#" * (9 * 1024 * 1024)),
        (IND_FILE, "Indikatordatei ist größer als 8 MiB"),
    ),
    FileCase(
        "indikatoren-wert-riesig",
        "Indikator mit dem Wert 1e308",
        _indicators(lambda t: t.replace(",sgb2_share,0.16,", ",sgb2_share,1e308,", 1)),
        (IND_FILE, "Feld value", "nicht zwischen 0 und 1"),
    ),
    FileCase(
        "indikatoren-nullzeichen",
        "Indikatordatei mit einem Nullzeichen",
        _indicators(lambda t: t.replace("Stadt Bleckede", "Stadt\x00Bleckede", 1)),
        (IND_FILE, "Steuerzeichen in der Datei nicht erlaubt"),
    ),
    FileCase(
        "indikatoren-fifo",
        "benannte Pipe (FIFO) als Indikatordatei",
        _replaces(IND_FILE, _fifo),
        (SCENARIO, "Feld sozialraeume_file", "benannte Pipe (FIFO)"),
        subprocess=True,
    ),
]


def _argv_run(case: FileCase) -> Callable[[Path], list[str]]:
    return lambda w: ["run", str(w / SCENARIO), "--out", str(w / "ausgabe")]


def _argv_batch(case: FileCase) -> Callable[[Path], list[str]]:
    if case.sweep:
        return lambda w: [
            "batch",
            "lueneburg-status-quo",
            "--sweep",
            str(w / SWEEP),
            "--store",
            str(w / STORE),
            "--replicates",
            "1",
        ]
    return lambda w: ["batch", str(w / SCENARIO), "--store", str(w / STORE), "--replicates", "1"]


def _cases() -> list[Case]:
    cases: list[Case] = []
    for fc in FILE_CASES:
        commands = (
            [("batch", _argv_batch)] if fc.sweep else [("run", _argv_run), ("batch", _argv_batch)]
        )
        for command, argv in commands:
            cases.append(
                Case(
                    ident=f"{fc.ident}-{command}",
                    what=f"{fc.what} (sozialraum {command})",
                    argv=argv(fc),
                    expect=fc.expect,
                    setup=fc.setup,
                    subprocess=fc.subprocess,
                    timeout=120.0,
                    lines=fc.lines,
                )
            )
    return cases


CASES = _cases()
"""Every case of this module (the report prints them with their messages)."""


@pytest.mark.parametrize("case", CASES, ids=[c.ident for c in CASES])
def test_bad_file_gives_one_clear_line(
    case: Case, small_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, one ``Fehler:`` line naming the file, store and folder unchanged."""
    workdir = small_store.parent
    assert case.setup is not None
    case.setup(workdir)
    store_before = file_digest(small_store)
    folder_before = tree_digest_safe(workdir)
    outcome = run_case(dataclasses.replace(case, setup=None), workdir, capsys)
    assert_clear_input_error(outcome, *case.expect, lines=case.lines)
    assert file_digest(small_store) == store_before
    assert tree_digest_safe(workdir) == folder_before
    assert not (workdir / "ausgabe").exists()


def tree_digest_safe(folder: Path) -> dict[str, str | None]:
    """:func:`tree_digest` of regular files only (FIFOs, sockets and loops are not read)."""
    out: dict[str, str | None] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = file_digest(p)
        else:
            out[rel] = "kein Inhalt"
    return out


def test_catalogue_covers_every_kind() -> None:
    kinds = {fc.ident for fc in FILE_CASES}
    assert len(kinds) == len(FILE_CASES)
    assert len(CASES) >= 80


def test_unchanged_workspace_loads(tmp_path: Path) -> None:
    """The starting point of every case is valid: each fault comes from its one change."""
    from scenarios.loader import load_scenario

    _workspace(tmp_path)
    scenario = load_scenario(tmp_path / SCENARIO)
    assert scenario.name == "kaputt" and scenario.calibration_draws


# =========================================================================== measured in a process

_MEASURE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from cli.main import main


def peak_kb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])


before = peak_kb()
t0 = time.perf_counter()
code = main(["run", sys.argv[2]])
seconds = time.perf_counter() - t0
print(json.dumps({"code": code, "seconds": seconds, "before_kb": before, "peak_kb": peak_kb()}))
"""


def test_regression_alias_bomb_exhausts_memory(tmp_path: Path) -> None:
    """A 1 KB "billion laughs" scenario grew to gigabytes before any check.

    Measured in its own process: the refusal (after the imports) takes well under a
    second and adds almost nothing; the whole process stays below 300 MB at its peak
    (``ru_maxrss`` of a fresh parent that only ran it).
    """
    bomb = tmp_path / "bombe.yaml"
    bomb.write_text(billion_laughs(levels=10, width=10), encoding="utf-8")
    assert bomb.stat().st_size <= 1100  # 10 ** 10 strings from about 1 KB
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(ROOT), str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] == 2
    assert "Aliase (*name) vervielfachen den Inhalt" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert result["seconds"] < BOMB_SECONDS, result
    assert result["peak_kb"] - result["before_kb"] < 20 * 1024, result  # reading adds < 20 MB
    assert result["peak_kb"] < BOMB_MEGABYTES * 1024, result

    wrapper = (
        "import resource, subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'cli', 'run', sys.argv[1]], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert int(proc.stdout.strip()) < BOMB_MEGABYTES * 1024
