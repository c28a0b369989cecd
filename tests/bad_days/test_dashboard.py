"""Bad-input catalogue of the dashboard: the command line, forged requests, logins.

Before, the what-if baseline (``ww-basis``) and the reset callback passed whatever
the browser sent to ``load_scenario``, which reads anything with a ``/`` or ending in
``.yaml`` as a path: a request naming ``/etc/passwd`` or any YAML on the server made
a worker read it (the error text told whether it existed; a YAML bomb there crashed
the worker), without a login on loopback. A forged metric gave a 500
(``StopIteration``), ``--port 84396`` listened on another port than it printed, a
malformed ``Authorization`` header gave 500, password guesses were unlimited and
compared with ``==``, no security header was sent, a store made from an own
scenario file could not be served, and the briefing failed with a silent 500 when
Chromium could not start.

Now every value a request carries is checked against what the page offers
(computed once at start) before any callback runs (:mod:`dashboard.guard`); the
cases below are data: command-line cases go through the harness (one ``Fehler:``
line, exit 2, store unchanged), HTTP cases through Flask's test client, with an
audit hook showing that no file named in a request is ever opened.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
from dash._utils import split_callback_id

from dashboard.guard import MAX_REQUEST_BYTES
from dashboard.server import (
    LOGIN_FAILURES_MAX,
    PASSWORD_VAR,
    PORT_MAX,
    USER_VAR,
    WORKERS_MAX,
    build,
)
from tests.bad_days.harness import (
    ROOT,
    Case,
    assert_clear_input_error,
    file_digest,
    run_case,
)

STORE = "ergebnisse.duckdb"
"""Name of the case's copy of the small store in its working folder (``small_store``)."""

LOGIN = {USER_VAR: "ausschuss", PASSWORD_VAR: "geheim-ß"}
"""Credentials of the servers with a login (a non-ASCII password on purpose)."""

ROUTE = "/_dash-update-component"

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# =========================================================================== command line


def _store_args(workdir: Path, *more: str) -> list[str]:
    return ["dashboard", "--store", str(workdir / STORE), *more]


def _fifo(workdir: Path) -> None:
    os.mkfifo(workdir / "pipe.duckdb")


def _symlink_loop(workdir: Path) -> None:
    (workdir / "a.duckdb").symlink_to(workdir / "b.duckdb")
    (workdir / "b.duckdb").symlink_to(workdir / "a.duckdb")


def _folder(workdir: Path) -> None:
    (workdir / "ordner.duckdb").mkdir()


