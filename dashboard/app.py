"""The Dash app: compare scenarios side by side, in German, with uncertainty.

Pages (tabs): *Vergleich* (money, families, providers per year with 50 % and 90 %
bands and paired differences to the baseline), *Regionen* (the same per region, cost
per Jugendeinwohnerwert, equity, a schematic map), *Geldflüsse* (Sankey from the
budget to pots, regions, help types and projects), *Was-wäre-wenn* (sliders, a small
batch run live in the background against the baseline) and *Läufe* (batches and runs
with parameters and provenance).

Exports: the data shown as XLSX and as CSV for German Excel, each chart as PNG (the
chart's camera button), and the briefing for the Jugendhilfeausschuss as HTML and
PDF. The app reads the results store only; what-if runs are not stored.

Nothing a request sends names a file: every value of every callback request is
checked against what the page offers (scenarios of the store, computed once at
start; metrics, years, runs, slider ranges) before any callback runs
(:mod:`dashboard.guard`), and scenarios are loaded from the library by exact name
only (:mod:`dashboard.library`). Every response carries security headers and a
Content-Security-Policy.

:func:`create_app` builds the app; :mod:`dashboard.server` serves it.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import diskcache
import pandas as pd
import plotly.graph_objects as go
from dash import (
    Dash,
    DiskcacheManager,
    Input,
    Output,
    State,
    dash_table,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from dashboard import figures as fig
from dashboard.briefing import BriefingError, briefing_pdf, build_briefing, key_figures
from dashboard.data import DashboardData, paired_from_yearly, quantiles_from_yearly
from dashboard.guard import (
    Choice,
    Choices,
    Clicks,
    InputGate,
    Number,
    Rule,
    choice_values,
    refusal_text,
)
from dashboard.library import library_names, library_scenario
from dashboard.whatif import (
    BASE_NAME,
    CHANGED_NAME,
    SCHEMES,
    WhatIf,
    load_config,
    run_whatif,
    slider_start,
)
from results.export import csv_de_bytes, german, xlsx_bytes
from scenarios.errors import ScenarioError
from scenarios.formatting import fmt_eur, fmt_num, fmt_pct
from scenarios.loader import Scenario

_NOT_YET = fig.empty_figure("Noch nicht gerechnet: Regler einstellen und „Rechnen“ drücken.")

VIEW_CACHE = 256
"""Views kept per server process: the store is read-only while served (DuckDB allows no
writer while it is open), so a view of the same selection never changes."""

MAX_COMPARED = 4
"""Scenarios compared with the baseline at once."""

SCHEME_LABELS = {
    "none": "kein Anreizsystem (Bezahlung je Fall)",
    "retention": "Rückbehalt",
    "bonus_malus": "Bonus/Malus",
    "flat": "Pauschalbudget",
    "balancing": "Ausgleich zwischen Regionen",
}

BAND_METRICS: tuple[tuple[str, str, str], ...] = (
    ("total_spent", "Ausgaben gesamt", "EUR"),
    ("cases_per_10k_total", "Fälle je 10.000 unter 21", "je 10.000 u21"),
    ("stationary_share", "Anteil stationärer Hilfen", "Anteil"),
    ("escalations", "Eskalationen", "Fälle"),
    ("unmet_need_families", "Familien mit ungedecktem Bedarf", "Familien"),
    ("mean_waiting_months", "Wartezeit bis Hilfebeginn", "Monate"),
    ("provider_reserves", "Rücklagen der Träger", "EUR"),
    ("provider_exits", "Marktaustritte von Trägern", "Träger"),
)
"""Per-year charts of the comparison page: metric, German title, unit."""

REGION_METRICS: tuple[tuple[str, str, str], ...] = (
    ("cost_per_jew", "Kosten je Jugendeinwohnerwert", "EUR je JEW"),
    ("cases_per_10k_total", "Fälle je 10.000 unter 21", "je 10.000 u21"),
    ("total_spent", "Ausgaben gesamt", "EUR"),
    ("spent_regional_2", "Ausgaben regionales Budget 2", "EUR"),
    ("unmet_need_families", "Familien mit ungedecktem Bedarf", "Familien"),
    ("project_reach", "Von Projekten erreichte Familien", "Familien"),
)

DROPDOWN_LABELS = {
    "select_all": "Alle auswählen",
    "deselect_all": "Alle abwählen",
    "selected_count": "{num_selected} ausgewählt",
    "search": "Suchen",
    "clear_search": "Suche löschen",
    "clear_selection": "Auswahl löschen",
    "no_options_found": "Keine Treffer",
}
"""German texts of every dropdown."""


def _dropdown(options: Any, value: Any, ident: str | None = None, **kwargs: Any) -> dcc.Dropdown:
    if ident is not None:
        kwargs["id"] = ident
    return dcc.Dropdown(options, value, labels=DROPDOWN_LABELS, **kwargs)


LOCALE_DE = json.loads((Path(__file__).parent / "plotly_locale_de.json").read_text("utf-8"))
"""plotly's German locale (modebar texts, number and date format), given with every chart."""

