"""The Dash app's shell: compare scenarios side by side, in German, with uncertainty.

Pages (tabs, one module each in :mod:`dashboard.pages`): *Vergleich* (money,
families, providers per year with 50 % and 90 % bands and paired differences to the
baseline), *Regionen* (the same per region, cost per Jugendeinwohnerwert, equity, a
schematic map), *Geldflüsse* (Sankey from the budget to pots, regions, help types
and projects), *Was-wäre-wenn* (sliders, a small batch run live in the background
against the baseline), *Entscheidung* (the stored sensitivity analyses, PRIM boxes and
Pareto fronts of a search) and *Läufe* (batches and runs with parameters and
provenance). The shell holds the header, the shared selection (baseline and
compared scenarios, read by every page that compares), below it the warnings of a
stale calibration of the selected scenarios (or one of unknown freshness,
:mod:`calibration.freshness`), visible on every tab, and the tabs.

Exports: the data shown as XLSX and as CSV for German Excel, each chart as PNG (the
chart's camera button), and the briefing for the Jugendhilfeausschuss as HTML and
PDF. The app reads the results store only; what-if runs are not stored.

Nothing a request sends names a file: every value of every callback request is
checked against what the page offers (scenarios of the store, computed once at
start; metrics, years, runs, slider ranges) before any callback runs
(:mod:`dashboard.guard`; each page gives the rules of its own inputs), and
scenarios are loaded from the library by exact name only (:mod:`dashboard.library`).
Every response carries security headers and a Content-Security-Policy.

:func:`create_app` builds the app; :mod:`dashboard.server` serves it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import diskcache
from dash import Dash, DiskcacheManager, Input, Output, dcc, html, no_update

from dashboard import ids
from dashboard.components import dropdown
from dashboard.context import (
    MAX_COMPARED,
    AppContext,
    build_context,
    scenario_names,
    selection,
)
from dashboard.data import DashboardData
from dashboard.guard import Choice, Choices, InputGate, Rule
from dashboard.pages import PAGES

SNAPSHOTS = "einschwingen"
"""Subfolder of the cache folder for the what-if's burn-in snapshots."""


def create_app(store: str | Path, *, cache_dir: str | Path | None = None) -> Dash:
    """Build the dashboard on a results store.

    Everything a request may select (scenarios, metrics, years, runs, slider
    positions) is computed here once from the store and the library; every callback
    request is checked against it before a callback runs (:mod:`dashboard.guard`).
    Scenarios of the store that are not in the library (made from a file of their
    own) are shown with their stored name; the what-if page offers only library
    scenarios, loaded by name.

    Args:
        store: The DuckDB results store (read-only).
        cache_dir: Folder for the background jobs of the what-if page and its
            burn-in snapshots (subfolder :data:`SNAPSHOTS`, private to the user;
            default: a new temporary folder).

    Returns:
        The Dash app (serve ``app.server`` with a WSGI server).

    Raises:
        ScenarioError: If the store cannot be opened or the defaults file
            (:mod:`dashboard.defaults`) is broken.
    """
    folder = Path(cache_dir or tempfile.mkdtemp(prefix="sozialraum-dash-"))
    data = DashboardData(store)
    try:
        ctx = build_context(data, snapshots=folder / SNAPSHOTS)
    except BaseException:  # e.g. a broken defaults file: do not keep the store open
        data.close()
        raise
    cache = diskcache.Cache(str(folder))
    app = Dash(
        __name__,
        title="Sozialraum-Simulation",
        update_title="Wird berechnet …",
        background_callback_manager=DiskcacheManager(cache),
        suppress_callback_exceptions=True,
    )
    app.data = data  # type: ignore[attr-defined]
    app.layout = _layout(ctx)
    rules = _shared_rules(ctx)
    notices: list[str] = []
    for page in PAGES:
        rules.update(page.rules(ctx))
        notices.extend(page.NOTICES)
    gate = InputGate(app, rules, notices)
    _register_shared(app, ctx)
    for page in PAGES:
        page.register(app, ctx, gate)
    gate.install()
    _secure_headers(app)
    return app


