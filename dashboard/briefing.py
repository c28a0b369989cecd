"""A briefing for the Jugendhilfeausschuss: a self-contained HTML Sitzungsvorlage and its PDF.

:func:`build_briefing` compares a baseline with other scenarios of a results store
in the style of an Informationsvorlage of two pages (three for five scenarios):
Betreff, Sachverhalt with the scenarios and the key results, a table of key figures
with their intervals, three charts, the assumptions, the notes (*Hinweise*) and the
provenance of the numbers. The document is one HTML string with inline CSS (A4 print
rules) and the charts as embedded SVG images (data URIs), so it needs no network, no
files and no JavaScript to be read or printed.

Printed in black and white, every scenario stays recognisable: it has a letter
(A = the baseline, B, C …) written at the end of its line in every chart, its own
line dash and marker (the styles the dashboard uses, :func:`dashboard.context.store_styles`),
and the list of scenarios shows each letter with a sample of its line.

*Unsichere Annahmen* and *Hinweise* are lists of any length
(:func:`uncertainty_items`, :func:`note_items`): a new caveat is one more item.

:func:`briefing_pdf` prints that HTML with headless Chromium (:mod:`dashboard.printing`);
the section *Annahmen* is made of :mod:`dashboard.assumptions`, the HTML parts of
:mod:`dashboard.document`. Errors users can meet (no Chromium, a hanging or failing
Chromium, an unknown scenario) raise :class:`BriefingError` with a German message and
no technical detail. The dashboard's download buttons and ``sozialraum vorlage`` make
the same document with these functions.

Key figures per scenario are computed per run first and then summarised over runs:
spending is summed over the years, unmet need and the share of stationary help
averaged over the years, the use of regional budget 2 is the run's spending from it
over its budget, a run counts as overspending when any of its years is overspent,
provider exits are summed (:func:`results.over_years`). Differences to the baseline
pair runs on (sweep point, seed) as everywhere (:func:`results.paired_quantiles`).
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from calibration.freshness import calibration_warnings
from dashboard.analyses import (
    baseline_of,
    dominance_text,
    latest,
    lever_labels,
    lever_texts,
    objective_text,
)
from dashboard.assumptions import (
    format_quantity,
    lever_differences,
    load_named,
    other_differences,
    uncertainty_rows,
)
from dashboard.context import store_styles
from dashboard.data import TOTAL, DashboardData
from dashboard.document import CSS
from dashboard.document import Html as _Html
from dashboard.document import direction as _direction
from dashboard.document import escape as _e
from dashboard.document import html_table as _table
from dashboard.document import interval as _interval
from dashboard.document import item_list as _list
from dashboard.document import line_sample as _line_sample
from dashboard.document import signed_eur as _signed_eur
from dashboard.document import signed_num as _signed_num
from dashboard.document import svg_img as _svg_img
from dashboard.figures import (
    LABEL_ANNOTATION,
    TEXT_COLOUR,
    ExportError,
    ScenarioStyle,
    band_figure,
    difference_figure,
    label_line_ends,
    render_images,
)
from dashboard.printing import (
    CHROMIUM_ENV,
    BriefingError,
    briefing_pdf,
    find_chromium,
    pdf_page_count,
)
from experiments import MEASURES, OBJECTIVES
from results import (
    MEASURE_LABELS,
    SCHEME_LABELS,
    metric_title,
    over_years,
    paired_quantiles,
    scheme_notes,
    stored_unit,
)
from scenarios import Scenario, ScenarioError, fmt_eur, fmt_num, fmt_pct, read_calibration_data

CHART_SIZE = (300, 250)
"""Width and height (CSS pixels) of each of the three charts, drawn side by side across
the page (each printed about 5.7 cm wide, its text at about 7 pt)."""

BAND_ALPHA = (0.07, 0.15)
"""Opacity of the 90 % and 50 % bands in print: light enough that the lines stay
readable where the bands of several scenarios overlap in black and white."""

KEY_METRICS: dict[str, str] = {
    "total_spent": "sum",
    "unmet_need_families": "mean",
    "stationary_share": "mean",
    "spent_regional_2": "sum",
    "budget_regional_2": "sum",
    "overspent": "max",
    "provider_exits": "sum",
}
"""Metrics of the key figures → how a run's years form one figure (:func:`results.over_years`)."""

LETTERS = string.ascii_uppercase
"""Letters of the compared scenarios in the document: A is the baseline."""

# =========================================================================== numbers


def _seed_ranges(seeds: Iterable[int]) -> str:
    """``[1, 2, 3, 5]`` → ``1–3, 5``."""
    values = sorted({int(s) for s in seeds})
    parts: list[str] = []
    start = prev = None
    for s in values:
        if start is None:
            start = prev = s
        elif s == prev + 1:
            prev = s
        else:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = prev = s
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}–{prev}")
    return ", ".join(parts)


def _years_text(years: Sequence[int]) -> str:
    if not years:
        return "–"
    return str(years[0]) if len(years) == 1 else f"{years[0]} bis {years[-1]}"


def _pct_or_dash(x: float, decimals: int = 0) -> str:
    return "–" if x is None or not math.isfinite(x) else fmt_pct(x, decimals)


# =========================================================================== figures


