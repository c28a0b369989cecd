"""The dashboard in a real headless browser (Debian's Chromium driven by Playwright).

``sozialraum dashboard --workers 2`` (gunicorn, two processes) serves the shared demo
store on a free loopback port.
The tests load every page without console errors, read German texts and numbers (also
in the runs table, a data grid), change the scenario selection, run a what-if batch to
completion, download every export and open it, and write screenshots of every page at
1366×768 and 1920×1080 to ``out/screenshots/`` for review.
"""

from __future__ import annotations

import base64
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import waitress
from playwright.sync_api import Page, sync_playwright

from dashboard.server import build
from tests.dashboard.conftest import DEMO_SCENARIOS

CHROMIUM = os.environ.get("SOZIALRAUM_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"
PAGES = {
    "Vergleich": "#g-toepfe .main-svg",
    "Regionen": "#g-regionen .main-svg",
    "Geldflüsse": "#g-sankey .main-svg",
    "Was-wäre-wenn": "#ww-start",
    "Entscheidung": "#g-sensitivitaet .main-svg",
    "Läufe": "#t-laeufe .ag-row",
}
"""Tab label → a selector that is visible once the page has rendered."""


class Server:
    """The app served by waitress in a background thread."""

    def __init__(self, app) -> None:
        self.server = waitress.create_server(app.server, host="127.0.0.1", port=0, threads=8)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()


class Served:
    """``sozialraum dashboard`` as users start it: gunicorn with two worker processes."""

    def __init__(self, store: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "dashboard",
                "--store",
                str(store),
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "Dashboard startet nicht"
                time.sleep(0.3)

    def close(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(demo_store: Path) -> Iterator[Served]:
    srv = Served(demo_store)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(server.url, wait_until="networkidle")
    pg.wait_for_selector("#g-toepfe .main-svg", timeout=30_000)
    yield pg, errors
    context.close()


def _open(pg: Page, tab: str) -> None:
    pg.locator("#seite .tab", has_text=tab).click()
    pg.wait_for_selector(PAGES[tab], state="visible", timeout=30_000)
    pg.wait_for_load_state("networkidle")


def _traces(pg: Page, graph: str) -> int:
    return pg.eval_on_selector(f"#{graph} .js-plotly-plot", "el => (el.data || []).length")


def test_every_page_loads_without_console_errors_and_is_photographed(page):
    pg, errors = page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for tab in PAGES:
        _open(pg, tab)
        for width, height in ((1366, 768), (1920, 1080)):
            pg.set_viewport_size({"width": width, "height": height})
            pg.wait_for_timeout(300)
            name = tab.lower().replace("ä", "ae").replace("ü", "ue").replace("-", "")
            shot = SCREENSHOTS / f"{name}-{width}x{height}.png"
            pg.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
    assert errors == []


def test_german_on_the_page(page):
    pg, errors = page
    text = pg.inner_text("body")
    for word in ("Basisszenario", "Vergleichsszenarien", "Ausgaben je Budgettopf", "Geldflüsse"):
        assert word in text
    # plotly's German number format: decimal comma, thousands dot in the tick labels
    ticks = pg.eval_on_selector_all(
        ".js-plotly-plot .ytick text, .js-plotly-plot .xtick text",
        "els => els.map(e => e.textContent)",
    )
    assert any(re.fullmatch(r"−?\d+,\d+( %)?", t) for t in ticks), ticks
    assert not any(re.fullmatch(r"−?\d+\.\d{1,2}", t) for t in ticks), ticks  # 4.5: English
    # the runs table is a data grid (AG Grid): German headings, numbers and pager texts
    _open(pg, "Läufe")
    headers = pg.eval_on_selector_all(
        "#t-laeufe .ag-header-cell-text", "els => els.map(e => e.textContent)"
    )
    assert {"Lauf", "Szenario", "Seed", "Sekunden", "Status"} <= set(headers), headers
    assert pg.locator("#t-laeufe .ag-center-cols-container .ag-row").count() > 0
    column = pg.eval_on_selector_all(
        "#t-laeufe .ag-header-cell",
        "els => els.find(e => e.textContent.trim() === 'Sekunden').getAttribute('col-id')",
    )
    seconds = pg.eval_on_selector_all(
        f"#t-laeufe .ag-center-cols-container .ag-cell[col-id='{column}']",
        "els => els.map(e => e.textContent)",
    )
    assert seconds and all(re.fullmatch(r"\d+,\d\d", t) for t in seconds), seconds
    assert "Seite" in pg.inner_text("#t-laeufe .ag-paging-panel")
    assert errors == []


def test_choosing_scenarios_updates_the_charts(page):
    pg, errors = page
    before = _traces(pg, "g-gesamt")
    pg.click("#vergleich .dash-dropdown-clear")  # only the baseline is left
    pg.wait_for_function(
        f"() => document.querySelector('#g-gesamt .js-plotly-plot').data.length < {before}",
        timeout=20_000,
    )
    after = _traces(pg, "g-gesamt")
    assert 0 < after < before
    table = pg.inner_text("#kennzahlen")
    assert table.count("Lüneburg") == 1  # one row: the baseline
    assert errors == []


def test_whatif_run_completes(page):
    pg, errors = page
    _open(pg, "Was-wäre-wenn")
    pg.click("#ww-start")
    pg.wait_for_function(
        "() => document.querySelector('#ww-status').textContent.startsWith('Fertig')",
        timeout=120_000,
    )
    assert _traces(pg, "g-ww-differenz") >= 1
    assert _traces(pg, "g-ww-ausgaben") >= 2
    assert errors == []


def _download(pg: Page, selector: str, tmp_path: Path) -> Path:
    with pg.expect_download(timeout=60_000) as info:
        pg.click(selector)
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_exports_download_and_open(page, tmp_path):
    pg, errors = page
    xlsx = _download(pg, "#export-xlsx", tmp_path)
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert "Werte je Jahr" in book.sheetnames and "Differenz zur Basis" in book.sheetnames

    csv = _download(pg, "#export-csv", tmp_path)
    raw = csv.read_bytes()
    assert raw.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert {"Szenario", "Median", "Jahr"} <= set(frame.columns)
    assert set(frame["Szenario"]) <= set(DEMO_SCENARIOS)

    html = _download(pg, "#export-html", tmp_path).read_text(encoding="utf-8")
    assert "Jugendhilfeausschuss" in html
    assert "http://" not in html and "https://" not in html.split("<body", 1)[0]

    pdf = _download(pg, "#export-pdf", tmp_path).read_bytes()
    assert pdf.startswith(b"%PDF")

    # each chart as PNG: plotly's camera button
    pg.hover("#g-gesamt")
    png = _download(pg, "#g-gesamt .modebar-btn[data-title='Als PNG herunterladen']", tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert errors == []


CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
"""Records every CSP violation of the page (installed before the page's own scripts)."""


def test_every_page_runs_under_the_content_security_policy(browser, server, tmp_path):
    """The CSP is sent, and no page, chart, table selection or PNG download breaks it."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    context.add_init_script(CSP_WATCH)
    pg = context.new_page()
    messages: list[str] = []
    pg.on("console", lambda msg: messages.append(msg.text))
    try:
        response = pg.goto(server.url, wait_until="networkidle")
        headers = response.headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        csp = headers["content-security-policy"]
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert "'sha256-" in script_src and "unsafe" not in script_src
        pg.wait_for_selector("#g-toepfe .main-svg", timeout=30_000)
        for tab in PAGES:
            _open(pg, tab)
        pg.locator("#t-laeufe .ag-row[row-index='0'] .ag-cell").first.click()  # selects it
        pg.wait_for_function(
            "() => document.querySelector('#parameter').textContent.startsWith('{')",
            timeout=20_000,
        )
        _open(pg, "Vergleich")
        pg.hover("#g-gesamt")
        png = _download(pg, "#g-gesamt .modebar-btn[data-title='Als PNG herunterladen']", tmp_path)
        assert png.read_bytes().startswith(b"\x89PNG")
        assert pg.evaluate("window.__csp") == []
        assert not [m for m in messages if "Content Security Policy" in m]
    finally:
        context.close()


def test_basic_auth_when_credentials_are_set(demo_store):
    """A server built for another address asks every request for the login."""
    env = {"SOZIALRAUM_DASHBOARD_USER": "ausschuss", "SOZIALRAUM_DASHBOARD_PASSWORD": "geheim"}
    app = build(demo_store, "0.0.0.0", env=env)
    srv = Server(app)  # bound to loopback for the test
    try:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(srv.url + "/", timeout=10)
        assert info.value.code == 401
        token = base64.b64encode(b"ausschuss:geheim").decode()
        request = urllib.request.Request(srv.url + "/", headers={"Authorization": f"Basic {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    finally:
        srv.close()
        app.data.close()