CLI_CASES = [
    Case(
        "port-too-large",
        "--port 84396 (über 65535; lauschte auf 18860 und zeigte 84396 an)",
        lambda w: _store_args(w, "--port", "84396"),
        ("Angabe --port", "84396", f"zwischen 1 und {PORT_MAX}"),
    ),
    Case(
        "port-65536",
        "--port 65536 (eins über der größten Portnummer)",
        lambda w: _store_args(w, "--port", "65536"),
        ("Angabe --port", "65536", str(PORT_MAX)),
    ),
    Case(
        "port-zero",
        "--port 0 (das System wählte irgendeinen Port)",
        lambda w: _store_args(w, "--port", "0"),
        ("Angabe --port", "0 liegt nicht zwischen 1"),
    ),
    Case(
        "port-negative",
        "--port -5",
        lambda w: _store_args(w, "--port=-5"),
        ("Angabe --port", "-5"),
    ),
    Case(
        "port-text",
        "--port achtzig",
        lambda w: _store_args(w, "--port", "achtzig"),
        ("Angabe --port", "„achtzig“ ist keine ganze Zahl"),
    ),
    Case(
        "workers-too-many",
        "--workers 100000 (hätte 100.000 Serverprozesse gestartet)",
        lambda w: _store_args(w, "--workers", "100000"),
        ("Angabe --workers", "100000", f"zwischen 1 und {WORKERS_MAX}"),
    ),
    Case(
        "store-missing",
        "--store auf eine fehlende Datei",
        lambda w: ["dashboard", "--store", str(w / "fehlt.duckdb")],
        ("fehlt.duckdb", "Feld --store", "nicht gefunden", "sozialraum batch"),
    ),
    Case(
        "store-fifo",
        "--store auf eine Pipe (FIFO; hieß „nicht gefunden“)",
        lambda w: ["dashboard", "--store", str(w / "pipe.duckdb")],
        ("pipe.duckdb", "Feld --store", "keine gewöhnliche Datei"),
        setup=_fifo,
    ),
    Case(
        "store-dev-zero",
        "--store /dev/zero (ein Gerät)",
        lambda w: ["dashboard", "--store", "/dev/zero"],
        ("/dev/zero", "Feld --store", "keine gewöhnliche Datei"),
    ),
    Case(
        "store-folder",
        "--store auf ein Verzeichnis",
        lambda w: ["dashboard", "--store", str(w / "ordner.duckdb")],
        ("ordner.duckdb", "Feld --store", "ist ein Verzeichnis"),
        setup=_folder,
    ),
    Case(
        "store-symlink-loop",
        "--store auf eine Schleife symbolischer Links",
        lambda w: ["dashboard", "--store", str(w / "a.duckdb")],
        ("a.duckdb", "Feld --store", "Schleife symbolischer Links"),
        setup=_symlink_loop,
    ),
    Case(
        "open-address-without-login",
        "--host 0.0.0.0 ohne Zugangsdaten",
        lambda w: _store_args(w, "--host", "0.0.0.0"),
        ("Adresse 0.0.0.0", USER_VAR, PASSWORD_VAR),
        subprocess=True,
        timeout=60,
        env={USER_VAR: "", PASSWORD_VAR: ""},
    ),
    Case(
        "host-unknown",
        "--host 999.1.1.1 mit Zugangsdaten (kein gültiger Name)",
        lambda w: _store_args(w, "--host", "999.1.1.1", "--workers", "1"),
        ("Angabe --host", "999.1.1.1", "unbekannt"),
        subprocess=True,
        timeout=60,
        env=LOGIN,
    ),
    Case(
        "host-not-here",
        "--host 192.0.2.1 mit Zugangsdaten (Adresse gehört nicht zu diesem Rechner)",
        lambda w: _store_args(w, "--host", "192.0.2.1", "--workers", "1"),
        ("Angabe --host", "192.0.2.1", "gehört nicht zu diesem Rechner"),
        subprocess=True,
        timeout=60,
        env=LOGIN,
    ),
]


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c.ident)
def test_dashboard_command_line(case: Case, small_store: Path, capsys) -> None:
    workdir = small_store.parent
    before = file_digest(small_store)
    outcome = run_case(case, workdir, capsys)
    assert_clear_input_error(outcome, *case.expect, lines=case.lines)
    assert file_digest(small_store) == before


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("workers", ["1", "2"], ids=["waitress", "gunicorn"])
def test_regression_port_in_use_gives_gunicorn_traceback(
    workers: str, busy_port: int, small_store: Path
) -> None:
    """A port in use: gunicorn logged English errors and retried; now one German line."""
    before = file_digest(small_store)
    outcome = run_case(
        Case(
            "port-in-use",
            "Port schon belegt",
            lambda w: _store_args(w, "--port", str(busy_port), "--workers", workers),
            (),
            subprocess=True,
            timeout=60,
        ),
        small_store.parent,
    )
    assert_clear_input_error(outcome, "Angabe --port", str(busy_port), "schon belegt")
    assert "Dashboard läuft" not in outcome.out
    assert file_digest(small_store) == before


# =========================================================================== forged requests

_OPENED: list[str] | None = None
_HOOKED = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _OPENED is not None and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            _OPENED.append(os.path.abspath(os.fsdecode(path)))


@contextlib.contextmanager
def opened_files() -> Iterator[list[str]]:
    """Every file this process opens inside the block (``sys.addaudithook``, "open")."""
    global _OPENED, _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)  # hooks cannot be removed; it records only in here
        _HOOKED = True
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


@dataclass(frozen=True)
class Bait:
    """Files on the server a forged request names."""

    scenario: Path  # a complete valid scenario (would run if read)
    bomb: Path  # a 1 KB YAML alias bomb
    secret: Path  # a file with unique content

    def all(self) -> list[Path]:
        return [self.scenario, self.bomb, self.secret]


BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)
"""Nine levels of nine aliases each: 9⁹ (387 million) leaves from well under 1 KB."""