@dataclass(frozen=True)
class KeyFigures:
    """Key figures of the compared scenarios.

    Attributes:
        table: Per scenario (rows in comparison order): ``spent_median``,
            ``spent_q05``, ``spent_q95`` (EUR over all years), ``diff_median``,
            ``diff_q05``, ``diff_q95`` (paired difference of spending to the
            baseline; NaN for the baseline), ``unmet_median`` (families, mean over
            the years), ``unmet_diff_median``, ``unmet_diff_q05``,
            ``unmet_diff_q95``, ``stationary_median`` (share of stationary help,
            mean over the years), ``rb2_use_median`` (spending from regional budget
            2 over its budget, all years; NaN without such a budget),
            ``overspend_share`` (share of runs with at least one overspent year),
            ``exits_mean`` (provider exits per run), ``runs``, ``pairs``.
        years: The years covered.
    """

    table: pd.DataFrame
    years: list[int]


def key_figures(data: DashboardData, baseline: str, scenarios: Sequence[str]) -> KeyFigures:
    """Compute the key figures of the briefing from the runs.

    Args:
        data: The store.
        baseline: The baseline scenario.
        scenarios: The compared scenarios (the baseline first or anywhere).

    Returns:
        The key figures; see :class:`KeyFigures`.
    """
    compared = [baseline, *[s for s in scenarios if s != baseline]]
    years = data.years(compared)
    raw = data.yearly(list(KEY_METRICS), compared, (TOTAL,))
    per_run = over_years(raw, KEY_METRICS)
    diffs = paired_quantiles(per_run, baseline)
    rows = []
    for s in compared:
        mine = per_run[per_run["scenario"] == s]

        def col(metric: str, mine: pd.DataFrame = mine) -> pd.Series:
            return mine.loc[mine["metric"] == metric].set_index(["point_id", "seed"])["value"]

        spent = col("total_spent")
        rb2_budget = col("budget_regional_2")
        rb2_use = (col("spent_regional_2") / rb2_budget[rb2_budget > 0]).dropna()
        row: dict[str, Any] = {
            "scenario": s,
            "runs": len(spent),
            "spent_median": float(spent.median()) if len(spent) else math.nan,
            "spent_q05": float(spent.quantile(0.05)) if len(spent) else math.nan,
            "spent_q95": float(spent.quantile(0.95)) if len(spent) else math.nan,
            "unmet_median": float(col("unmet_need_families").median()),
            "stationary_median": float(col("stationary_share").median()),
            "rb2_use_median": float(rb2_use.median()) if len(rb2_use) else math.nan,
            "overspend_share": float(col("overspent").mean()),
            "exits_mean": float(col("provider_exits").mean()),
        }
        for prefix, metric in (("diff", "total_spent"), ("unmet_diff", "unmet_need_families")):
            d = diffs[(diffs["scenario"] == s) & (diffs["metric"] == metric)]
            for q in ("median", "q05", "q95"):
                row[f"{prefix}_{q}"] = float(d[q].iloc[0]) if len(d) else math.nan
            if prefix == "diff":
                row["pairs"] = int(d["pairs"].iloc[0]) if len(d) else 0
        rows.append(row)
    return KeyFigures(pd.DataFrame(rows), years)


@dataclass(frozen=True)
class BriefingContext:
    """Everything the sections of the briefing share.

    Attributes:
        baseline: The baseline scenario.
        compared: The baseline, then the other scenarios, in document order.
        catalogue: The store's scenarios (:meth:`DashboardData.scenarios`) by name.
        loaded: The library scenario of each compared name (None: not in the library).
        names: Display title of each scenario.
        styles: Colour, dash and marker of each scenario.
        letters: Letter of each scenario (A = baseline).
        kf: The key figures.
        runs: The finished runs of the compared scenarios.
    """

    baseline: str
    compared: list[str]
    catalogue: pd.DataFrame
    loaded: dict[str, Scenario | None]
    names: dict[str, str]
    styles: dict[str, ScenarioStyle]
    letters: dict[str, str]
    kf: KeyFigures
    runs: pd.DataFrame

    @property
    def others(self) -> list[str]:
        """The compared scenarios without the baseline."""
        return self.compared[1:]

    @property
    def info(self) -> pd.DataFrame:
        """Catalogue rows of the compared scenarios."""
        return self.catalogue.loc[self.compared]

    @property
    def n_years(self) -> int:
        """Number of years compared."""
        return len(self.kf.years)

    @property
    def years_word(self) -> str:
        """``Jahr`` or ``Jahre``."""
        return "Jahr" if self.n_years == 1 else "Jahre"

    def tag(self, s: str) -> str:
        """Letter with line sample of a scenario (HTML)."""
        st = self.styles[s]
        return (
            _line_sample(st.colour, st.dash, st.symbol, f"Linie von {self.names[s]}")
            + f'<span class="kuerzel">{_e(self.letters[s])}</span>'
        )