GRAPH_CONFIG: dict[str, Any] = {
    "locale": "de",
    "locales": {"de": LOCALE_DE},
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    # no upload to Plotly's cloud, no selection tools the charts do not use
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "select2d", "lasso2d"],
}
"""Every chart: German locale, PNG download from the camera button."""


@functools.lru_cache(maxsize=64)
def _scenario(name: str) -> Scenario:
    """A library scenario by exact name, parsed once per server process (never a path).

    Raises:
        ScenarioError: If ``name`` is not a library scenario or does not load.
    """
    return library_scenario(name)


def scenario_names(names: Sequence[str]) -> dict[str, str]:
    """Display name per scenario: its title from the library, else its stored name."""
    out = {}
    for name in names:
        try:
            title = _scenario(name).title
        except ScenarioError:
            title = None
        out[name] = title or name
    return out


def _graph(ident: str, height: int = 380, figure: Any = None) -> dcc.Graph:
    return dcc.Graph(
        id=ident,
        figure=figure if figure is not None else fig.empty_figure("Wird geladen …"),
        config={
            **GRAPH_CONFIG,
            "toImageButtonOptions": {**GRAPH_CONFIG["toImageButtonOptions"], "filename": ident},
        },
        style={"height": f"{height}px"},
    )


def _card(title: str, children: Any) -> html.Div:
    return html.Div([html.H3(title), children], className="karte")


# =========================================================================== app


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
        cache_dir: Folder for the background jobs of the what-if page (default: a
            new temporary folder).

    Returns:
        The Dash app (serve ``app.server`` with a WSGI server).
    """
    data = DashboardData(store)
    catalogue = data.scenarios()
    all_names = list(catalogue["scenario"])
    names = scenario_names(all_names)
    baseline0 = next(
        (n for n in all_names if n.endswith("status-quo")), all_names[0] if all_names else None
    )
    others0 = [n for n in all_names if n != baseline0][:2]
    starts = _whatif_starts(all_names)
    ww_baseline0 = baseline0 if baseline0 in starts else next(iter(starts), None)
    cache = diskcache.Cache(str(cache_dir or tempfile.mkdtemp(prefix="sozialraum-dash-")))
    manager = DiskcacheManager(cache)
    config = load_config()

    app = Dash(
        __name__,
        title="Sozialraum-Simulation",
        update_title="Wird berechnet …",
        background_callback_manager=manager,
        suppress_callback_exceptions=True,
    )
    app.data = data  # type: ignore[attr-defined]
    descriptions = dict(zip(catalogue["scenario"], catalogue["description"], strict=True))
    options = [_scenario_option(n, names[n], descriptions.get(n)) for n in all_names]
    ww_options = [o for o in options if o["value"] in starts]
    outcomes = _outcome_options(baseline0)
    runs = data.runs()
    app.layout = html.Div(
        [
            html.Header(
                [
                    html.H1("Sozialraum-Simulation: Szenarien im Vergleich"),
                    html.P(
                        f"Ergebnisspeicher {data.path.name}: {len(all_names)} Szenarien, "
                        f"{int(catalogue['runs'].sum()) if len(catalogue) else 0} Läufe. "
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
                            _dropdown(options, baseline0, id="basis", clearable=False),
                        ]
                    ),
                    html.Label(
                        [
                            f"Vergleichsszenarien (bis zu {MAX_COMPARED})",
                            _dropdown(options, others0, id="vergleich", multi=True),
                        ]
                    ),
                ],
                className="auswahl",
            ),
            dcc.Tabs(
                id="seite",
                value="vergleich",
                children=[
                    dcc.Tab(
                        label="Vergleich",
                        value="vergleich",
                        children=_page_comparison(outcomes),
                    ),
                    dcc.Tab(label="Regionen", value="regionen", children=_page_regions()),
                    dcc.Tab(
                        label="Geldflüsse",
                        value="geldfluesse",
                        children=_page_flows(options, baseline0, data),
                    ),
                    dcc.Tab(
                        label="Was-wäre-wenn",
                        value="waswaerewenn",
                        children=_page_whatif(
                            ww_options, ww_baseline0, starts, config, all_names, names
                        ),
                    ),
                    dcc.Tab(label="Läufe", value="laeufe", children=_page_runs(data, runs)),
                ],
            ),
        ],
        className="seite",
    )
    gate = InputGate(
        app,
        _rules(all_names, starts, outcomes, data.years(all_names), list(runs["run_id"])),
        NOTICES,
    )
    _callbacks(app, data, names, config, gate)
    gate.install()
    _secure_headers(app)
    return app


NOTICES = ("ww-status.children", "export-meldung.children", "parameter.children")
"""Outputs that show a German refusal when a request's value breaks its rule."""

BUTTONS = {
    "ww-start": "Rechnen",
    "ww-abbruch": "Abbrechen",
    "export-xlsx": "Tabelle als XLSX",
    "export-csv": "Tabelle als CSV",
    "export-html": "Vorlage (HTML)",
    "export-pdf": "Vorlage als PDF",
}
"""Buttons whose click count is a callback input."""


