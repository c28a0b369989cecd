"""Component ids of the dashboard, in one place, by page.

Every id a layout gives a component and every id a callback names comes from here,
so a page can never wire a callback to another page's component by a typing error,
and :func:`all_ids` lets a test check that no two components share an id. Each page
has its namespace (the shell, :class:`Comparison`, :class:`Regions`, :class:`Flows`,
:class:`WhatIf`, :class:`Decision`, :class:`Runs`); the ids of a page's own components
carry the page's prefix where one was given when the page was built (``ww-`` for the
what-if page, ``ent-`` for the decision page,
``fluss-`` for the money flows, ``region-`` for the regions, ``t-`` for tables,
``g-`` for charts, ``export-`` for the downloads).

The id texts are kept as they were before the pages were split: a chart's PNG
download is named after its id (``g-gesamt.png``), and the request checks
(:mod:`dashboard.guard`) and browser tests address components by these ids.
"""

from __future__ import annotations


class Shell:
    """The page frame: tabs and the shared selection of scenarios."""

    TABS = "seite"
    """The tabs (``dcc.Tabs``)."""
    BASELINE = "basis"
    """Dropdown of the baseline scenario (shared by every page that compares)."""
    COMPARED = "vergleich"
    """Dropdown of the scenarios compared with the baseline (shared)."""
    CALIBRATION = "kalibrierung-hinweis"
    """Warnings of a stale calibration (or one of unknown freshness) of the selection."""


class Comparison:
    """Tab *Vergleich*: key figures, charts per year, exports."""

    TAB = "vergleich"
    KEY_FIGURES = "kennzahlen"
    POTS = "g-toepfe"
    TOTAL = "g-gesamt"
    OVERSPEND = "g-ueberschreitung"
    DIFFERENCE = "g-differenz"
    DIFFERENCE_METRIC = "differenz-kennzahl"
    HELP_TYPES = "g-hilfearten"
    EXPORT_XLSX = "export-xlsx"
    EXPORT_CSV = "export-csv"
    EXPORT_HTML = "export-html"
    EXPORT_PDF = "export-pdf"
    DOWNLOAD = "download"
    EXPORT_NOTICE = "export-meldung"

    @staticmethod
    def band(metric: str) -> str:
        """The id of the per-year chart of a metric (``g-escalations``)."""
        return f"g-{metric}"


class Regions:
    """Tab *Regionen*: a metric per region, schematic map, equity."""

    TAB = "regionen"
    METRIC = "region-kennzahl"
    BY_REGION = "g-regionen"
    SCHEMATIC = "g-schema"
    EQUITY = "gerechtigkeit"


class Flows:
    """Tab *Geldflüsse*: the Sankey diagram of one scenario and year."""

    TAB = "geldfluesse"
    SCENARIO = "fluss-szenario"
    YEAR = "fluss-jahr"
    SANKEY = "g-sankey"


class WhatIf:
    """Tab *Was-wäre-wenn*: sliders, a live batch in the background, three charts."""

    TAB = "waswaerewenn"
    BASELINE = "ww-basis"
    BOUND = "ww-gebunden"
    REGIONAL2 = "ww-rb2"
    SCHEME = "ww-anreiz"
    SCHEME_NOTE = "ww-anreiz-text"
    TREND = "ww-trend"
    RESPONSIVENESS = "ww-reaktion"
    PROJECT_EFFECT = "ww-wirkung"
    GROUP_SHARE = "ww-gruppen"
    START = "ww-start"
    CANCEL = "ww-abbruch"
    PROGRESS = "ww-fortschritt"
    STATUS = "ww-status"
    NOTE = "ww-hinweis"
    DIFFERENCE = "g-ww-differenz"
    NEED = "g-ww-bedarf"
    SPENDING = "g-ww-ausgaben"


class Decision:
    """Tab *Entscheidung*: sensitivity ranking, PRIM boxes, Pareto front of a search."""

    TAB = "entscheidung"
    SENSITIVITY = "ent-sensitivitaet"
    SENSITIVITY_OUTCOME = "ent-sensitivitaet-groesse"
    SENSITIVITY_FIGURE = "g-sensitivitaet"
    SENSITIVITY_NOTE = "ent-sensitivitaet-text"
    DISCOVERY = "ent-prim"
    BOXES = "ent-prim-boxen"
    SEARCH = "ent-suche"
    PARETO_X = "ent-pareto-x"
    PARETO_Y = "ent-pareto-y"
    PARETO_FIGURE = "g-pareto"
    CANDIDATE = "ent-kandidat"
    YAML = "ent-kandidat-yaml"
    DOWNLOAD = "ent-download"


class Runs:
    """Tab *Läufe*: batches, runs and the parameters of the selected run."""

    TAB = "laeufe"
    BATCHES = "t-batches"
    RUNS = "t-laeufe"
    PARAMETERS = "parameter"


PAGES: tuple[type, ...] = (Shell, Comparison, Regions, Flows, WhatIf, Decision, Runs)
"""Every namespace of ids."""


def prop(ident: str, name: str) -> str:
    """``"id.property"``: how the request checks name a component property."""
    return f"{ident}.{name}"


def all_ids() -> dict[str, list[str]]:
    """Every fixed id → the namespaces (``Page.NAME``) that declare it.

    A correct table has exactly one entry per id (tabs' values are not component
    ids and are left out).
    """
    out: dict[str, list[str]] = {}
    for page in PAGES:
        for name, value in vars(page).items():
            if name.isupper() and name != "TAB" and isinstance(value, str):
                out.setdefault(value, []).append(f"{page.__name__}.{name}")
    return out


__all__ = [
    "PAGES",
    "Comparison",
    "Decision",
    "Flows",
    "Regions",
    "Runs",
    "Shell",
    "WhatIf",
    "all_ids",
    "prop",
]