def _context(
    data: DashboardData,
    baseline: str,
    scenarios: Sequence[str],
    styles: Mapping[str, ScenarioStyle] | None,
) -> BriefingContext:
    compared = [baseline, *[s for s in dict.fromkeys(scenarios) if s != baseline]]
    catalogue = data.scenarios().set_index("scenario")
    missing = [s for s in compared if s not in catalogue.index]
    if missing:
        raise BriefingError(
            "Für diese Szenarien gibt es im Ergebnisspeicher keine abgeschlossenen Läufe: "
            + ", ".join(missing)
        )
    loaded = {s: load_named(s) for s in compared}
    names = {s: (sc.title if sc and sc.title else s) for s, sc in loaded.items()}
    fixed = dict(styles) if styles is not None else store_styles(data, list(catalogue.index))
    runs = data.runs()
    return BriefingContext(
        baseline=baseline,
        compared=compared,
        catalogue=catalogue,
        loaded=loaded,
        names=names,
        styles={s: fixed[s] for s in compared},
        letters={s: LETTERS[i % len(LETTERS)] for i, s in enumerate(compared)},
        kf=key_figures(data, baseline, compared),
        runs=runs[(runs["status"] == "done") & runs["scenario"].isin(compared)],
    )


def _for_print(fig: go.Figure, height: int, letters: Mapping[str, str]) -> go.Figure:
    """No title, legend or notes (the captions say it); the direct labels stay."""
    fig.update_layout(
        title=None,
        height=height,
        showlegend=False,
        margin={"t": 14, "b": 24, "l": 58, "r": 8},
        font={"size": 13},
    )
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name == LABEL_ANNOTATION]
    fig.update_xaxes(title_text=None)
    fig.update_yaxes(automargin=True, title_standoff=4)
    if any((t.meta or {}).get("role") == "band90" for t in fig.data):
        label_line_ends(fig, letters)  # placed anew for the print margins
    for label in fig.layout.annotations:  # dark letters: readable in black and white
        label.font.color = TEXT_COLOUR
    return fig


def chart_figures(data: DashboardData, ctx: BriefingContext) -> list[go.Figure]:
    """The three charts as printed: spending bands, paired differences, unmet need bands.

    Each scenario has its fixed colour, dash and marker and its letter at the end of
    its line (or above its last interval); the figures have no title, legend or
    notes (the captions carry them).
    """
    compared, names, styles, letters = ctx.compared, ctx.names, ctx.styles, ctx.letters
    height = CHART_SIZE[1]
    bands = [
        band_figure(
            data.quantiles([metric], compared),
            metric_title(metric),
            stored_unit(metric),
            names,
            styles=styles,
            labels=letters,
            band_alpha=BAND_ALPHA,
            height=height,
        )
        for metric in ("total_spent", "unmet_need_families")
    ]
    difference = difference_figure(
        data.paired(["total_spent"], ctx.baseline, compared),
        "Ausgaben gesamt: Differenz zur Basis",
        "EUR",
        names,
        "lower",
        styles=styles,
        labels=letters,
    )
    return [_for_print(f, height, letters) for f in (bands[0], difference, bands[1])]


def _charts(data: DashboardData, ctx: BriefingContext) -> list[bytes]:
    """The three charts as SVG (:func:`chart_figures`)."""
    try:
        return render_images([(f, *CHART_SIZE) for f in chart_figures(data, ctx)], "svg")
    except ExportError as exc:
        raise BriefingError(
            "Die Grafiken der Vorlage konnten nicht erzeugt werden (Chromium für den "
            "Bildexport fehlt oder startet nicht)."
        ) from exc


