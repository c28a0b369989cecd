"""Bad-input catalogue of ``sozialraum calibrate``: every problem found before it starts.

Before, ``calibrate`` checked ``--out`` only after the whole calibration (up to 25
minutes) and then failed with a traceback, a setup file with bad YAML gave a
traceback, and its messages went to standard output, partly in English. Now the
setup, the targets, ``--out``, ``--bericht`` and (with ``--nur-bericht``) the
calibration file reported on are checked before the first simulation: each case
below ends within :data:`FAST_SECONDS` with exit 2 and one German ``Fehler:`` line on
standard error naming the file and the field, and leaves every file as it was (the
case's working folder and the shipped calibration file byte for byte).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from calibration.fit import POSTERIOR_DIR, SETUP_DIR
from tests.bad_days.harness import (
    Case,
    assert_clear_input_error,
    file_digest,
    run_case,
    tree_digest,
)

FAST_SECONDS = 10.0
"""Longest a refused calibrate may take: a check, never a simulation (one takes ~0,1 s)."""

SHIPPED_CALIBRATION = POSTERIOR_DIR / "lueneburg-v1.yaml"
LOCKED = "gesperrt"
"""Name of the folder a case makes unwritable."""


# --------------------------------------------------------------------------- files


@functools.cache
def _setup_doc() -> dict[str, Any]:
    return yaml.safe_load((SETUP_DIR / "lueneburg.yaml").read_text(encoding="utf-8"))


@functools.cache
def _calibration_doc() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SHIPPED_CALIBRATION.read_text(encoding="utf-8"), Loader=loader)


def _dump(path: Path, doc: Any) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(
        yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _setup_with(**changes: Any) -> Callable[[Path], None]:
    """Writes ``setup.yaml``: the shipped setup with some entries changed."""

    def write(workdir: Path) -> None:
        _dump(workdir / "setup.yaml", {**_setup_doc(), **changes})

    return write


def _setup_with_parameter_path(path: str) -> Callable[[Path], None]:
    def write(workdir: Path) -> None:
        doc = _setup_doc()
        first = {**doc["parameters"][0], "path": path}
        _dump(workdir / "setup.yaml", {**doc, "parameters": [first, *doc["parameters"][1:]]})

    return write


def _calibration_with(
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[Path], None]:
    """Writes ``kal.yaml``: the shipped calibration file, changed."""

    def write(workdir: Path) -> None:
        _dump(workdir / "kal.yaml", change(dict(_calibration_doc())))

    return write


def _without(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda doc: {k: v for k, v in doc.items() if k != key}


def _replaced(**values: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda doc: {**doc, **values}


def _old_calibration(workdir: Path) -> None:
    """An earlier calibration file at ``--out`` that must survive every refusal."""
    shutil.copy(SHIPPED_CALIBRATION, workdir / "kal.yaml")


def _both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(workdir: Path) -> None:
        for step in steps:
            step(workdir)

    return run


def _text(name: str, text: str) -> Callable[[Path], None]:
    def write(workdir: Path) -> None:
        (workdir / name).write_text(text, encoding="utf-8")

    return write


def _folder(name: str) -> Callable[[Path], None]:
    def make(workdir: Path) -> None:
        (workdir / name).mkdir()

    return make


def _symlink_loop(workdir: Path) -> None:
    (workdir / "schleife-a.yaml").symlink_to("schleife-b.yaml")
    (workdir / "schleife-b.yaml").symlink_to("schleife-a.yaml")


def _random_bytes(workdir: Path) -> None:
    (workdir / "kal.yaml").write_bytes(bytes(range(256)) * 4)


def _locked_folder(workdir: Path) -> None:
    """A folder nobody can write into: immutable for root, read-only otherwise."""
    folder = workdir / LOCKED
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    if shutil.which("chattr") is None:
        pytest.skip("als root braucht ein unbeschreibbarer Ordner chattr")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("Dateisystem erlaubt kein chattr +i")


def _unlock(workdir: Path) -> None:
    folder = workdir / LOCKED
    if not folder.exists():
        return
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


# --------------------------------------------------------------------------- cases


def _calibrate(*args: str) -> Callable[[Path], list[str]]:
    """``calibrate ARGS``; ``{w}`` in an argument is the case's working folder."""
    return lambda w: ["calibrate", *(a.replace("{w}", str(w)) for a in args)]