def _scenario_option(name: str, label: str, description: Any) -> dict[str, Any]:
    """A dropdown option; the stored description is its tooltip."""
    option: dict[str, Any] = {"label": label, "value": name}
    if isinstance(description, str) and description:
        option["title"] = description
    return option


def _whatif_starts(stored: Sequence[str]) -> dict[str, WhatIf]:
    """Slider start per store scenario that the what-if page can load from the library."""
    starts = {}
    for name in stored:
        if name not in library_names():
            continue
        try:
            starts[name] = slider_start(_scenario(name))
        except ScenarioError:
            continue
    return starts


def _outcome_options(baseline: str | None) -> list[dict[str, str]]:
    """Metrics of the difference chart: the baseline's declared outcomes, else the bands."""
    outcomes = []
    if baseline is not None:
        try:
            outcomes = [{"label": o.label, "value": o.metric} for o in _scenario(baseline).outcomes]
        except ScenarioError:
            outcomes = []
    return outcomes or [{"label": title, "value": m} for m, title, _ in BAND_METRICS]


def _rules(
    stored: Sequence[str],
    starts: Mapping[str, WhatIf],
    outcomes: Sequence[Mapping[str, Any]],
    years: Sequence[int],
    run_ids: Sequence[str],
) -> dict[str, Rule]:
    """The rule of every callback input and state (``"id.property"`` → rule)."""
    scenarios = frozenset(stored)
    empty = not scenarios  # an empty store: nothing can be chosen
    return {
        "basis.value": Choice("Basisszenario", scenarios, optional=empty),
        "vergleich.value": Choices("Vergleichsszenarien", scenarios, max_items=len(scenarios)),
        "differenz-kennzahl.value": Choice("Kennzahl des Unterschieds", choice_values(outcomes)),
        "region-kennzahl.value": Choice(
            "Kennzahl je Region", frozenset(m for m, _, _ in REGION_METRICS)
        ),
        "fluss-szenario.value": Choice("Szenario der Geldflüsse", scenarios, optional=empty),
        "fluss-jahr.value": Choice(
            "Jahr der Geldflüsse", frozenset(years), kind=int, optional=True
        ),
        "t-laeufe.selected_row_ids": Choices("Ausgewählter Lauf", frozenset(run_ids), max_items=1),
        "ww-basis.value": Choice("Basisszenario des Was-wäre-wenn", frozenset(starts)),
        "ww-anreiz.value": Choice("Anreizsystem", frozenset(SCHEMES)),
        **{f"{s.ident}.value": Number(s.label, *s.bounds(starts.values())) for s in SLIDERS},
        **{f"{ident}.n_clicks": Clicks(label) for ident, label in BUTTONS.items()},
    }


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


# =========================================================================== pages


def _page_comparison(outcomes: list[dict[str, str]]) -> html.Div:
    return html.Div(
        [
            html.Div(id="kennzahlen", className="kennzahlen"),
            html.Div(
                [
                    html.Button("Tabelle als XLSX", id="export-xlsx"),
                    html.Button("Tabelle als CSV (Excel)", id="export-csv"),
                    html.Button("Vorlage für den Jugendhilfeausschuss (HTML)", id="export-html"),
                    html.Button("Vorlage als PDF", id="export-pdf"),
                    dcc.Download(id="download"),
                    html.Span(id="export-meldung", className="meldung"),
                ],
                className="exporte",
            ),
            html.Div(
                [
                    _card("Ausgaben je Topf", _graph("g-toepfe", 420)),
                    _card("Gesamtausgaben und Budget", _graph("g-gesamt")),
                    _card(
                        "Wahrscheinlichkeit einer Budgetüberschreitung", _graph("g-ueberschreitung")
                    ),
                    _card(
                        "Unterschied zum Basisszenario (gepaart, gleiche Seeds)",
                        html.Div(
                            [
                                _dropdown(
                                    outcomes,
                                    outcomes[0]["value"],
                                    id="differenz-kennzahl",
                                    clearable=False,
                                ),
                                _graph("g-differenz"),
                            ]
                        ),
                    ),
                    _card(
                        "Fälle je 10.000 unter 21 nach Hilfeart (letztes Jahr)",
                        _graph("g-hilfearten", 460),
                    ),
                    *[_card(title, _graph(f"g-{metric}")) for metric, title, _ in BAND_METRICS[1:]],
                ],
                className="raster",
            ),
        ]
    )


def _page_regions() -> html.Div:
    return html.Div(
        [
            html.Label(
                [
                    "Kennzahl",
                    _dropdown(
                        [{"label": t, "value": m} for m, t, _ in REGION_METRICS],
                        REGION_METRICS[0][0],
                        id="region-kennzahl",
                        clearable=False,
                    ),
                ]
            ),
            html.Div(
                [
                    _card("Je Region", _graph("g-regionen", 420)),
                    _card("Regionen (Schema)", _graph("g-schema", 420)),
                    _card("Gerechtigkeit zwischen den Regionen", html.Div(id="gerechtigkeit")),
                ],
                className="raster",
            ),
        ]
    )


