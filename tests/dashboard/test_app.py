"""The shell: stores of own files, every input checked, security headers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dash import Dash, Input, Output, html

from calibration import freshness
from dashboard import ids
from dashboard.app import create_app
from dashboard.guard import Choice, InputGate
from experiments import plan_batch, run_batch
from results.store import ResultsStore
from scenarios import load_scenario
from tests.bad_days.harness import ROOT
from tests.dashboard.conftest import DEMO_SCENARIOS
from tests.fixtures.dash_tree import find_component as _find

# --------------------------------------------------------------------------- safety


def _own_scenario(folder: Path) -> Path:
    """A copy of the status quo under a name the library does not know."""
    path = folder / "mein-szenario.yaml"
    text = (ROOT / "scenarios/library/lueneburg/lueneburg-status-quo.yaml").read_text("utf-8")
    library = ROOT / "scenarios/library/lueneburg"
    for key in ("municipalities_file", "help_types_file", "sozialraeume_file"):
        text = text.replace(f"{key}: ../../data/", f"{key}: {library}/../../data/")
    text = text.replace("file: ../../../calibration/", f"file: {library}/../../../calibration/")
    path.write_text(text.replace("name: lueneburg-status-quo", "name: mein-szenario"), "utf-8")
    return path


@pytest.fixture(scope="module")
def own_stores(tmp_path_factory):
    """A store of an own scenario file only, and one with a library scenario too."""
    folder = tmp_path_factory.mktemp("eigene")
    own = _own_scenario(folder)
    only = folder / "nur-eigene.duckdb"
    with ResultsStore(only) as store:
        assert run_batch(plan_batch([str(own)], 2, years=1, scale=0.1), store).complete
    mixed = folder / "gemischt.duckdb"
    shutil.copy(only, mixed)
    with ResultsStore(mixed) as store:
        plan = plan_batch(["lueneburg-rb2-20-rueckbehalt"], 2, years=1, scale=0.1)
        assert run_batch(plan, store).complete
    return only, mixed


def test_regression_dashboard_refuses_store_made_from_own_file(own_stores):
    """A store made with ``sozialraum batch my/own.yaml`` stopped the dashboard at start.

    Now it starts; the scenario is shown by its stored name and description, and the
    what-if page says why it offers nothing (it reads library scenarios by name only).
    """
    only, _ = own_stores
    app = create_app(only)
    try:
        basis = _find(app.layout, "basis")
        assert [o["value"] for o in basis.options] == ["mein-szenario"]
        assert basis.options[0]["label"] == "mein-szenario"
        assert basis.options[0]["title"]  # the stored description as tooltip
        assert _find(app.layout, "ww-basis").options == []
        assert _find(app.layout, "ww-start").disabled is True
        note = _find(app.layout, "ww-hinweis").children
        assert "Keines der Szenarien" in note and "Szenariobibliothek" in note
        client = app.server.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/_dash-layout").status_code == 200
    finally:
        app.data.close()


def test_whatif_offers_only_library_scenarios(own_stores):
    _, mixed = own_stores
    app = create_app(mixed)
    try:
        assert [o["value"] for o in _find(app.layout, "ww-basis").options] == [
            "lueneburg-rb2-20-rueckbehalt"
        ]
        assert {o["value"] for o in _find(app.layout, "basis").options} == {
            "lueneburg-rb2-20-rueckbehalt",
            "mein-szenario",
        }
        note = _find(app.layout, "ww-hinweis").children
        assert "1 von 2" in note and "mein-szenario" in note
    finally:
        app.data.close()


def test_every_callback_input_needs_a_rule():
    """A future input without a rule stops the app at start (the gate is fail-closed)."""
    app = Dash(__name__)
    app.layout = html.Div([html.Button(id="knopf"), html.Div(id="ziel")])

    @app.callback(Output("ziel", "children"), Input("knopf", "n_clicks"))
    def show(n):  # pragma: no cover - never called
        return n

    with pytest.raises(RuntimeError, match=r"knopf\.n_clicks"):
        InputGate(app, {}, ()).install()
    InputGate(app, {"knopf.n_clicks": Choice("Knopf", frozenset({1}), kind=int)}, ()).install()


def test_security_headers_on_every_response(demo_store):
    app = create_app(demo_store)
    try:
        client = app.server.test_client()
        index = client.get("/")
        scripts = [
            line.split('src="')[1].split('"')[0]
            for line in index.get_data(as_text=True).splitlines()
            if "<script src=" in line
        ]
        urls = ["/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css", "/nirgends"]
        urls += scripts[:2]
        for url in urls:
            response = client.get(url)
            assert response.headers["X-Frame-Options"] == "DENY", url
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert response.headers["Referrer-Policy"] == "no-referrer", url
            csp = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
            script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
            assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
            assert "'sha256-" in script_src
        assert client.post("/_dash-update-component", data=b"x").headers["X-Frame-Options"]
    finally:
        app.data.close()


# --------------------------------------------------------------------------- calibration


def _paragraphs(notice) -> list[str]:
    return [p.children for p in notice.children]


def test_a_stale_calibration_is_shown_above_every_tab(demo_store, tmp_path, monkeypatch):
    """The Lüneburg scenarios' calibration file was fitted with other engine code.

    The engine's hash is the check's input: with a hash no calibration file holds, the
    shipped file is stale (or, while it records no hash, of unknown freshness) either way.
    """
    monkeypatch.setattr(freshness, "model_code_hash", lambda: "0123456789ab")
    expected = freshness.calibration_warnings([load_scenario(s) for s in DEMO_SCENARIOS])
    assert expected and all("Kalibrierung" in line for line in expected)
    app = create_app(demo_store, cache_dir=tmp_path)
    try:
        shell = app.layout.children
        notice = _find(app.layout, ids.Shell.CALIBRATION)
        assert notice in shell and shell.index(notice) == len(shell) - 2  # just above the tabs
        assert "hinweis" in notice.className.split()
        assert _paragraphs(notice) == expected  # the initial selection: the demo's three
        # the notice follows the shared selection
        callback = app.callback_map[f"{ids.Shell.CALIBRATION}.children"]["callback"]
        shown = callback.__wrapped__
        assert [p.children for p in shown(DEMO_SCENARIOS[1], [])] == expected
        assert shown(None, []) == []
    finally:
        app.data.close()