def _report_only(*args: str) -> Callable[[Path], list[str]]:
    return _calibrate("--nur-bericht", "--bericht", "{w}/bericht.html", *args)


OUT = ("--out", "{w}/kal.yaml")
SETUP = ("--setup", "{w}/setup.yaml")

CASES = [
    # --setup
    Case(
        "setup-name-unbekannt",
        "--setup mit einem Namen, den es unter calibration/setup nicht gibt",
        _calibrate("--setup", "gibt-es-nicht", *OUT),
        ("gibt-es-nicht.yaml", "Feld --setup", "nicht gefunden", "vorhandene: lueneburg"),
        setup=_old_calibration,
    ),
    Case(
        "setup-datei-fehlt",
        "--setup nennt eine Datei, die es nicht gibt",
        _calibrate("--setup", "{w}/fehlt.yaml", *OUT),
        ("fehlt.yaml", "Feld --setup", "nicht gefunden"),
        setup=_old_calibration,
    ),
    Case(
        "setup-ist-ordner",
        "--setup nennt einen Ordner",
        _calibrate("--setup", "{w}/ordner.yaml", *OUT),
        ("ordner.yaml", "Feld --setup", "Verzeichnis"),
        setup=_both(_old_calibration, _folder("ordner.yaml")),
    ),
    Case(
        "setup-yaml-kaputt",
        "Setup-Datei mit ungültiger YAML-Syntax",
        _calibrate(*SETUP, *OUT),
        ("setup.yaml", "Zeile 1", "Feld --setup", "YAML-Syntax", "Doppelpunkt"),
        setup=_both(_old_calibration, _text("setup.yaml", "name: a: b\n")),
    ),
    Case(
        "setup-leer",
        "leere Setup-Datei",
        _calibrate(*SETUP, *OUT),
        ("setup.yaml",),
        setup=_both(_old_calibration, _text("setup.yaml", "")),
    ),
    Case(
        "setup-seed-negativ",
        "Setup mit seed: -1",
        _calibrate(*SETUP, *OUT),
        ("setup.yaml", "Feld seed", "mindestens 0"),
        setup=_both(_old_calibration, _setup_with(seed=-1)),
    ),
    Case(
        "setup-feld-unbekannt",
        "Setup mit einem Tippfehler im Feldnamen (sede statt seed)",
        _calibrate(*SETUP, *OUT),
        ("setup.yaml", "Feld sede", "unbekanntes Feld"),
        setup=_both(_old_calibration, _setup_with(sede=3)),
    ),
    Case(
        "setup-szenario-unbekannt",
        "Setup nennt ein Szenario, das es nicht gibt",
        _calibrate(*SETUP, *OUT),
        ("setup.yaml", "Feld scenario", "„gibt-es-nicht“ nicht gefunden"),
        setup=_both(_old_calibration, _setup_with(scenario="gibt-es-nicht")),
    ),
    Case(
        "setup-parameterpfad-falsch",
        "Setup kalibriert einen Parameter, den das Szenario nicht kennt (need.basis)",
        _calibrate(*SETUP, *OUT),
        ("setup.yaml", "Feld need.basis", "unbekanntes Feld „basis“"),
        setup=_both(_old_calibration, _setup_with_parameter_path("need.basis")),
    ),
    # --out
    Case(
        "out-ist-ordner",
        "--out nennt einen Ordner",
        _calibrate("--out", "{w}/ordner"),
        ("ordner", "Feld --out", "ist ein Verzeichnis"),
        setup=_folder("ordner"),
    ),
    Case(
        "out-ordner-schreibgeschuetzt",
        "--out in einem Ordner, in den niemand schreiben darf",
        _calibrate("--out", f"{{w}}/{LOCKED}/kal.yaml"),
        (f"{LOCKED}/kal.yaml", "Feld --out", "keine Berechtigung", "nicht beschreibbar"),
        setup=_locked_folder,
    ),
    Case(
        "out-unter-einer-datei",
        "--out unter einer Datei statt einem Ordner",
        _calibrate("--out", "{w}/kal.yaml/neu.yaml"),
        ("kal.yaml/neu.yaml", "Feld --out", "kein Verzeichnis"),
        setup=_old_calibration,
    ),
    Case(
        "out-geraet",
        "--out nennt die Gerätedatei /dev/null",
        _calibrate("--out", "/dev/null"),
        ("/dev/null", "Feld --out", "keine normale Datei"),
    ),
    Case(
        "out-symlink-schleife",
        "--out nennt einen symbolischen Link, der auf sich selbst zeigt",
        _calibrate("--out", "{w}/schleife-a.yaml"),
        ("schleife-a.yaml", "Feld --out", "Schleife"),
        setup=_symlink_loop,
    ),
    # --bericht
    Case(
        "bericht-ist-ordner",
        "--bericht nennt einen Ordner",
        _calibrate(*OUT, "--bericht", "{w}/ordner"),
        ("ordner", "Feld --bericht", "ist ein Verzeichnis"),
        setup=_both(_old_calibration, _folder("ordner")),
    ),
    Case(
        "bericht-ordner-schreibgeschuetzt",
        "--bericht in einem Ordner, in den niemand schreiben darf",
        _calibrate(*OUT, "--bericht", f"{{w}}/{LOCKED}/bericht.html"),
        (f"{LOCKED}/bericht.html", "Feld --bericht", "keine Berechtigung"),
        setup=_both(_old_calibration, _locked_folder),
    ),
    Case(
        "bericht-gleich-out",
        "--bericht und --out nennen dieselbe Datei",
        _calibrate(*OUT, "--bericht", "{w}/kal.yaml"),
        ("kal.yaml", "Feld --bericht", "dieselbe Datei wie --out"),
        setup=_old_calibration,
    ),
    # --minutes
    Case(
        "minuten-unendlich",
        "--minutes inf",
        _calibrate(*OUT, "--minutes", "inf"),
        ("Angabe --minutes", "höchstens 10080 Minuten"),
        setup=_old_calibration,
    ),
    Case(
        "minuten-riesig",
        "--minutes 1e12",
        _calibrate(*OUT, "--minutes", "1e12"),
        ("Angabe --minutes", "höchstens 10080 Minuten"),
        setup=_old_calibration,
    ),
    Case(
        "minuten-null",
        "--minutes 0",
        _calibrate(*OUT, "--minutes", "0"),
        ("Angabe --minutes", "größer als 0"),
        setup=_old_calibration,
    ),
    # --nur-bericht
    Case(
        "nur-bericht-ohne-bericht",
        "--nur-bericht ohne --bericht",
        _calibrate("--nur-bericht", *OUT),
        ("--nur-bericht braucht --bericht DATEI",),
        setup=_old_calibration,
    ),
    Case(
        "nur-bericht-datei-fehlt",
        "--nur-bericht für eine Kalibrierungsdatei, die es nicht gibt",
        _report_only("--out", "{w}/fehlt.yaml"),
        ("fehlt.yaml", "Feld --out", "Kalibrierungsdatei nicht gefunden"),
    ),
    Case(
        "nur-bericht-zufallsbytes",
        "--nur-bericht für eine Datei aus zufälligen Bytes",
        _report_only(*OUT),
        ("kal.yaml", "Feld --out", "UTF-8"),
        setup=_random_bytes,
    ),
    Case(
        "nur-bericht-format-falsch",
        "--nur-bericht für eine YAML-Datei, die keine Kalibrierungsdatei ist",
        _report_only(*OUT),
        ("kal.yaml", "Feld format", "keine Kalibrierungsdatei"),
        setup=_calibration_with(_replaced(format="etwas-anderes/1")),
    ),
    Case(
        "nur-bericht-point-text",
        "--nur-bericht, Kalibrierungsdatei mit point: abc",
        _report_only(*OUT),
        ("kal.yaml", "Feld point"),
        setup=_calibration_with(_replaced(point="abc")),
    ),
    Case(
        "nur-bericht-draws-zahlen",
        "--nur-bericht, Kalibrierungsdatei mit draws: [1, 2, 3]",
        _report_only(*OUT),
        ("kal.yaml", "Feld draws.0"),
        setup=_calibration_with(_replaced(draws=[1, 2, 3])),
    ),
    Case(
        "nur-bericht-draws-leer",
        "--nur-bericht, Kalibrierungsdatei mit draws: []",
        _report_only(*OUT),
        ("kal.yaml", "Feld draws", "zu wenige Einträge"),
        setup=_calibration_with(_replaced(draws=[])),
    ),
    Case(
        "nur-bericht-parameters-zahl",
        "--nur-bericht, Kalibrierungsdatei mit parameters: 5",
        _report_only(*OUT),
        ("kal.yaml", "Feld parameters", "Liste"),
        setup=_calibration_with(_replaced(parameters=5)),
    ),
    Case(
        "nur-bericht-method-fehlt",
        "--nur-bericht, Kalibrierungsdatei ohne method (der Bericht zeigt es)",
        _report_only(*OUT),
        ("kal.yaml", "Feld method", "Pflichtfeld fehlt"),
        setup=_calibration_with(_without("method")),
    ),
    Case(
        "nur-bericht-jahre-text",
        "--nur-bericht, Kalibrierungsdatei mit settings.years: zwei",
        _report_only(*OUT),
        ("kal.yaml", "Feld settings.years", "keine ganze Zahl"),
        setup=_calibration_with(lambda d: {**d, "settings": {**d["settings"], "years": "zwei"}}),
    ),
    Case(
        "nur-bericht-szenario-unbekannt",
        "--nur-bericht, Kalibrierungsdatei nennt ein Szenario, das es nicht gibt",
        _report_only(*OUT),
        ("kal.yaml", "Feld scenario", "„weg“ nicht gefunden"),
        setup=_calibration_with(_replaced(scenario="weg")),
    ),
    Case(
        "nur-bericht-bericht-gleich-datei",
        "--nur-bericht mit --bericht gleich der Kalibrierungsdatei",
        _calibrate("--nur-bericht", *OUT, "--bericht", "{w}/kal.yaml"),
        ("kal.yaml", "Feld --bericht", "dieselbe Datei wie die Kalibrierungsdatei"),
        setup=_old_calibration,
    ),
    Case(
        "nur-bericht-bericht-schreibgeschuetzt",
        "--nur-bericht mit --bericht in einem Ordner, in den niemand schreiben darf",
        _calibrate("--nur-bericht", *OUT, "--bericht", f"{{w}}/{LOCKED}/bericht.html"),
        (f"{LOCKED}/bericht.html", "Feld --bericht", "keine Berechtigung"),
        setup=_both(_old_calibration, _locked_folder),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.ident for c in CASES])
def test_calibrate_refuses_before_it_starts(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad input: exit 2, one ``Fehler:`` line, fast, every file unchanged."""
    shipped = file_digest(SHIPPED_CALIBRATION)
    try:
        if case.setup is not None:
            case.setup(tmp_path)
        before = tree_digest(tmp_path)
        t0 = time.perf_counter()
        outcome = run_case(dataclasses.replace(case, setup=None), tmp_path, capsys)
        seconds = time.perf_counter() - t0
        after = tree_digest(tmp_path)
    finally:
        _unlock(tmp_path)
    assert_clear_input_error(
        outcome, *(e.replace("{w}", str(tmp_path)) for e in case.expect), lines=case.lines
    )
    assert seconds < FAST_SECONDS, f"{case.ident}: {seconds:.1f} s"
    assert after == before  # nothing written, nothing left behind (hidden files included)
    assert file_digest(SHIPPED_CALIBRATION) == shipped
    assert not list(POSTERIOR_DIR.glob(".sozialraum-*"))  # no probe left in the repository