def _page_flows(options: list[dict], baseline: str | None, data: DashboardData) -> html.Div:
    years = data.years([baseline]) if baseline else []
    return html.Div(
        [
            html.Div(
                [
                    html.Label(
                        [
                            "Szenario",
                            _dropdown(options, baseline, id="fluss-szenario", clearable=False),
                        ]
                    ),
                    html.Label(
                        [
                            "Jahr",
                            _dropdown(
                                [{"label": str(y), "value": y} for y in years],
                                years[0] if years else None,
                                id="fluss-jahr",
                                clearable=False,
                            ),
                        ]
                    ),
                ],
                className="auswahl",
            ),
            _card(
                "Vom Budget zu Töpfen, Regionen, Hilfearten und Projekten (Mittel je Lauf)",
                _graph("g-sankey", 640),
            ),
        ]
    )


@dataclass(frozen=True)
class SliderSpec:
    """A slider of the what-if page.

    Attributes:
        ident: Component id.
        field: The :class:`WhatIf` field it sets.
        label: German label.
        low: Left end.
        high: Right end.
        step: Step.
        default: Position when no scenario can be loaded.
        marks: Tick labels.
    """

    ident: str
    field: str
    label: str
    low: float
    high: float
    step: float
    default: float
    marks: dict[float, str]

    def bounds(self, starts: Iterable[WhatIf]) -> tuple[float, float]:
        """Values a request may send: the slider's range and every scenario's start value.

        A scenario can start outside the slider's range (Ulm has no bound budget,
        0 %); resetting the sliders to it sends that value, which is allowed.
        """
        values = [float(getattr(w, self.field)) for w in starts]
        return min([self.low, *values]), max([self.high, *values])


_PCT = {v: fmt_pct(v, 0) for v in (0.0, 0.25, 0.5, 0.75, 1.0)}

SLIDERS = (
    SliderSpec(
        "ww-gebunden",
        "bound_share",
        "Anteil gebundenes Budget",
        0.5,
        1.0,
        0.05,
        1.0,
        {0.5: "50 %", 0.75: "75 %", 1.0: "100 %"},
    ),
    SliderSpec(
        "ww-rb2",
        "regional2_share",
        "Anteil regionales Budget 2",
        0.0,
        0.5,
        0.05,
        0.0,
        {0.0: "0 %", 0.25: "25 %", 0.5: "50 %"},
    ),
    SliderSpec(
        "ww-trend",
        "trend_per_year",
        "Bedarfstrend je Jahr",
        -0.02,
        0.04,
        0.01,
        0.0,
        {-0.02: "−0,02", 0.0: "0", 0.04: "+0,04"},
    ),
    SliderSpec(
        "ww-reaktion",
        "responsiveness",
        "Reaktion der Träger auf Anreize",
        0.0,
        1.0,
        0.1,
        0.5,
        _PCT,
    ),
    SliderSpec(
        "ww-wirkung",
        "project_effect",
        "Wirkung der Präventionsprojekte (Bedarf je Monat)",
        0.0,
        0.12,
        0.01,
        0.05,
        {0.0: "0", 0.05: "0,05", 0.12: "0,12"},
    ),
)
"""The sliders in page order (the incentive dropdown sits after the second)."""


def _slider(spec: SliderSpec, start: WhatIf | None) -> html.Label:
    value = float(getattr(start, spec.field)) if start is not None else spec.default
    return html.Label(
        [
            spec.label,
            dcc.Slider(
                spec.low,
                spec.high,
                spec.step,
                value=value,
                id=spec.ident,
                marks=spec.marks,
                tooltip={"placement": "bottom"},
                allow_direct_input=False,
            ),
        ]
    )


def _whatif_note(
    starts: Mapping[str, WhatIf], stored: Sequence[str], names: Mapping[str, str]
) -> str | None:
    """Why some (or all) stored scenarios are not offered on the what-if page."""
    missing = [names.get(n, n) for n in stored if n not in starts]
    if not missing:
        return None
    if not starts:
        return (
            "Keines der Szenarien im Ergebnisspeicher stammt aus der Szenariobibliothek; "
            "nachrechnen lassen sich hier nur Szenarien der Bibliothek (nach Namen), "
            "eigene Szenariodateien werden nicht gelesen."
        )
    return (
        f"Nachrechnen lassen sich nur Szenarien der Szenariobibliothek (nach Namen): "
        f"{len(starts)} von {len(stored)} Szenarien des Ergebnisspeichers. Nicht dabei "
        f"(eigene Szenariodateien, hier nicht gelesen): {', '.join(missing)}."
    )