def _layout(ctx: AppContext) -> html.Div:
    """Header, the shared selection and one tab per page."""
    runs = int(ctx.catalogue["runs"].sum()) if len(ctx.catalogue) else 0
    return html.Div(
        [
            html.Header(
                [
                    html.H1("Sozialraum-Simulation: Szenarien im Vergleich"),
                    html.P(
                        f"Ergebnisspeicher {ctx.store_label}: {len(ctx.stored)} Szenarien, "
                        f"{runs} Läufe. "
                        "Modellvergleich mit denselben Zufallszahlen, keine Prognose.",
                        className="untertitel",
                    ),
                ]
            ),
            html.Div(
                [
                    html.Label(
                        [
                            "Basisszenario",
                            dropdown(
                                ctx.options, ctx.baseline, id=ids.Shell.BASELINE, clearable=False
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            f"Vergleichsszenarien (bis zu {MAX_COMPARED})",
                            dropdown(ctx.options, ctx.compared, id=ids.Shell.COMPARED, multi=True),
                        ]
                    ),
                ],
                className="auswahl",
            ),
            html.Div(
                calibration_notice(ctx.calibration_warnings(selection(ctx.baseline, ctx.compared))),
                id=ids.Shell.CALIBRATION,
                className="hinweis kalibrierung",
            ),
            dcc.Tabs(
                id=ids.Shell.TABS,
                value=PAGES[0].TAB,
                children=[
                    dcc.Tab(label=page.LABEL, value=page.TAB, children=page.layout(ctx))
                    for page in PAGES
                ],
            ),
        ],
        className="seite",
    )


def _shared_rules(ctx: AppContext) -> dict[str, Rule]:
    """Rules of the shared selection (``"id.property"`` → rule)."""
    scenarios = frozenset(ctx.stored)
    return {
        ids.prop(ids.Shell.BASELINE, "value"): Choice(
            "Basisszenario", scenarios, optional=not scenarios
        ),
        ids.prop(ids.Shell.COMPARED, "value"): Choices(
            "Vergleichsszenarien", scenarios, max_items=len(scenarios)
        ),
    }


def calibration_notice(lines: list[str]) -> list[html.P]:
    """The calibration warnings as paragraphs (empty: nothing shown)."""
    return [html.P(line) for line in lines]


def _register_shared(app: Dash, ctx: AppContext) -> None:
    """The shell's own callbacks: the compared scenarios and the calibration warnings.

    At most :data:`MAX_COMPARED` compared scenarios; the calibration warnings follow
    the selection (from :attr:`AppContext.calibration`, computed at start).
    """

    @app.callback(
        Output(ids.Shell.CALIBRATION, "children"),
        Input(ids.Shell.BASELINE, "value"),
        Input(ids.Shell.COMPARED, "value"),
        prevent_initial_call=True,
    )
    def calibration(baseline: str | None, compared: list[str] | None) -> list[html.P]:
        return calibration_notice(ctx.calibration_warnings(selection(baseline, compared)))

    @app.callback(
        Output(ids.Shell.COMPARED, "value"),
        Input(ids.Shell.COMPARED, "value"),
        prevent_initial_call=True,
    )
    def limit(compared: list[str] | None) -> Any:
        if compared and len(compared) > MAX_COMPARED:
            return compared[:MAX_COMPARED]
        return no_update


def _content_security_policy(app: Dash) -> str:
    """The CSP of every response: only this server's own files run.

    Each source below was checked in Chromium by removing it: the page then logs CSP
    violations and breaks (tests/dashboard/test_browser.py checks the policy as sent).

    * ``script-src``: the server's own script files plus the hash of Dash's one inline
      script (``var renderer = new DashRenderer();``, :meth:`Dash.csp_hashes`); no
      other inline script and no ``eval`` (Dash and plotly's SVG charts need none).
    * ``style-src 'unsafe-inline'``: plotly writes ``<style>`` rules and style
      attributes into the page when it draws a chart, and the dropdowns and tables
      place themselves with inline styles (over a hundred violations without it);
      styles cannot run code.
    * ``img-src data: blob:``: plotly's modebar icons and the chart's PNG download.
    * fonts, connections, frames: ``'self'`` only (``default-src``); no plugin
      objects; ``frame-ancestors 'none'``: no page of another site may frame the
      dashboard (as ``X-Frame-Options: DENY``).
    """
    scripts = " ".join(["'self'", *app.csp_hashes()])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _secure_headers(app: Dash) -> None:
    """Security headers on every response of the app's server."""
    headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": _content_security_policy(app),
    }

    def add(response: Any) -> Any:
        for name, value in headers.items():
            response.headers[name] = value
        return response

    app.server.after_request(add)


__all__ = ["MAX_COMPARED", "calibration_notice", "create_app", "scenario_names"]