@pytest.fixture(scope="module")
def bait(tmp_path_factory: pytest.TempPathFactory) -> Bait:
    folder = tmp_path_factory.mktemp("geheim")
    scenario = folder / "mein-szenario.yaml"
    shutil.copy(ROOT / "scenarios/library/lueneburg/lueneburg-status-quo.yaml", scenario)
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace("name: lueneburg-status-quo", "name: mein-szenario"))
    bomb = folder / "bombe.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    assert len(BOMB.encode()) < 1024
    secret = folder / "geheim.txt"
    secret.write_text("EINMALIGER-INHALT-7f3a9c", encoding="utf-8")
    return Bait(scenario, bomb, secret)


@pytest.fixture(scope="module")
def served(small_store_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app as ``sozialraum dashboard`` builds it, on its own copy of the small store."""
    path = tmp_path_factory.mktemp("dashboard-store") / STORE
    shutil.copy(small_store_master, path)
    app = build(path, "127.0.0.1", env={}, cache_dir=path.parent / "cache")
    app.store_path = path
    app.store_digest = file_digest(path)
    yield app
    app.data.close()


def _callback_key(app: Any, output: str) -> str:
    return next(k for k in app.callback_map if output in split_callback_id_keys(k))


def split_callback_id_keys(key: str) -> list[str]:
    outputs = split_callback_id(key)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return [f"{o['id']}.{o['property']}" for o in outputs]


VALID = {
    "basis.value": "lueneburg-status-quo",
    "vergleich.value": ["lueneburg-rb2-20-rueckbehalt"],
    "differenz-kennzahl.value": "total_spent",
    "region-kennzahl.value": "cost_per_jew",
    "fluss-szenario.value": "lueneburg-status-quo",
    "fluss-jahr.value": None,
    "t-laeufe.selectedRows": None,
    "ww-start.n_clicks": 1,
    "ww-abbruch.n_clicks": None,
    "ww-basis.value": "lueneburg-status-quo",
    "ww-gebunden.value": 1.0,
    "ww-rb2.value": 0.0,
    "ww-anreiz.value": "none",
    "ww-trend.value": 0.0,
    "ww-reaktion.value": 0.5,
    "ww-wirkung.value": 0.05,
    "ww-gruppen.value": 0.0,
    "export-xlsx.n_clicks": None,
    "export-csv.n_clicks": None,
    "export-html.n_clicks": None,
    "export-pdf.n_clicks": None,
}
"""A value the page itself would send, for every callback input and state."""


def _prop_id(keyword: str) -> str:
    """``ww_basis__value`` → ``ww-basis.value`` (ids have hyphens, properties underscores)."""
    ident, prop = keyword.split("__")
    return f"{ident.replace('_', '-')}.{prop}"


def request_body(app: Any, output: str, **values: Any) -> dict[str, Any]:
    """The body the renderer sends for the callback of ``output`` (values by id.prop)."""
    key = _callback_key(app, output)
    cb = app.callback_map[key]
    given = {**VALID, **{_prop_id(k): v for k, v in values.items()}}

    def items(specs: list[dict]) -> list[dict]:
        return [{**s, "value": given[f"{s['id']}.{s['property']}"]} for s in specs]

    first = cb["inputs"][0]
    return {
        "output": key,
        "outputs": split_callback_id(key),
        "inputs": items(cb["inputs"]),
        "state": items(cb.get("state", [])),
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


@dataclass(frozen=True)
class HttpCase:
    """A forged callback request and the answer expected.

    Attributes:
        ident: pytest id.
        what: German description.
        body: Builds the raw request body from the app and the bait files.
        status: Expected HTTP status.
        expect: Fragments of the answer's text.
    """

    ident: str
    what: str
    body: Callable[[Any, Bait], bytes]
    status: int
    expect: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


def _json(output: str, **values: Any) -> Callable[[Any, Bait], bytes]:
    def make(app: Any, bait: Bait) -> bytes:
        resolved = {
            k: (v(bait) if callable(v) else v) for k, v in values.items()
        }  # bait paths are known only at run time
        return json.dumps(request_body(app, output, **resolved), allow_nan=True).encode()

    return make


def _raw(data: bytes | Callable[[Any], bytes]) -> Callable[[Any, Bait], bytes]:
    return lambda app, bait: data(app) if callable(data) else data


def _edited(output: str, edit: Callable[[dict], Any]) -> Callable[[Any, Bait], bytes]:
    def make(app: Any, bait: Bait) -> bytes:
        body = request_body(app, output)
        return json.dumps(edit(body)).encode()

    return make


WW = "ww-status.children"
RESET = "ww-gebunden.value"
COMPARISON = "kennzahlen.children"
REFUSED_WW = ("Anfrage abgelehnt: Basisszenario des Was-wäre-wenn",)


def _with(body: dict, **changes: Any) -> dict:
    return {**body, **changes}


HTTP_CASES = [
    # --- the what-if page names a file (the security defect)
    HttpCase(
        "whatif-etc-passwd",
        "Was-wäre-wenn mit Basisszenario /etc/passwd",
        _json(WW, ww_basis__value="/etc/passwd"),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-scenario-file-on-server",
        "Was-wäre-wenn mit einer gültigen Szenariodatei auf dem Server",
        _json(WW, ww_basis__value=lambda b: str(b.scenario)),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-yaml-bomb-on-server",
        "Was-wäre-wenn mit einer YAML-Bombe auf dem Server (brachte den Worker zum Absturz)",
        _json(WW, ww_basis__value=lambda b: str(b.bomb)),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-secret-file",
        "Was-wäre-wenn mit einer beliebigen Datei (die Meldung verriet, ob sie existiert)",
        _json(WW, ww_basis__value=lambda b: str(b.secret)),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-relative-path",
        "Was-wäre-wenn mit ../../etc/passwd",
        _json(WW, ww_basis__value="../../etc/passwd"),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-yaml-name",
        "Was-wäre-wenn mit lueneburg-status-quo.yaml (als Pfad im Arbeitsverzeichnis gelesen)",
        _json(WW, ww_basis__value="lueneburg-status-quo.yaml"),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-library-not-in-store",
        "Was-wäre-wenn mit einem Bibliotheksszenario, das nicht im Speicher ist",
        _json(WW, ww_basis__value="celle-status-quo"),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "whatif-baseline-not-text",
        "Was-wäre-wenn mit einer Liste als Basisszenario",
        _json(WW, ww_basis__value=["lueneburg-status-quo"]),
        200,
        REFUSED_WW,
    ),
    HttpCase(
        "reset-etc-passwd",
        "Regler zurücksetzen auf /etc/passwd",
        _json(RESET, ww_basis__value="/etc/passwd"),
        204,
    ),
    HttpCase(
        "reset-scenario-file-on-server",
        "Regler zurücksetzen auf eine Szenariodatei auf dem Server",
        _json(RESET, ww_basis__value=lambda b: str(b.scenario)),
        204,
    ),
    # --- slider values: type and range
    HttpCase(
        "slider-nan",
        "Regler „gebundenes Budget“ = NaN",
        _json(WW, ww_gebunden__value=math.nan),
        200,
        ("Anfrage abgelehnt: Anteil gebundenes Budget", "von 0,5 bis 1"),
    ),
    HttpCase(
        "slider-infinite",
        "Regler „Bedarfstrend“ = Infinity",
        _json(WW, ww_trend__value=math.inf),
        200,
        ("Anfrage abgelehnt: Bedarfstrend je Jahr",),
    ),
    HttpCase(
        "slider-out-of-range",
        "Regler „regionales Budget 2“ = 5",
        _json(WW, ww_rb2__value=5),
        200,
        ("Anfrage abgelehnt: Anteil regionales Budget 2",),
    ),
    HttpCase(
        "slider-text",
        "Regler „Reaktion der Träger“ = „0.5“ (Text)",
        _json(WW, ww_reaktion__value="0.5"),
        200,
        ("Anfrage abgelehnt: Reaktion der Träger auf Anreize",),
    ),
    HttpCase(
        "slider-bool",
        "Regler „Wirkung der Projekte“ = true",
        _json(WW, ww_wirkung__value=True),
        200,
        ("Anfrage abgelehnt: Wirkung der Präventionsprojekte",),
    ),
    HttpCase(
        "incentive-unknown",
        "Anreizsystem „__import__“",
        _json(WW, ww_anreiz__value="__import__"),
        200,
        ("Anfrage abgelehnt: Anreizsystem",),
    ),
    HttpCase(
        "clicks-negative",
        "Klickzahl von „Rechnen“ = -1",
        _json(WW, ww_start__n_clicks=-1),
        200,
        ("Anfrage abgelehnt: Rechnen",),
    ),
    # --- the other selections
    HttpCase(
        "baseline-path",
        "Basisszenario des Vergleichs = /etc/passwd",
        _json(COMPARISON, basis__value="/etc/passwd"),
        204,
    ),
    HttpCase(
        "compared-path",
        "Vergleichsszenarien mit einem Pfad",
        _json(COMPARISON, vergleich__value=["lueneburg-rb2-20-rueckbehalt", "/etc/passwd"]),
        204,
    ),
    HttpCase(
        "compared-not-a-list",
        "Vergleichsszenarien als Text statt Liste",
        _json(COMPARISON, vergleich__value="lueneburg-rb2-20-rueckbehalt"),
        204,
    ),
    HttpCase(
        "compared-ten-thousand",
        "10.000 Vergleichsszenarien",
        _json(COMPARISON, vergleich__value=["lueneburg-status-quo"] * 10_000),
        204,
    ),
    HttpCase(
        "difference-metric-unknown",
        "Kennzahl des Unterschieds = SQL-Text",
        _json("g-differenz.figure", differenz_kennzahl__value="x'; DROP TABLE runs; --"),
        204,
    ),
    HttpCase(
        "region-metric-unknown",
        "Kennzahl je Region unbekannt (gab 500, StopIteration)",
        _json("g-regionen.figure", region_kennzahl__value="gibt-es-nicht"),
        204,
    ),
    HttpCase(
        "flow-scenario-path",
        "Szenario der Geldflüsse = /etc/passwd",
        _json("g-sankey.figure", fluss_szenario__value="/etc/passwd"),
        204,
    ),
    HttpCase(
        "flow-year-text",
        "Jahr der Geldflüsse = „2025“ (Text)",
        _json("g-sankey.figure", fluss_jahr__value="2025"),
        204,
    ),
    HttpCase(
        "flow-year-unknown",
        "Jahr der Geldflüsse = 99999",
        _json("fluss-jahr.options", fluss_jahr__value=99999),
        204,
    ),
    HttpCase(
        "run-unknown",
        "Ausgewählter Lauf = /etc/passwd",
        _json("parameter.children", t_laeufe__selectedRows=[{"id": "/etc/passwd"}]),
        200,
        ("Anfrage abgelehnt: Ausgewählter Lauf",),
    ),
    HttpCase(
        "export-baseline-path",
        "Export mit Basisszenario /etc/passwd",
        _json("export-meldung.children", export_xlsx__n_clicks=1, basis__value="/etc/passwd"),
        200,
        ("Anfrage abgelehnt: Basisszenario",),
    ),
    # --- requests the page never sends
    HttpCase(
        "not-json",
        "Körper ist kein JSON",
        _raw(b"{output: x"),
        400,
        ("Anfrage ungültig", "kein lesbares JSON"),
    ),
    HttpCase(
        "not-utf8",
        "Körper ist kein UTF-8",
        _raw(b'{"output": "\xff\xfe"}'),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "deep-nesting",
        "100.000 verschachtelte Listen",
        _raw(b"[" * 100_000 + b"]" * 100_000),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "too-large",
        "Körper größer als die Grenze",
        _raw(b" " * (MAX_REQUEST_BYTES + 1)),
        413,
        ("Anfrage zu groß", f"{MAX_REQUEST_BYTES // 1024} KiB"),
    ),
    HttpCase(
        "body-list",
        "Körper ist eine Liste",
        _raw(b"[1, 2, 3]"),
        400,
        ("Anfrage ungültig: passt zu keinem Element",),
    ),
    HttpCase(
        "unknown-output",
        "Ausgabe, die es nicht gibt",
        _edited(COMPARISON, lambda b: _with(b, output="geheim.children")),
        400,
        ("Anfrage ungültig: passt zu keinem Element",),
    ),
    HttpCase(
        "wrong-input-id",
        "Eingabe mit fremder Kennung",
        _edited(
            COMPARISON,
            lambda b: _with(b, inputs=[{**b["inputs"][0], "id": "ww-basis"}, b["inputs"][1]]),
        ),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "missing-input",
        "eine Eingabe fehlt",
        _edited(COMPARISON, lambda b: _with(b, inputs=b["inputs"][:1])),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "input-not-an-object",
        "Eingabe ist ein Text",
        _edited(COMPARISON, lambda b: _with(b, inputs=["basis.value", "vergleich.value"])),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "extra-state",
        "zusätzlicher Zustand",
        _edited(
            COMPARISON,
            lambda b: _with(b, state=[{"id": "ww-basis", "property": "value", "value": "x"}]),
        ),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "outputs-mismatch",
        "andere Ausgaben als die des Callbacks",
        _edited(COMPARISON, lambda b: _with(b, outputs=[{"id": "x", "property": "y"}])),
        400,
        ("Anfrage ungültig",),
    ),
    HttpCase(
        "export-without-trigger",
        "Export ohne gedrückten Knopf (es wurde das PDF gebaut)",
        _edited("export-meldung.children", lambda b: _with(b, changedPropIds=[])),
        204,
    ),
    HttpCase(
        "changed-unknown",
        "ausgelöst von einer fremden Eingabe",
        _edited(COMPARISON, lambda b: _with(b, changedPropIds=["ww-basis.value"])),
        400,
        ("Anfrage ungültig",),
    ),
]


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.mark.parametrize("case", HTTP_CASES, ids=lambda c: c.ident)
def test_forged_request_is_refused_without_reading_a_file(
    case: HttpCase, served: Any, bait: Bait
) -> None:
    client = served.server.test_client()
    data = case.body(served, bait)
    children = _children()
    with opened_files() as opened:
        response = client.post(ROUTE, data=data, content_type="application/json")
    text = response.get_data(as_text=True)
    assert response.status_code == case.status, text
    for fragment in case.expect:
        assert fragment in text, text
    for bait_file in bait.all():
        assert str(bait_file) not in opened
    assert "/etc/passwd" not in opened
    assert not any(p.endswith("lueneburg-status-quo.yaml") for p in opened if "library" not in p)
    for leak in ("nicht gefunden", "Traceback", "EINMALIGER-INHALT", "/etc", str(bait.secret)):
        assert leak not in text
    assert _children() <= children  # no background job was started
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert file_digest(served.store_path) == served.store_digest


def test_valid_requests_still_pass_the_gate(served: Any) -> None:
    """Control: the page's own values reach the callbacks (reset and comparison)."""
    client = served.server.test_client()
    reset = client.post(ROUTE, json=request_body(served, RESET))
    assert reset.status_code == 200
    values = reset.get_json()["response"]
    assert values["ww-gebunden"]["value"] == 1.0 and values["ww-anreiz"]["value"] == "none"
    comparison = client.post(ROUTE, json=request_body(served, COMPARISON))
    assert comparison.status_code == 200
    assert "g-gesamt" in comparison.get_json()["response"]


def test_regression_whatif_reads_any_file_the_browser_names(served: Any, bait: Bait) -> None:
    """The what-if request named a server path and a worker read it; now it is refused.

    The forged request names a real scenario file (it would run if read), a YAML bomb
    and /etc/passwd; none of them is opened, no job process starts, the answer is a
    German refusal that says nothing about the file system, and comes at once.
    """
    client = served.server.test_client()
    for target in (str(bait.scenario), str(bait.bomb), "/etc/passwd"):
        body = request_body(served, WW, ww_basis__value=target)
        started = time.perf_counter()
        with opened_files() as opened:
            response = client.post(ROUTE, json=body)
        assert time.perf_counter() - started < 1.0
        assert target not in opened
        message = response.get_json()["response"]["ww-status"]["children"]
        assert message.startswith("Anfrage abgelehnt: Basisszenario des Was-wäre-wenn")
        assert target not in message


def test_whatif_function_refuses_a_path_without_opening_it(bait: Bait) -> None:
    """The function a background job runs refuses a path too (a second check)."""
    import dataclasses

    from dashboard.whatif import load_config, run_whatif, slider_start
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario

    start = slider_start(load_scenario("lueneburg-status-quo"))
    config = load_config()
    for target in (str(bait.scenario), str(bait.bomb), "/etc/passwd", "../x.yaml"):
        with opened_files() as opened, pytest.raises(ScenarioError) as info:
            run_whatif(dataclasses.replace(start, baseline=target), config)
        assert target not in opened and str(bait.scenario) not in opened
        assert "kein Szenario der Szenariobibliothek" in info.value.message


# =========================================================================== logins


def _basic(user: str | bytes, password: str | bytes) -> str:
    raw = (user if isinstance(user, bytes) else user.encode()) + b":"
    raw += password if isinstance(password, bytes) else password.encode()
    return "Basic " + base64.b64encode(raw).decode()


@pytest.fixture(scope="module")
def guarded(small_store_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app with a login, as on a non-loopback address."""
    folder = tmp_path_factory.mktemp("login")
    app = build(small_store_master, "0.0.0.0", env=LOGIN, cache_dir=folder)
    app.cache_dir = folder
    yield app
    app.data.close()


_ADDRESSES = iter(range(1, 250))


def _client_address() -> str:
    """A fresh client address per test (failed logins are counted per address)."""
    return f"198.51.100.{next(_ADDRESSES)}"


MALFORMED_HEADERS = {
    "empty": "",
    "scheme-only": "Basic",
    "bad-base64": "Basic !!!",
    "no-colon": "Basic " + base64.b64encode(b"ausschussgeheim").decode(),
    "not-utf8": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "other-scheme": "Bearer " + base64.b64encode(b"ausschuss:geheim-\xc3\x9f").decode(),
    "non-ascii-token": "Basic äöü",
    "wrong-password": _basic("ausschuss", "falsch"),
    "wrong-user": _basic("jemand", "geheim-ß"),
    "password-prefix": _basic("ausschuss", "geheim"),
    "padding-missing": "Basic " + base64.b64encode(b"ausschuss:geheim-\xc3\x9f").decode()[:-1],
}
"""Authorization headers that must give 401 (before: several gave 500)."""


@pytest.mark.parametrize("header", MALFORMED_HEADERS.values(), ids=MALFORMED_HEADERS.keys())
def test_regression_malformed_authorization_header_gives_500(guarded: Any, header: str) -> None:
    """``dash-auth`` split and decoded the header unchecked: 500. Now always 401."""
    client = guarded.server.test_client()
    response = client.get(
        "/", headers={"Authorization": header}, environ_base={"REMOTE_ADDR": _client_address()}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        'Basic realm="Sozialraum-Simulation", charset="UTF-8"'
    )
    assert "Anmeldung erforderlich" in response.get_data(as_text=True)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_no_header_asks_for_the_login_and_the_right_one_passes(guarded: Any) -> None:
    client = guarded.server.test_client()
    address = {"REMOTE_ADDR": _client_address()}
    assert client.get("/", environ_base=address).status_code == 401
    ok = client.get(
        "/",
        headers={"Authorization": _basic("ausschuss", "geheim-ß")},
        environ_base=address,
    )
    assert ok.status_code == 200


def test_login_comes_before_the_input_gate(guarded: Any) -> None:
    """Without a login a forged callback request learns nothing, not even a refusal."""
    client = guarded.server.test_client()
    response = client.post(
        ROUTE,
        json=request_body(guarded, WW, ww_basis__value="/etc/passwd"),
        environ_base={"REMOTE_ADDR": _client_address()},
    )
    assert response.status_code == 401
    assert "abgelehnt" not in response.get_data(as_text=True)


def test_regression_unlimited_password_attempts(guarded: Any) -> None:
    """300 guesses took 0.4 s. Now the address is blocked after the limit (429)."""
    client = guarded.server.test_client()
    address = {"REMOTE_ADDR": _client_address()}
    for _ in range(LOGIN_FAILURES_MAX):
        wrong = client.get(
            "/", headers={"Authorization": _basic("ausschuss", "rate")}, environ_base=address
        )
        assert wrong.status_code == 401
    blocked = client.get(
        "/", headers={"Authorization": _basic("ausschuss", "geheim-ß")}, environ_base=address
    )
    assert blocked.status_code == 429  # even the right password, while blocked
    wait = int(blocked.headers["Retry-After"])
    assert 1 <= wait <= 300
    text = blocked.get_data(as_text=True)
    assert "Zu viele fehlgeschlagene Anmeldungen" in text and f"{wait} Sekunden" in text
    for name, value in SECURITY_HEADERS.items():
        assert blocked.headers[name] == value
    other = client.get(
        "/",
        headers={"Authorization": _basic("ausschuss", "geheim-ß")},
        environ_base={"REMOTE_ADDR": _client_address()},
    )
    assert other.status_code == 200  # other addresses are not affected


def test_failed_logins_are_shared_between_worker_processes(
    guarded: Any, small_store_master: Path
) -> None:
    """Two apps on the same cache folder (as gunicorn's workers) share the count."""
    second = build(small_store_master, "0.0.0.0", env=LOGIN, cache_dir=guarded.cache_dir)
    try:
        address = {"REMOTE_ADDR": _client_address()}
        wrong = {"Authorization": _basic("ausschuss", "nein")}
        for i in range(LOGIN_FAILURES_MAX):
            app = guarded if i % 2 else second
            assert (
                app.server.test_client().get("/", headers=wrong, environ_base=address).status_code
                == 401
            )
        for app in (guarded, second):
            response = app.server.test_client().get("/", headers=wrong, environ_base=address)
            assert response.status_code == 429
    finally:
        second.data.close()


class _Served:
    """``sozialraum dashboard`` with a login in its own process on a free port."""

    def __init__(self, store: Path, workers: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["--store", str(store), "--port", str(self.port), "--workers", workers]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "dashboard", *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **LOGIN},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            assert self.proc.poll() is None, self.proc.communicate()
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
            except urllib.error.HTTPError:
                break  # 401: serving
            except OSError:
                assert time.monotonic() < deadline, "Dashboard startet nicht"
                time.sleep(0.3)

    def get(self, header: str | None) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(self.url + "/")
        if header is not None:
            request.add_header("Authorization", header)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers)

    def close(self) -> tuple[str, str]:
        os.killpg(self.proc.pid, 15)
        return self.proc.communicate(timeout=30)


@pytest.mark.parametrize("workers", ["1", "2"], ids=["waitress", "gunicorn"])
def test_login_limit_in_a_real_server(workers: str, small_store: Path) -> None:
    """Malformed headers give 401, the limit gives 429, with waitress and gunicorn."""
    before = file_digest(small_store)
    served = _Served(small_store, workers)
    try:
        assert served.get("Basic !!!")[0] == 401  # counted: a malformed header
        for _ in range(LOGIN_FAILURES_MAX - 1):
            assert served.get(_basic("ausschuss", "falsch"))[0] == 401
        status, headers = served.get(_basic("ausschuss", "geheim-ß"))
        assert status == 429 and int(headers["Retry-After"]) >= 1
        assert headers["X-Frame-Options"] == "DENY"
    finally:
        out, err = served.close()
    assert "Traceback" not in out + err
    assert file_digest(small_store) == before


# =========================================================================== briefing


def _broken_browser(folder: Path) -> Path:
    path = folder / "chromium-kaputt"
    path.write_text("#!/bin/sh\necho 'kann nicht starten' >&2\nexit 3\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("button", ["export-html", "export-pdf"])
def test_regression_briefing_fails_silently_without_chromium(
    button: str, served: Any, tmp_path: Path, monkeypatch
) -> None:
    """The briefing's charts need Chromium (kaleido); without it: 500, nothing shown.

    Now the page shows a German message next to the buttons and nothing is downloaded.
    """
    monkeypatch.setenv("BROWSER_PATH", str(_broken_browser(tmp_path)))  # kaleido's browser
    client = served.server.test_client()
    values = {f"{button.replace('-', '_')}__n_clicks": 1}
    body = request_body(served, "export-meldung.children", **values)
    body["changedPropIds"] = [f"{button}.n_clicks"]
    response = client.post(ROUTE, json=body)
    assert response.status_code == 200
    shown = response.get_json()["response"]
    assert "download" not in shown
    message = shown["export-meldung"]["children"]
    what = "PDF" if button == "export-pdf" else "Vorlage"
    assert message.startswith(f"{what} nicht möglich: Die Grafiken der Vorlage")
    assert "Chromium" in message
    assert file_digest(served.store_path) == served.store_digest


def test_pdf_without_a_working_chromium_is_a_visible_message(
    served: Any, tmp_path: Path, monkeypatch
) -> None:
    """The charts render, but the PDF's Chromium (``SOZIALRAUM_CHROMIUM``) fails."""
    monkeypatch.setenv("SOZIALRAUM_CHROMIUM", str(_broken_browser(tmp_path)))
    client = served.server.test_client()
    body = request_body(served, "export-meldung.children", export_pdf__n_clicks=1)
    body["changedPropIds"] = ["export-pdf.n_clicks"]
    response = client.post(ROUTE, json=body)
    assert response.status_code == 200
    message = response.get_json()["response"]["export-meldung"]["children"]
    assert message.startswith("PDF nicht möglich: Chromium konnte das PDF nicht erzeugen")