def _page_whatif(
    options: list[dict],
    baseline: str | None,
    starts: Mapping[str, WhatIf],
    config: Any,
    stored: Sequence[str],
    names: Mapping[str, str],
) -> html.Div:
    start = starts.get(baseline) if baseline else None
    note = _whatif_note(starts, stored, names)
    sliders = [_slider(spec, start) for spec in SLIDERS]
    return html.Div(
        [
            html.P(
                f"Rechnet das Basisszenario und die geänderte Fassung mit denselben "
                f"{config.replicates} Seeds, {config.years} Jahre, "
                f"{fmt_pct(config.scale, 0)} der Bevölkerung (Beträge auf den ganzen Kreis "
                "hochgerechnet). Nichts davon wird gespeichert.",
                className="hinweis",
            ),
            *([html.P(note, id="ww-hinweis", className="hinweis")] if note else []),
            html.Div(
                [
                    html.Label(
                        [
                            "Basisszenario",
                            _dropdown(options, baseline, id="ww-basis", clearable=False),
                        ]
                    ),
                    *sliders[:2],
                    html.Label(
                        [
                            "Anreizsystem",
                            _dropdown(
                                [{"label": SCHEME_LABELS[s], "value": s} for s in SCHEMES],
                                start.scheme if start else "none",
                                id="ww-anreiz",
                                clearable=False,
                            ),
                        ]
                    ),
                    *sliders[2:],
                    html.Button("Rechnen", id="ww-start", disabled=not starts),
                    html.Button("Abbrechen", id="ww-abbruch", disabled=True),
                    html.Progress(id="ww-fortschritt", value="0", max="1"),
                    html.Span(id="ww-status", className="meldung"),
                ],
                className="regler",
            ),
            html.Div(
                [
                    _card(
                        "Ausgaben: Unterschied zur Basis (gepaart)",
                        _graph("g-ww-differenz", figure=_NOT_YET),
                    ),
                    _card(
                        "Ungedeckter Bedarf: Unterschied zur Basis",
                        _graph("g-ww-bedarf", figure=_NOT_YET),
                    ),
                    _card("Gesamtausgaben", _graph("g-ww-ausgaben", figure=_NOT_YET)),
                ],
                className="raster",
            ),
        ]
    )


def _page_runs(data: DashboardData, runs: pd.DataFrame) -> html.Div:
    batches = data.batches()
    ids = list(runs["run_id"])
    runs = runs.assign(
        scenario_sha256=runs["scenario_sha256"].str[:12],
        seconds=runs["seconds"].round(2),
        started=runs["started"].astype(str).str[:19],
        status=runs["status"].map({"done": "fertig", "failed": "fehlgeschlagen"}),
        scale=runs["scale"].map(lambda x: fmt_pct(x, 0)),
    ).drop(columns=["finished"])
    return html.Div(
        [
            _card(
                "Batches",
                _table(
                    "t-batches",
                    german(batches.assign(created=batches["created"].astype(str).str[:19])),
                ),
            ),
            _card(
                "Läufe (Auswahl zeigt die Parameter)",
                _table("t-laeufe", german(runs), page_size=15, row_ids=ids),
            ),
            html.Pre(id="parameter", className="parameter"),
        ]
    )


def _table(
    ident: str, frame: pd.DataFrame, page_size: int = 10, row_ids: Sequence[str] | None = None
) -> dash_table.DataTable:
    """A table; with ``row_ids`` one row can be selected (its id is sent, not its data)."""
    records = frame.to_dict("records")
    if row_ids is not None:
        records = [{**r, "id": i} for r, i in zip(records, row_ids, strict=True)]
    return dash_table.DataTable(
        id=ident,
        filter_options={"placeholder_text": "Filter …", "case": "insensitive"},
        data=records,
        columns=[{"name": c, "id": c} for c in frame.columns],
        page_size=page_size,
        sort_action="native",
        filter_action="native",
        row_selectable="single" if row_ids is not None else False,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": "0.85rem", "textAlign": "left"},
    )


# =========================================================================== callbacks


def _selection(baseline: str | None, compared: Sequence[str] | None) -> list[str]:
    chosen = [s for s in (compared or []) if s != baseline][:MAX_COMPARED]
    return ([baseline] if baseline else []) + chosen