def briefing_context(
    data: DashboardData,
    baseline: str,
    scenarios: Sequence[str],
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> BriefingContext:
    """What the sections of a briefing share (see :func:`build_briefing` for the arguments).

    Raises:
        BriefingError: If a scenario has no finished runs in the store.
    """
    return _context(data, baseline, scenarios, styles)


# =========================================================================== sections


def _betreff(ctx: BriefingContext) -> str:
    base_title = ctx.names[ctx.baseline]
    n = len(ctx.others)
    if not n:
        return f"Modellrechnung Sozialraumbudget: „{base_title}“"
    return (
        f"Modellvergleich Sozialraumbudget: {n} {'Variante' if n == 1 else 'Varianten'} "
        f"im Vergleich zur Basis „{base_title}“"
    )


def _head(ctx: BriefingContext, created: datetime) -> str:
    return (
        '<div class="kopf"><div><strong>Informationsvorlage</strong><br>'
        "Jugendhilfeausschuss – zur Kenntnisnahme</div>"
        f"<table><tr><td>Datum:</td><td>{_e(created.strftime('%d.%m.%Y'))}</td></tr>"
        "<tr><td>Grundlage:</td><td>Simulationsmodell sozialraum-sim</td></tr></table></div>"
        f"<h1>Betreff: {_e(_betreff(ctx))}</h1>"
        "<p><strong>Beschlussvorschlag:</strong> Der Jugendhilfeausschuss nimmt den "
        "Modellvergleich zur Kenntnis.</p>"
    )


def _sachverhalt(ctx: BriefingContext) -> str:
    info, names = ctx.info, ctx.names
    runs_per, seeds_per = info["runs"].astype(int), info["seeds"].astype(int)
    points_per = info["points"].astype(int)
    run_text = (
        f"je Szenario {fmt_num(int(runs_per.iloc[0]))} Simulationsläufe"
        if runs_per.nunique() == 1
        else f"je Szenario {fmt_num(int(runs_per.min()))} bis {fmt_num(int(runs_per.max()))} "
        "Simulationsläufe"
    )
    seed_text = (
        f"{fmt_num(int(seeds_per.max()))} Zufallsfolgen (Seeds)"
        if seeds_per.nunique() == 1
        else f"{fmt_num(int(seeds_per.min()))} bis {fmt_num(int(seeds_per.max()))} Seeds"
    )
    point_text = (
        f", an {fmt_num(int(points_per.max()))} Stichprobenpunkten der unsicheren Annahmen"
        if points_per.max() > 1
        else ""
    )
    legend = "".join(
        f"<tr><td>{ctx.tag(s)}</td><td><strong>{_e(names[s])}</strong>"
        f"{' (Basis)' if s == ctx.baseline else ''}"
        f'<span class="beschreibung">{_e(ctx.catalogue.loc[s, "description"])}</span></td></tr>'
        for s in ctx.compared
    )
    parts = [
        "<h2>Sachverhalt</h2>",
        f"<p>Mit dem Simulationsmodell wurden {len(ctx.compared)} Szenarien über die Jahre "
        f"{_e(_years_text(ctx.kf.years))} ({ctx.n_years} {ctx.years_word}) verglichen, "
        f"{run_text} ({seed_text}{point_text}). Läufe mit demselben Seed teilen ihre "
        "Zufallszahlen (dieselben Familien und Ereignisse); Unterschiede zur Basis werden "
        "deshalb je Laufpaar berechnet. Angegeben sind Mediane über die Läufe und "
        "90-%-Intervalle (5. bis 95. Perzentil). Buchstabe und Linie stehen in Tabelle und "
        "Abbildungen für dasselbe Szenario:</p>",
        f'<table class="legende">{legend}</table>',
    ]
    table = ctx.kf.table.set_index("scenario")
    bullets = []
    for s in ctx.others:
        r = table.loc[s]
        more = "mehr" if r["diff_median"] > 0 else "weniger"
        unmet = "mehr" if r["unmet_diff_median"] > 0 else "weniger"
        spend_iv = _interval(r["diff_q05"], r["diff_q95"], _signed_eur)
        unmet_iv = _interval(r["unmet_diff_q05"], r["unmet_diff_q95"], lambda x: _signed_num(x, 1))
        bullets.append(
            f"<strong>{_e(ctx.letters[s])} – {_e(names[s])}</strong>: über {ctx.n_years} "
            f"{ctx.years_word} im Median {_e(fmt_eur(abs(r['diff_median'])))} {more} "
            f"Ausgaben als die Basis (90 % der Laufpaare: {_e(spend_iv)}). "
            f"{_e(_direction(r['diff_q05'], r['diff_q95']))} Familien mit ungedecktem "
            f"Bedarf: im Jahresmittel {_e(fmt_num(abs(r['unmet_diff_median']), 1))} "
            f"{unmet} (90 %: {_e(unmet_iv)})."
        )
    if bullets:
        parts.append("<p><strong>Ergebnis in Kürze:</strong></p>" + _list(bullets))
    return "\n".join(parts)


def _kennzahlen(ctx: BriefingContext) -> str:
    table = ctx.kf.table.set_index("scenario")
    head = [
        "Szenario",
        f"Ausgaben {_years_text(ctx.kf.years)} (Median; 90 %)",
        "Differenz zur Basis (Median; 90 %)",
        "Regional­budget 2 genutzt",
        "Ungedeckter Bedarf (Familien)",
        "Anteil stationär",
        "Läufe mit Über­schreitung",
        "Markt­austritte (je Lauf)",
    ]
    rows = []
    for s in ctx.compared:
        r = table.loc[s]
        spent = _Html(
            f'{_e(fmt_eur(r["spent_median"]))}<span class="iv">'
            f"{_e(_interval(r['spent_q05'], r['spent_q95'], fmt_eur))}</span>"
        )
        diff: str | _Html = (
            "Basis"
            if s == ctx.baseline
            else _Html(
                f'{_e(_signed_eur(r["diff_median"]))}<span class="iv">'
                f"{_e(_interval(r['diff_q05'], r['diff_q95'], _signed_eur))}</span>"
            )
        )
        rows.append(
            [
                _Html(ctx.tag(s)),
                spent,
                diff,
                _pct_or_dash(r["rb2_use_median"]),
                fmt_num(r["unmet_median"], 1),
                _pct_or_dash(r["stationary_median"], 1),
                fmt_pct(r["overspend_share"], 0),
                fmt_num(r["exits_mean"], 1),
            ]
        )
    return (
        "<h2>Kennzahlen</h2>"
        + _table(head, rows, numeric=(1, 2, 3, 4, 5, 6, 7), css="daten kennzahlen")
        + '<p class="klein">Ausgaben: Summe der Jahre je Lauf; Differenz: je Laufpaar mit '
        "gleichem Seed (Szenario minus Basis); Regionalbudget 2 genutzt: Ausgaben daraus über "
        "sein Budget (–: keines); ungedeckter Bedarf (Familien mit Bedarf über der "
        "Anspruchsschwelle ohne laufende Hilfe) und Anteil stationärer Hilfen: Mittel der "
        "Jahre; Überschreitung: Anteil der Läufe mit mindestens einem Jahr über dem "
        "Gesamtbudget; Marktaustritte von Trägern: Mittel je Lauf.</p>"
    )


def _abbildungen(ctx: BriefingContext, images: Sequence[bytes]) -> str:
    base = ctx.letters[ctx.baseline]
    captions = [
        "Abbildung 1: Ausgaben gesamt je Jahr. Linie: Median der Läufe (Buchstabe am "
        "Linienende); Bänder: mittlere 50 % und 90 % der Läufe.",
        f"Abbildung 2: Ausgaben gesamt, Differenz zur Basis {base} je Jahr und Laufpaar. "
        "Punkt: Median; Balken: mittlere 50 % (dick) und 90 % (dünn) der Laufpaare; unter "
        "null: geringer als die Basis.",
        "Abbildung 3: Familien mit ungedecktem Bedarf (Jahresmittel). Linie: Median; "
        "Bänder: 50 % und 90 % der Läufe. Niedriger ist besser.",
    ]
    figures = "".join(
        f"<figure>{_svg_img(img, caption)}<figcaption>{_e(caption)}</figcaption></figure>"
        for img, caption in zip(images, captions, strict=True)
    )
    return f'<h2>Abbildungen</h2><div class="abb-reihe">{figures}</div>'


DECISION_ROWS = 3
"""Assumptions and Pareto candidates the briefing lists (the rest: dashboard, export)."""


def _sensitivity_part(data: DashboardData, row: Any) -> str:
    """The ranked assumptions of the newest sensitivity analysis (spending first)."""
    settings, result = row["settings"], row["result"] or {}
    outcomes = result.get("outcomes", {})
    metric = "total_spent" if "total_spent" in outcomes else next(iter(outcomes), None)
    if metric is None:
        return ""
    method = settings.get("method", "sobol")
    lead, second = MEASURES[method]
    indices = data.sensitivity_indices(str(row["analysis_id"]))
    indices = indices[indices["outcome"] == metric]
    order = indices[indices["measure"] == lead].sort_values("value", ascending=False)
    info = outcomes[metric]
    base = baseline_of(row)
    diff = base is not None
    what = (
        f"der gepaarten Differenz {row['scenario']} − {base}"
        if diff
        else (f"von {row['scenario']}")
    )

    def cell(path: str, measure: str) -> str:
        hit = indices[(indices["parameter"] == path) & (indices["measure"] == measure)]
        if hit.empty:
            return "–"
        value, conf = float(hit["value"].iloc[0]), float(hit["conf"].iloc[0])
        if method == "sobol":
            return f"{fmt_num(value, 2)} ± {fmt_num(conf, 2)}"
        return fmt_eur(value) if info.get("unit") == "EUR" else fmt_num(value, 1)

    rows = [
        [str(r.label), cell(r.parameter, lead), cell(r.parameter, second)]
        for r in order.head(DECISION_ROWS).itertuples()
    ]
    size = (
        f"{fmt_num(settings.get('points', 0))} Punkte × {runs_word(settings.get('replicates', 1))}"
    )
    if info.get("sd", 0) == 0 or not rows:
        return f"<p>{_e(info['label'])}: keine Streuung über die Stichprobe ({_e(size)}).</p>"
    rest = len(order) - len(rows)
    return (
        f"<p>{'Sobol' if method == 'sobol' else 'Morris'}-Analyse {_e(what)} für "
        f"„{_e(info['label'])}“ ({_e(size)}, alle erklärten Unsicherheiten zugleich "
        "variiert): die Annahmen, die die Streuung am meisten erklären.</p>"
        + _table(
            ["Annahme", MEASURE_LABELS[lead], MEASURE_LABELS[second]], rows, (1, 2), css="daten"
        )
        + (
            f'<p class="klein">Die übrigen {rest} Annahmen erklären weniger; alle stehen im '
            f"Dashboard (Entscheidung) und im Export. {MEASURE_LABELS[lead]} nahe 0: die "
            "Annahme kann in ihrer Spanne beliebig sein, ohne das Ergebnis zu ändern.</p>"
            if rest > 0
            else ""
        )
    )


def runs_word(n: Any) -> str:
    """``1 Lauf``, ``4 Läufe``.

    >>> runs_word(1), runs_word(4)
    ('1 Lauf', '4 Läufe')
    """
    return f"{n} {'Lauf' if n == 1 else 'Läufe'}"


def _discovery_part(row: Any) -> str:
    """The first PRIM box of the newest discovery, as a sentence."""
    result = row["result"] or {}
    boxes = result.get("boxes", [])
    if not boxes:
        return (
            f"<p>Szenarioentdeckung (PRIM, {result.get('n_points', 0)} Punkte): keine Box von "
            f"Annahmen gefunden; {result.get('n_cases', 0)} Punkte sind Fälle "
            f"({_e(result.get('case', ''))}).</p>"
        )
    box = boxes[0]
    return (
        f"<p>Szenarioentdeckung (PRIM, {result.get('n_points', 0)} Punkte): "
        f"{_e(str(box.get('sentence', '')))}</p>"
    )


def _search_part(row: Any, compared: Sequence[str]) -> str:
    """The Pareto front of the newest search and where the shipped variants lie."""
    result = row["result"] or {}
    names = [n for n in result.get("objectives", []) if n in OBJECTIVES][:3]
    front = sorted(result.get("front", []), key=lambda c: c["objectives"].get(names[0], 0.0))
    if not front or not names:
        return ""
    labels = lever_labels(str(row["scenario"]))
    shown = (
        front
        if len(front) <= DECISION_ROWS + 1
        else [front[round(k * (len(front) - 1) / DECISION_ROWS)] for k in range(DECISION_ROWS + 1)]
    )
    rows = [
        [
            str(c["kandidat"]),
            "; ".join(lever_texts(c["levers"], labels)),
            *[objective_text(n, c["objectives"][n]) for n in names],
        ]
        for c in shown
    ]
    variants = [v for v in result.get("variants", []) if v.get("scenario") in compared] or list(
        result.get("variants", [])
    )
    where = "; ".join(f"{v['scenario']}: {dominance_text(v)}" for v in variants)
    settings = row["settings"]
    choice = (
        "die Tabelle zeigt eine Auswahl von den günstigsten bis zu den teuersten"
        if len(front) > len(shown)
        else "alle stehen in der Tabelle"
    )
    return (
        f"<p>Suche (NSGA-II) über die Hebel von {_e(str(row['scenario']))}: "
        f"{settings.get('generations')} Generationen × {settings.get('population')} Aufteilungen, "
        f"jede über dieselben {settings.get('samples')} Annahmenpunkte × "
        f"{runs_word(settings.get('replicates'))} gerechnet. {len(front)} Aufteilungen sind "
        "nicht dominiert (Pareto-Front: keine andere ist in allen Zielen zugleich besser); "
        f"{choice}.</p>"
        + _table(
            ["Nr.", "Aufteilung", *[OBJECTIVES[n].label for n in names]],
            rows,
            tuple(range(2, 2 + len(names))),
            css="daten",
        )
        + (f'<p class="klein">Mitgelieferte Varianten: {_e(where)}.</p>' if where else "")
    )


def _entscheidung(data: DashboardData, ctx: BriefingContext) -> str:
    """The sections *Welche Annahmen entscheiden?* and *Welche Aufteilungen sind am besten?*.

    From the newest stored analyses about the compared scenarios (sensitivity and
    discovery of a variant against the baseline, a search over one of them); a
    section without such an analysis is left out.
    """
    analyses = data.analyses()
    parts = []
    sens = latest(analyses, "sensitivity", ctx.others, ctx.baseline)
    disc = latest(analyses, "discover", ctx.others, ctx.baseline)
    if sens is not None or disc is not None:
        parts.append("<h2>Welche Annahmen entscheiden?</h2>")
        if sens is not None:
            parts.append(_sensitivity_part(data, sens))
        if disc is not None:
            parts.append(_discovery_part(disc))
    search = latest(analyses, "optimise", ctx.compared)
    if search is not None:
        part = _search_part(search, ctx.compared)
        if part:
            parts.append("<h2>Welche Aufteilungen sind am besten?</h2>" + part)
    return "".join(parts)


def uncertainty_items(ctx: BriefingContext) -> list[str]:
    """The list *Unsichere Annahmen*: one HTML item per reason given.

    Each item names the assumptions, each with its distribution and range, and the
    reason given for them: assumptions with the same reason (the effect of each help
    type, say) share one item, in the order of their first appearance, so that the
    Sitzungsvorlage states a reason once. Further uncertainties are further items.
    """
    by_reason: dict[str, list[str]] = {}
    for r in uncertainty_rows(ctx.loaded):
        named = f"<strong>{_e(r['label'])}</strong> ({_e(r['spread'])})"
        by_reason.setdefault(r["reason"], []).append(named)
    return [f"{'; '.join(named)}: {_e(reason)}" for reason, named in by_reason.items()]


def _calibration_targets(sc: Scenario) -> tuple[int, int] | None:
    """(fitted, held-out) targets of the scenario's calibration file, or None if unknown."""
    ref = sc.doc.get("calibration")
    if not isinstance(ref, Mapping) or not ref.get("file"):
        return None
    try:  # resolved as the loader does: relative to the scenario file
        raw = read_calibration_data(sc.path.parent / str(ref["file"]))
    except (ScenarioError, OSError):
        return None
    fit, held = raw.get("fit_targets"), raw.get("holdout_targets")
    if not isinstance(fit, list) or not isinstance(held, list):
        return None
    return len(fit), len(held)


def _calibration_paragraph(calibrated: list[Scenario]) -> str:
    """What the calibration contributes to the runs and what it leaves open, in German."""
    files = sorted(
        {str(sc.doc.get("calibration", {}).get("file", "")).rsplit("/", 1)[-1] for sc in calibrated}
    )
    paths = sorted({p for sc in calibrated for p in sc.calibrated_paths})
    draws = max(len(sc.calibration_draws) for sc in calibrated)
    targets = next((t for t in map(_calibration_targets, calibrated) if t is not None), None)
    fitted = f"{fmt_num(targets[0])} öffentliche Zielgrößen" if targets else "öffentliche Zahlen"
    held = (
        f" {fmt_num(targets[1])} weitere Zielgrößen sind nur zur Prüfung zurückgehalten; "
        "welche das Modell verfehlt, zeigt der Kalibrierungsbericht (docs/ODD.md, Abschnitt 9)."
        if targets and targets[1]
        else ""
    )
    return (
        "<p><strong>Kalibrierte Parameter.</strong> "
        f"{fmt_num(len(paths))} Verhaltensparameter ohne Messwert (Belastung der Familien, "
        f"Bekanntwerden von Bedarf, Beratung, Wahl der Hilfeart) sind mit ABC-SMC an {fitted} "
        f"angepasst ({_e(', '.join(files))}, {fmt_num(draws)} Ziehungen; jede Wiederholung "
        "rechnet mit einer anderen, alle Szenarien mit derselben, die Intervalle enthalten "
        f"diese Unsicherheit).{_e(held)} Nicht kalibriert sind alle übrigen Werte, auch "
        "Kostensätze und die unsicheren Annahmen: absolute Beträge sind unsicherer als die "
        "Unterschiede zwischen den Szenarien.</p>"
    )


def _annahmen(ctx: BriefingContext) -> str:
    loaded = ctx.loaded
    parts = ["<h2>Annahmen</h2>"]
    levers = lever_differences(loaded)
    if levers:
        parts.append(
            '<div class="zusammen"><p><strong>Hebel, in denen sich die Szenarien '
            "unterscheiden</strong> (Spalten: Szenarien nach Buchstaben):</p>"
            + _table(["Hebel", *[ctx.letters[s] for s in ctx.compared]], levers_rows(levers))
            + "</div>"
        )
    elif len(ctx.compared) > 1:
        parts.append("<p>Die Szenarien unterscheiden sich in keinem der erklärten Hebel.</p>")
    lever_paths = [
        lever.parameter for sc in loaded.values() if sc is not None for lever in sc.levers
    ]
    further = other_differences(loaded, lever_paths)
    if further:
        shown = further[:8]
        more = f" und {len(further) - len(shown)} weitere" if len(further) > len(shown) else ""
        parts.append(
            '<p class="klein">Weitere Parameter mit unterschiedlichen Werten '
            f"({_e(' / '.join(ctx.letters[s] for s in ctx.compared))}): "
            + "; ".join(f"{_e(p)} ({_e(' / '.join(v))})" for p, v in shown)
            + f"{_e(more)}.</p>"
        )
    unc = uncertainty_items(ctx)
    calibrated = [sc for sc in loaded.values() if sc is not None and sc.calibration_draws]
    if unc:
        sampled = int(ctx.info["points"].max()) > 1
        parts.append(
            "<p><strong>Unsichere Annahmen</strong> (mit Spanne in den Szenariodateien). "
            + (
                "Sie wurden in den Läufen gezogen; die Intervalle enthalten diese Unsicherheit."
                if sampled
                else "Hier nicht gezogen: alle Läufe rechnen mit den Werten der Szenarien, die "
                "Intervalle zeigen nur "
                + (
                    "den Zufall und die Unsicherheit der kalibrierten Parameter (unten)."
                    if calibrated
                    else "den Zufall zwischen den Läufen."
                )
            )
            + "</p>"
        )
        parts.append(_list(unc, "klein annahmen"))
    if calibrated:
        parts.append(_calibration_paragraph(calibrated))
    return "\n".join(parts)


def levers_rows(levers: Sequence[tuple[str, Sequence[str]]]) -> list[list[str]]:
    """Rows of the lever table: the lever's German name, then its value per scenario."""
    return [[label, *values] for label, values in levers]


def note_items(ctx: BriefingContext) -> list[str]:
    """The list *Hinweise*: one HTML item per caveat of this comparison.

    The first item says what a model comparison is and is not; then come the notes
    that depend on the runs (a test run on part of the population, scenario files
    changed since the runs, a calibration that is stale or of unknown freshness,
    stored scenarios without a library file). Further caveats are further items.
    """
    items = [
        "<strong>Modellvergleich, keine Prognose.</strong> Die Zahlen zeigen, wie sich die "
        "Szenarien unter denselben Annahmen im Modell unterscheiden; belastbarer als absolute "
        "Werte sind die gepaarten Unterschiede. Über tatsächliche künftige Ausgaben sagt die "
        "Rechnung nichts aus."
    ]
    scale = float(ctx.info["scale"].max())
    if scale < 1:
        items.append(
            f"<strong>Testrechnung:</strong> simuliert wurden nur {_e(fmt_pct(scale, 0))} der "
            "Bevölkerung. Beträge und Fallzahlen gelten für diesen Ausschnitt und sind nicht "
            "auf den ganzen Kreis hochgerechnet."
        )
    changed = []
    for s in ctx.compared:
        sc = ctx.loaded[s]
        hashes = set(ctx.runs.loc[ctx.runs["scenario"] == s, "scenario_sha256"].dropna())
        if sc is not None and hashes and sc.sha256 not in hashes:
            changed.append(f"„{_e(s)}“")
    if changed:
        items.append(
            f"{'Die Szenariodateien' if len(changed) > 1 else 'Die Szenariodatei'} "
            f"{', '.join(changed)} {'wurden' if len(changed) > 1 else 'wurde'} seit den Läufen "
            "geändert (anderer Inhalts-Hash, Herkunft); Annahmen und Hebel oben stammen aus "
            "der aktuellen Datei."
        )
    items.extend(calibration_items(ctx))
    unknown = [s for s, sc in ctx.loaded.items() if sc is None]
    if unknown:
        items.append(
            "Für "
            + ", ".join(_e(s) for s in unknown)
            + " wurde keine Szenariodatei gefunden; Annahmen und Hebel fehlen dafür."
        )
    items.extend(legal_items(ctx))
    return items


def calibration_items(ctx: BriefingContext) -> list[str]:
    """One item per warning about the compared scenarios' calibration, its heading bold.

    A calibration fitted for another state of the scenario or of the engine, or one
    that does not record it (:func:`calibration.freshness.calibration_warnings`), in
    brief: the committee reads what is the matter; the hashes and the command to
    calibrate again are for the planners (the dashboard and the command line).
    """
    items = []
    for line in calibration_warnings(ctx.loaded.values(), brief=True):
        head, _, rest = line.partition(": ")
        items.append(f"<strong>{_e(head)}:</strong> {_e(rest)}")
    return items


def legal_items(ctx: BriefingContext) -> list[str]:
    """One item per compared incentive scheme with a known legal risk (its registry note)."""
    by_scheme: dict[str, list[str]] = {}
    for s in ctx.compared:
        sc = ctx.loaded.get(s)
        if sc is not None:
            by_scheme.setdefault(sc.params.incentive.scheme, []).append(s)
    items = []
    for scheme, names in by_scheme.items():
        try:
            _, note = scheme_notes(scheme)
        except KeyError:
            continue
        if not note:
            continue
        text = note.removeprefix("Rechtliches Risiko: ")
        who = ", ".join(f"„{_e(n)}“" for n in names)
        items.append(
            f"<strong>Rechtliches Risiko ({_e(SCHEME_LABELS.get(scheme, scheme))}, {who}):"
            f"</strong> {_e(text)}"
        )
    return items


def _hinweise(ctx: BriefingContext) -> str:
    return "<h2>Hinweise</h2>" + _list(note_items(ctx), "hinweise")


def _herkunft(ctx: BriefingContext, store_label: str, created: datetime) -> str:
    rows = []
    versions_all: set[str] = set()
    for s in ctx.compared:
        mine = ctx.runs[ctx.runs["scenario"] == s]
        hashes = sorted(mine["scenario_sha256"].dropna().unique())
        versions = sorted(mine["code_version"].dropna().unique())
        versions_all.update(versions)
        rows.append(
            [
                _Html(f'<span class="kuerzel">{_e(ctx.letters[s])}</span> {_e(s)}'),
                _Html("<br>".join(f'<span class="hash">{_e(h)}</span>' for h in hashes) or "–"),
                fmt_num(len(mine)),
                _seed_ranges(mine["seed"]),
                fmt_num(mine["point_id"].nunique()),
                ", ".join(versions) or "–",
            ]
        )
    head = ["Szenario (Datei)", "Inhalts-Hash (SHA-256)", "Läufe", "Seeds", "Punkte", "Code"]
    if len(versions_all) <= 1:  # one code version: said once below, not in every row
        head, rows = head[:-1], [r[:-1] for r in rows]
    code = (
        f"Codeversion {_e(next(iter(versions_all)))} für alle Läufe · "
        if len(versions_all) == 1
        else ""
    )
    return "\n".join(
        [
            "<h2>Herkunft</h2>",
            _table(head, rows, numeric=(2, 4)),
            f'<p class="klein">{code}Speicher {_e(store_label)} · erstellt am '
            f"{_e(created.strftime('%d.%m.%Y, %H:%M'))} Uhr · Gleicher Hash: gleiche Eingaben; "
            "mit Szenario, Seed und Codeversion ist jeder Lauf wiederholbar.</p>",
        ]
    )


def build_briefing(
    data: DashboardData,
    baseline: str,
    scenarios: list[str],
    *,
    store_label: str,
    created: datetime,
    styles: Mapping[str, ScenarioStyle] | None = None,
) -> str:
    """The briefing as one self-contained HTML document (German, A4 print layout).

    Args:
        data: The results store.
        baseline: The baseline scenario (reference of all differences).
        scenarios: The scenarios compared with it (the baseline may be included).
        store_label: How the store is named in the document (e.g. its file name;
            no path is needed).
        created: Date and time of the briefing.
        styles: Style of each scenario (default: the dashboard's fixed styles of
            the store, :func:`dashboard.context.store_styles`).

    Returns:
        The HTML text: Betreff, Sachverhalt, key figures, three charts (spending
        bands, unmet need bands, paired differences of spending), Annahmen,
        Hinweise, Herkunft.

    Raises:
        BriefingError: If a scenario has no finished runs in the store or the charts
            cannot be rendered.
    """
    ctx = _context(data, baseline, scenarios, styles)
    images = _charts(data, ctx)
    body = "\n".join(
        [
            _head(ctx, created),
            _sachverhalt(ctx),
            _kennzahlen(ctx),
            _abbildungen(ctx, images),
            _entscheidung(data, ctx),
            _annahmen(ctx),
            _hinweise(ctx),
            _herkunft(ctx, store_label, created),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(_betreff(ctx))}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


__all__ = [
    "CHROMIUM_ENV",
    "BriefingContext",
    "BriefingError",
    "KeyFigures",
    "briefing_context",
    "briefing_pdf",
    "build_briefing",
    "calibration_items",
    "chart_figures",
    "find_chromium",
    "format_quantity",
    "key_figures",
    "lever_differences",
    "note_items",
    "other_differences",
    "pdf_page_count",
    "uncertainty_items",
]