def _callbacks(
    app: Dash, data: DashboardData, names: dict[str, str], config: Any, gate: InputGate
) -> None:
    """Register the callbacks; ``gate`` checks every request's values before they run."""
    band_outputs = [Output(f"g-{m}", "figure") for m, _, _ in BAND_METRICS[1:]]

    @app.callback(
        Output("vergleich", "value"),
        Input("vergleich", "value"),
        prevent_initial_call=True,
    )
    def limit(compared: list[str] | None) -> Any:
        if compared and len(compared) > MAX_COMPARED:
            return compared[:MAX_COMPARED]
        return no_update

    @app.callback(
        Output("kennzahlen", "children"),
        Output("g-toepfe", "figure"),
        Output("g-gesamt", "figure"),
        Output("g-ueberschreitung", "figure"),
        Output("g-hilfearten", "figure"),
        *band_outputs,
        Input("basis", "value"),
        Input("vergleich", "value"),
    )
    def comparison(baseline: str, compared: list[str] | None) -> tuple:
        return comparison_view(baseline, tuple(compared or ()))

    @functools.lru_cache(maxsize=VIEW_CACHE)
    def comparison_view(baseline: str, compared: tuple[str, ...]) -> tuple:
        chosen = _selection(baseline, compared)
        shown = _ordered_names(chosen, names)
        q = data.quantiles([*(m for m, _, _ in BAND_METRICS), "total_budget"], chosen)
        years = data.years(chosen)
        cases = data.cases_by_type(chosen, year=years[-1] if years else None)
        bands = [
            fig.band_figure(q[q["metric"] == m], title, unit, shown)
            for m, title, unit in BAND_METRICS[1:]
        ]
        return _frozen(
            _key_figures(data, baseline, chosen, names),
            fig.pots_figure(data.pots(chosen), shown),
            _spending_and_budget(q, shown),
            fig.overspend_figure(data.overspend_probability(chosen), shown),
            fig.cases_by_type_figure(cases, shown),
            *bands,
        )

    @app.callback(
        Output("g-differenz", "figure"),
        Input("basis", "value"),
        Input("vergleich", "value"),
        Input("differenz-kennzahl", "value"),
    )
    def difference(baseline: str, compared: list[str] | None, metric: str) -> Any:
        return difference_view(baseline, tuple(compared or ()), metric)

    @functools.lru_cache(maxsize=VIEW_CACHE)
    def difference_view(baseline: str, compared: tuple[str, ...], metric: str) -> Any:
        chosen = _selection(baseline, compared)
        shown = _ordered_names(chosen, names)
        d = data.paired([metric], baseline, chosen)
        title, unit, better = _describe_metric(baseline, metric)
        return fig.difference_figure(
            d, f"{title}: Unterschied zu „{names.get(baseline, baseline)}“", unit, shown, better
        ).to_dict()

    @app.callback(
        Output("g-regionen", "figure"),
        Output("g-schema", "figure"),
        Output("gerechtigkeit", "children"),
        Input("basis", "value"),
        Input("vergleich", "value"),
        Input("region-kennzahl", "value"),
    )
    def regions(baseline: str, compared: list[str] | None, metric: str) -> tuple:
        return regions_view(baseline, tuple(compared or ()), metric)

    @functools.lru_cache(maxsize=VIEW_CACHE)
    def regions_view(baseline: str, compared: tuple[str, ...], metric: str) -> tuple:
        chosen = _selection(baseline, compared)
        shown = _ordered_names(chosen, names)
        title, unit = next((t, u) for m, t, u in REGION_METRICS if m == metric)
        q = data.quantiles([metric], chosen, regions=data.regions())
        equity = fig.equity_table(
            data.quantiles(["cost_per_jew"], chosen, regions=data.regions()), shown
        )
        return _frozen(
            fig.regions_figure(q, title, unit, shown),
            fig.region_schematic(q, shown, title=title, unit=unit),
            _frame_table(equity),
        )

    @app.callback(
        Output("fluss-jahr", "options"),
        Output("fluss-jahr", "value"),
        Input("fluss-szenario", "value"),
        State("fluss-jahr", "value"),
    )
    def flow_years(scenario: str, year: int | None) -> tuple:
        years = data.years([scenario])
        keep = year if year in years else (years[0] if years else None)
        return [{"label": str(y), "value": y} for y in years], keep

    @app.callback(
        Output("g-sankey", "figure"), Input("fluss-szenario", "value"), Input("fluss-jahr", "value")
    )
    @functools.lru_cache(maxsize=VIEW_CACHE)
    def flows(scenario: str, year: int | None) -> Any:
        return fig.sankey_figure(data.flows(scenario, year), data.labels).to_dict()

    @app.callback(Output("parameter", "children"), Input("t-laeufe", "selected_row_ids"))
    def params(run_ids: list[str] | None) -> str:
        # the row's id (its run id), not the table's data: the browser sends no table back
        if not run_ids:
            return "Einen Lauf auswählen, um seine Parameter zu sehen."
        return data.run_params(run_ids[0])

    @app.callback(
        Output("ww-gebunden", "value"),
        Output("ww-rb2", "value"),
        Output("ww-anreiz", "value"),
        Output("ww-trend", "value"),
        Output("ww-reaktion", "value"),
        Output("ww-wirkung", "value"),
        Input("ww-basis", "value"),
        prevent_initial_call=True,
    )
    def whatif_reset(baseline: str) -> tuple:
        if gate.problem({"ww-basis.value": baseline}):
            raise PreventUpdate  # the gate refused it already; never load a path
        s = slider_start(_scenario(baseline))
        return (
            s.bound_share,
            s.regional2_share,
            s.scheme,
            s.trend_per_year,
            s.responsiveness,
            s.project_effect,
        )

    @app.callback(
        Output("g-ww-differenz", "figure"),
        Output("g-ww-bedarf", "figure"),
        Output("g-ww-ausgaben", "figure"),
        Output("ww-status", "children"),
        Input("ww-start", "n_clicks"),
        State("ww-basis", "value"),
        State("ww-gebunden", "value"),
        State("ww-rb2", "value"),
        State("ww-anreiz", "value"),
        State("ww-trend", "value"),
        State("ww-reaktion", "value"),
        State("ww-wirkung", "value"),
        background=True,
        running=[
            (Output("ww-start", "disabled"), True, False),
            (Output("ww-abbruch", "disabled"), False, True),
        ],
        cancel=[Input("ww-abbruch", "n_clicks")],
        progress=[Output("ww-fortschritt", "value"), Output("ww-fortschritt", "max")],
        prevent_initial_call=True,
    )
    def whatif(
        set_progress: Any,
        _n: int,
        baseline: str,
        bound: float,
        r2: float,
        scheme: str,
        trend: float,
        reaction: float,
        effect: float,
    ) -> tuple:
        # Runs in a worker process of the background manager: the gate has checked
        # these values in the request already; check them here again before anything
        # is loaded (a library scenario by name, never a path).
        reason = gate.problem(
            {
                "ww-basis.value": baseline,
                "ww-anreiz.value": scheme,
                **{
                    f"{spec.ident}.value": value
                    for spec, value in zip(
                        SLIDERS, (bound, r2, trend, reaction, effect), strict=True
                    )
                },
            }
        )
        if reason:
            return no_update, no_update, no_update, refusal_text(reason)
        what = WhatIf(baseline, bound, r2, scheme, trend, reaction, effect)
        try:
            values = run_whatif(what, config, progress=lambda k, n: set_progress((str(k), str(n))))
        except ScenarioError as err:
            return no_update, no_update, no_update, f"Eingabe ungültig: {err.message}"
        d = paired_from_yearly(values, BASE_NAME)
        q = quantiles_from_yearly(values)
        ww_names = {
            BASE_NAME: f"Basis ({names.get(baseline, baseline)})",
            CHANGED_NAME: CHANGED_NAME,
        }
        total = d[d["metric"] == "total_spent"]
        summary = (
            f"Fertig: {2 * config.replicates} Läufe. Ausgaben über {config.years} Jahre: "
            f"Median der Differenz je Jahr zusammen {fmt_eur(total['median'].sum())}."
            if len(total)
            else "Fertig."
        )
        return (
            fig.difference_figure(
                total, "Ausgaben gesamt: Unterschied zur Basis", "€", ww_names, "lower"
            ),
            fig.difference_figure(
                d[d["metric"] == "unmet_need_families"],
                "Familien mit ungedecktem Bedarf",
                "Familien",
                ww_names,
                "lower",
            ),
            fig.band_figure(q[q["metric"] == "total_spent"], "Ausgaben gesamt", "EUR", ww_names),
            summary,
        )

    @app.callback(
        Output("download", "data"),
        Output("export-meldung", "children"),
        Input("export-xlsx", "n_clicks"),
        Input("export-csv", "n_clicks"),
        Input("export-html", "n_clicks"),
        Input("export-pdf", "n_clicks"),
        State("basis", "value"),
        State("vergleich", "value"),
        prevent_initial_call=True,
    )
    def export(
        _x: int, _c: int, _h: int, _p: int, baseline: str, compared: list[str] | None
    ) -> tuple:
        from dash import ctx

        chosen = _selection(baseline, compared)
        stamp = datetime.now().strftime("%Y-%m-%d")
        which = ctx.triggered_id
        if which not in ("export-xlsx", "export-csv", "export-html", "export-pdf"):
            raise PreventUpdate  # no button was pressed (a request without a trigger)
        if which in ("export-xlsx", "export-csv"):
            sheets = _shown_tables(data, baseline, chosen, names)
            if which == "export-xlsx":  # formula-safe writers: no text runs as a formula
                content = xlsx_bytes(sheets)
                return dcc.send_bytes(content, f"vergleich-{stamp}.xlsx"), "XLSX erstellt."
            content = csv_de_bytes(sheets["Werte je Jahr"])
            return dcc.send_bytes(content, f"vergleich-{stamp}.csv"), "CSV erstellt."
        try:
            page = build_briefing(
                data, baseline, chosen, store_label=data.path.name, created=datetime.now()
            )
        except BriefingError as err:
            what = "PDF" if which == "export-pdf" else "Vorlage"
            return no_update, f"{what} nicht möglich: {err}"
        if which == "export-html":
            return dcc.send_bytes(
                page.encode("utf-8"), f"vorlage-jha-{stamp}.html"
            ), "Vorlage erstellt."
        try:
            pdf = briefing_pdf(page)
        except BriefingError as err:
            return no_update, f"PDF nicht möglich: {err}"
        return dcc.send_bytes(pdf, f"vorlage-jha-{stamp}.pdf"), "PDF erstellt."


def _frozen(*parts: Any) -> tuple:
    """Outputs of a cached view: figures as plain dicts (built once, sent many times)."""
    return tuple(p.to_dict() if isinstance(p, go.Figure) else p for p in parts)


def _spending_and_budget(q: pd.DataFrame, shown: dict[str, str]) -> go.Figure:
    """Total spending (median, 50 % and 90 % bands) with each scenario's budget dashed."""
    spent = q[q["metric"] == "total_spent"]
    figure = fig.band_figure(spent, "Ausgaben gesamt und Budget", "EUR", shown)
    factor = fig.unit_scale("EUR", spent["q95"]).factor
    colours = fig.scenario_colours(shown)
    budget = q[q["metric"] == "total_budget"]
    for s, title in shown.items():
        part = budget[budget["scenario"] == s].sort_values("year")
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[int(y) for y in part["year"]],
                y=part["median"] * factor,
                mode="lines",
                line={"color": colours[s], "dash": "dash", "width": 1.5},
                name=f"Budget: {title}",
                customdata=[fmt_eur(v) for v in part["median"]],
                hovertemplate=(
                    f"<b>Budget {title}</b><br>Jahr %{{x}}: %{{customdata}}<extra></extra>"
                ),
                meta={"scenario": s, "role": "budget"},
            )
        )
    return figure


def _ordered_names(chosen: Sequence[str], names: dict[str, str]) -> dict[str, str]:
    """Display names of the chosen scenarios, baseline first (colours follow this order)."""
    return {s: names.get(s, s) for s in chosen}


def _describe_metric(baseline: str, metric: str) -> tuple[str, str, str]:
    """German title, unit and better direction of a metric (from the declared outcomes)."""
    try:
        for o in _scenario(baseline).outcomes:
            if o.metric == metric:
                return o.label, _stored_unit(metric), o.better
    except ScenarioError:
        pass
    title = next((t for m, t, _ in BAND_METRICS if m == metric), metric)
    return title, _stored_unit(metric), "lower"


def _stored_unit(metric: str) -> str:
    """The unit a metric is stored with (as in the results table)."""
    known = {m: u for m, _, u in (*BAND_METRICS, *REGION_METRICS)}
    extra = {"overspent": "ja/nein", "ended_with_need": "Fälle", "project_reach": "Familien"}
    return known.get(metric) or extra.get(metric, "")


def _key_figures(
    data: DashboardData, baseline: str, chosen: list[str], names: dict[str, str]
) -> html.Table:
    """Per scenario: spending over all years, paired difference, overspending, unmet need.

    The figures are the briefing's (:func:`dashboard.briefing.key_figures`), so the page
    and the Sitzungsvorlage always agree.
    """
    head = (
        "Szenario",
        "Ausgaben gesamt (Median)",
        "Unterschied zur Basis [90-%-Intervall]",
        "Läufe mit Überschreitung in mindestens einem Jahr",
        "Ungedeckter Bedarf (Familien, Mittel)",
    )
    rows = [html.Tr([html.Th(h) for h in head])]
    if not chosen:
        return html.Table(rows, className="tabelle")
    table = key_figures(data, baseline, chosen).table
    for r in table.itertuples(index=False):
        if r.runs == 0:
            continue
        diff = "Basis"
        if r.scenario != baseline and r.pairs:
            diff = f"{fmt_eur(r.diff_median)} [{fmt_eur(r.diff_q05)}; {fmt_eur(r.diff_q95)}]"
        rows.append(
            html.Tr(
                [
                    html.Td(names.get(r.scenario, r.scenario)),
                    html.Td(fmt_eur(r.spent_median)),
                    html.Td(diff),
                    html.Td(fmt_pct(r.overspend_share, 0)),
                    html.Td(fmt_num(r.unmet_median, 0)),
                ]
            )
        )
    return html.Table(rows, className="tabelle")


def _shown_tables(
    data: DashboardData, baseline: str, chosen: list[str], names: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The data behind the comparison page, for XLSX/CSV export."""
    metrics = [m for m, _, _ in BAND_METRICS]
    q = data.quantiles(metrics, chosen)
    q.insert(1, "titel", q["scenario"].map(names))
    d = data.paired(metrics, baseline, chosen)
    pots = data.pots(chosen)
    over = data.overspend_probability(chosen)
    return {
        "Werte je Jahr": q.rename(
            columns={
                "titel": "Titel",
                "median": "Median",
                "q05": "5-%-Quantil",
                "q25": "25-%-Quantil",
                "q75": "75-%-Quantil",
                "q95": "95-%-Quantil",
                "runs": "Läufe",
            }
        ),
        "Differenz zur Basis": d.rename(
            columns={
                "median": "Median",
                "q05": "5-%-Quantil",
                "q25": "25-%-Quantil",
                "q75": "75-%-Quantil",
                "q95": "95-%-Quantil",
                "pairs": "Paare",
            }
        ),
        "Töpfe": pots.rename(
            columns={"label": "Bezeichnung", "budget": "Budget EUR", "spent": "Ausgaben EUR"}
        ),
        "Überschreitung": over.rename(
            columns={"runs": "Läufe", "probability": "Wahrscheinlichkeit"}
        ),
    }


def _frame_table(frame: pd.DataFrame) -> html.Table:
    head = html.Tr([html.Th(c) for c in frame.columns])
    body = [html.Tr([html.Td(str(v)) for v in row]) for row in frame.itertuples(index=False)]
    return html.Table([head, *body], className="tabelle")


__all__ = ["MAX_COMPARED", "create_app", "scenario_names"]
