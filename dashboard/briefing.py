"""A briefing for the Jugendhilfeausschuss: a self-contained HTML Sitzungsvorlage and its PDF.

:func:`build_briefing` compares a baseline with other scenarios of a results store
in the style of an Informationsvorlage of about two pages: Betreff, Sachverhalt
with the key results, a table of key figures, three charts, the assumptions and
the provenance of the numbers. The document is one HTML string with inline CSS
(A4 print rules) and the charts as embedded SVG images (data URIs), so it needs no
network, no files and no JavaScript to be read or printed.

:func:`briefing_pdf` prints that HTML with headless Chromium (:mod:`dashboard.printing`);
the section *Annahmen* is made of :mod:`dashboard.assumptions`, the HTML parts of
:mod:`dashboard.document`. Errors users can
meet (no Chromium, a hanging or failing Chromium, an unknown scenario) raise
:class:`BriefingError` with a German message and no technical detail. The dashboard's
download buttons and ``sozialraum vorlage`` make the same document with these functions.

Key figures per scenario are computed per run first and then summarised over runs:
spending is summed over the years, unmet need averaged over the years, a run
counts as overspending when any of its years is overspent, provider exits are
summed (:func:`results.over_years`). Differences to the baseline pair runs on
(sweep point, seed) as everywhere (:func:`results.paired_quantiles`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from dashboard.assumptions import (
    format_quantity,
    lever_differences,
    load_named,
    other_differences,
    uncertainty_rows,
)
from dashboard.data import TOTAL, DashboardData
from dashboard.document import CSS
from dashboard.document import Html as _Html
from dashboard.document import direction as _direction
from dashboard.document import escape as _e
from dashboard.document import html_table as _table
from dashboard.document import interval as _interval
from dashboard.document import signed_eur as _signed_eur
from dashboard.document import signed_num as _signed_num
from dashboard.document import svg_img as _svg_img
from dashboard.figures import (
    ExportError,
    band_figure,
    difference_figure,
    render_images,
    scenario_colours,
)
from dashboard.printing import (
    CHROMIUM_ENV,
    BriefingError,
    briefing_pdf,
    find_chromium,
    pdf_page_count,
)
from results import metric_title, over_years, paired_quantiles, stored_unit
from scenarios import Scenario, fmt_eur, fmt_num, fmt_pct

CHART_WIDTH = 760
CHART_HEIGHTS = (290, 320, 290)
"""Size of the three charts in CSS pixels (printed about 17 cm wide)."""

KEY_METRICS: dict[str, str] = {
    "total_spent": "sum",
    "unmet_need_families": "mean",
    "overspent": "max",
    "provider_exits": "sum",
}
"""Metrics of the key figures → how a run's years form one figure (:func:`results.over_years`)."""

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
            ``unmet_diff_q95``, ``overspend_share`` (share of runs with at least one
            overspent year), ``exits_mean`` (provider exits per run), ``runs``,
            ``pairs``.
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
            return mine.loc[mine["metric"] == metric, "value"]

        spent = col("total_spent")
        row: dict[str, Any] = {
            "scenario": s,
            "runs": len(spent),
            "spent_median": float(spent.median()) if len(spent) else math.nan,
            "spent_q05": float(spent.quantile(0.05)) if len(spent) else math.nan,
            "spent_q95": float(spent.quantile(0.95)) if len(spent) else math.nan,
            "unmet_median": float(col("unmet_need_families").median()),
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
class _Context:
    """Everything the sections of the briefing share."""

    baseline: str
    compared: list[str]
    catalogue: pd.DataFrame
    loaded: dict[str, Scenario | None]
    names: dict[str, str]
    colours: dict[str, str]
    kf: KeyFigures
    runs: pd.DataFrame

    @property
    def others(self) -> list[str]:
        return self.compared[1:]

    @property
    def info(self) -> pd.DataFrame:
        return self.catalogue.loc[self.compared]

    @property
    def n_years(self) -> int:
        return len(self.kf.years)

    @property
    def years_word(self) -> str:
        return "Jahr" if self.n_years == 1 else "Jahre"


def _context(data: DashboardData, baseline: str, scenarios: Sequence[str]) -> _Context:
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
    runs = data.runs()
    return _Context(
        baseline=baseline,
        compared=compared,
        catalogue=catalogue,
        loaded=loaded,
        names=names,
        colours=scenario_colours(names),
        kf=key_figures(data, baseline, compared),
        runs=runs[(runs["status"] == "done") & runs["scenario"].isin(compared)],
    )


def _charts(data: DashboardData, ctx: _Context) -> list[bytes]:
    """The three charts as SVG: spending bands, paired differences, unmet need."""
    compared, names = ctx.compared, ctx.names
    figs = [
        band_figure(
            data.quantiles(["total_spent"], compared),
            metric_title("total_spent"),
            stored_unit("total_spent"),
            names,
        ),
        difference_figure(
            data.paired(["total_spent"], ctx.baseline, compared),
            "Ausgaben gesamt: Differenz zur Basis",
            "EUR",
            names,
            "lower",
        ),
        band_figure(
            data.quantiles(["unmet_need_families"], compared),
            metric_title("unmet_need_families"),
            stored_unit("unmet_need_families"),
            names,
        ),
    ]
    for fig, height in zip(figs, CHART_HEIGHTS, strict=True):
        fig.update_layout(
            title=None,
            height=height,
            legend={"y": -0.13, "font": {"size": 12}, "tracegroupgap": 0},
            margin={"t": 60 if fig is figs[1] else 28, "b": 30},
        )
        fig.update_xaxes(title_text=None)
    try:
        return render_images(
            [(f, CHART_WIDTH, h) for f, h in zip(figs, CHART_HEIGHTS, strict=True)], "svg"
        )
    except ExportError as exc:
        raise BriefingError(
            "Die Grafiken der Vorlage konnten nicht erzeugt werden (Chromium für den "
            "Bildexport fehlt oder startet nicht)."
        ) from exc


def _betreff(ctx: _Context) -> str:
    base_title = ctx.names[ctx.baseline]
    n = len(ctx.others)
    if not n:
        return f"Modellrechnung Sozialraumbudget: „{base_title}“"
    return (
        f"Modellvergleich Sozialraumbudget: {n} {'Variante' if n == 1 else 'Varianten'} "
        f"im Vergleich zur Basis „{base_title}“"
    )


def _head(ctx: _Context, created: datetime) -> str:
    return (
        '<div class="kopf"><div><strong>Informationsvorlage</strong><br>'
        "Jugendhilfeausschuss – zur Kenntnisnahme</div>"
        f"<table><tr><td>Datum:</td><td>{_e(created.strftime('%d.%m.%Y'))}</td></tr>"
        "<tr><td>Grundlage:</td><td>Simulationsmodell sozialraum-sim</td></tr></table></div>"
        f"<h1>Betreff: {_e(_betreff(ctx))}</h1>"
        "<p><strong>Beschlussvorschlag:</strong> Der Jugendhilfeausschuss nimmt den "
        "Modellvergleich zur Kenntnis.</p>"
    )


def _sachverhalt(ctx: _Context) -> str:
    info, names, colours = ctx.info, ctx.names, ctx.colours
    runs_per, seeds_per = info["runs"].astype(int), info["seeds"].astype(int)
    points_per = info["points"].astype(int)
    parts = ["<h2>Sachverhalt</h2>"]
    listing = "".join(
        f'<li><span class="farbe" style="background:{colours[s]}"></span>'
        f"<strong>{_e(names[s])}</strong>{' (Basis)' if s == ctx.baseline else ''}: "
        f"{_e(ctx.catalogue.loc[s, 'description'])}</li>"
        for s in ctx.compared
    )
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
    parts.append(
        f"<p>Mit dem Simulationsmodell wurden {len(ctx.compared)} Szenarien über die Jahre "
        f"{_e(_years_text(ctx.kf.years))} ({ctx.n_years} {ctx.years_word}) "
        f"verglichen, {run_text} ({seed_text}{point_text}):</p>"
        f'<ul class="szenarien">{listing}</ul>'
    )
    parts.append(
        "<p>Läufe mit demselben Seed teilen ihre Zufallszahlen (dieselben Familien, "
        "dieselben Ereignisse); Unterschiede zur Basis werden deshalb je Laufpaar "
        "berechnet und sind genauer als der Vergleich zweier Mittelwerte. Angegeben "
        "sind Mediane über die Läufe und 90-%-Intervalle (5. bis 95. Perzentil).</p>"
    )
    scale = float(info["scale"].max())
    if scale < 1:
        parts.append(
            f'<p class="hinweis">Testrechnung: simuliert wurden nur {_e(fmt_pct(scale, 0))} '
            "der Bevölkerung. Beträge und Fallzahlen gelten für diesen Ausschnitt und "
            "sind nicht auf den ganzen Kreis hochgerechnet.</p>"
        )
    table = ctx.kf.table.set_index("scenario")
    bullets = []
    for s in ctx.others:
        r = table.loc[s]
        more = "mehr" if r["diff_median"] > 0 else "weniger"
        unmet = "mehr" if r["unmet_diff_median"] > 0 else "weniger"
        spend_iv = _interval(r["diff_q05"], r["diff_q95"], _signed_eur)
        unmet_iv = _interval(r["unmet_diff_q05"], r["unmet_diff_q95"], lambda x: _signed_num(x, 1))
        bullets.append(
            f"<li><strong>{_e(names[s])}</strong>: über {ctx.n_years} {ctx.years_word} im "
            f"Median {_e(fmt_eur(abs(r['diff_median'])))} {more} Ausgaben als die Basis "
            f"(90 % der Laufpaare: {_e(spend_iv)}). "
            f"{_e(_direction(r['diff_q05'], r['diff_q95']))} Familien mit ungedecktem "
            f"Bedarf: im Jahresmittel {_e(fmt_num(abs(r['unmet_diff_median']), 1))} "
            f"{unmet} (90 %: {_e(unmet_iv)}).</li>"
        )
    if bullets:
        parts.append(f"<p><strong>Ergebnis in Kürze:</strong></p><ul>{''.join(bullets)}</ul>")
    return "\n".join(parts)


def _kennzahlen(ctx: _Context) -> str:
    table = ctx.kf.table.set_index("scenario")
    head = [
        "Szenario",
        f"Ausgaben {_years_text(ctx.kf.years)} (Median)",
        "Differenz zur Basis (Median; 90 %)",
        "Ungedeckter Bedarf (Familien)",
        "Läufe mit Über­schreitung",
        "Markt­austritte (je Lauf)",
    ]
    rows = []
    for s in ctx.compared:
        r = table.loc[s]
        diff: str | _Html = (
            "Basis"
            if s == ctx.baseline
            else _Html(
                f'{_e(_signed_eur(r["diff_median"]))}<span class="iv">'
                f"{_e(_interval(r['diff_q05'], r['diff_q95'], _signed_eur))}</span>"
            )
        )
        swatch = f'<span class="farbe" style="background:{ctx.colours[s]}"></span>'
        rows.append(
            [
                _Html(f"{swatch}{_e(ctx.names[s])}"),
                fmt_eur(r["spent_median"]),
                diff,
                fmt_num(r["unmet_median"], 1),
                fmt_pct(r["overspend_share"], 0),
                fmt_num(r["exits_mean"], 1),
            ]
        )
    return (
        "<h2>Kennzahlen</h2>"
        + _table(head, rows, numeric=(1, 2, 3, 4, 5), css="daten kennzahlen")
        + '<p class="klein">Ausgaben: Summe über alle Jahre je Lauf, Median über die Läufe. '
        "Differenz: je Paar von Läufen mit gleichem Seed (Szenario minus Basis), Median und "
        "darunter das 90-%-Intervall der Laufpaare. Ungedeckter Bedarf: Familien mit Bedarf "
        "über der Anspruchsschwelle ohne laufende Hilfe, Mittel der Jahre, Median der Läufe. "
        "Überschreitung: Anteil der Läufe, in denen die Ausgaben in mindestens einem Jahr "
        "das Gesamtbudget übersteigen. Marktaustritte von Trägern: Mittelwert über die "
        "Läufe.</p>"
    )


def _abbildungen(ctx: _Context, images: Sequence[bytes]) -> str:
    captions = [
        (
            "Abbildung 1: Ausgaben gesamt je Jahr. Linie: Median der Läufe; dunkles Band: "
            "mittlere 50 %, helles Band: 90 % der Läufe."
        ),
        (
            f"Abbildung 2: Ausgaben gesamt, Differenz zur Basis „{ctx.names[ctx.baseline]}“ "
            "je Jahr und Laufpaar. Unter der Nulllinie: geringere Ausgaben als die Basis."
        ),
        (
            "Abbildung 3: Familien mit ungedecktem Bedarf (Jahresmittel). Linie: Median; "
            "Bänder: 50 % und 90 % der Läufe. Niedriger ist besser."
        ),
    ]
    return "<h2>Abbildungen</h2>" + "".join(
        f"<figure>{_svg_img(img, caption)}<figcaption>{_e(caption)}</figcaption></figure>"
        for img, caption in zip(images, captions, strict=True)
    )


def _annahmen(ctx: _Context) -> str:
    loaded, names = ctx.loaded, ctx.names
    parts = [
        "<h2>Annahmen</h2>",
        '<p class="hinweis"><strong>Modellvergleich, keine Prognose.</strong> Die Zahlen '
        "zeigen, wie sich die Szenarien unter denselben Annahmen im Modell unterscheiden. "
        "Absolute Beträge hängen von Annahmen ab, für die es keine Messwerte gibt (unten); "
        "belastbarer als die absoluten Werte sind die gepaarten Unterschiede zwischen den "
        "Szenarien. Über tatsächliche künftige Ausgaben sagt die Rechnung nichts aus.</p>",
    ]
    levers = lever_differences(loaded)
    if levers:
        parts.append("<p><strong>Hebel, in denen sich die Szenarien unterscheiden:</strong></p>")
        parts.append(
            _table(["Hebel", *[names[s] for s in ctx.compared]], [[lb, *v] for lb, v in levers])
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
            '<p class="klein">Weitere Parameter mit unterschiedlichen Werten: '
            + "; ".join(f"{_e(p)} ({_e(' / '.join(v))})" for p, v in shown)
            + f"{_e(more)}.</p>"
        )
    unc = uncertainty_rows(loaded)
    calibrated = [sc for sc in loaded.values() if sc is not None and sc.calibration_draws]
    if unc:
        sampled = int(ctx.info["points"].max()) > 1
        parts.append(
            "<p><strong>Unsichere Annahmen</strong> (in den Szenariodateien mit Spanne erklärt). "
            + (
                "Sie wurden in den Läufen gezogen; die Intervalle enthalten diese Unsicherheit."
                if sampled
                else "In diesem Vergleich wurden sie nicht gezogen: alle Läufe rechnen mit "
                "den Werten der Szenarien, die Intervalle zeigen nur "
                + (
                    "den Zufall zwischen den Läufen und die Unsicherheit der kalibrierten "
                    "Parameter (unten)."
                    if calibrated
                    else "den Zufall zwischen den Läufen."
                )
            )
            + "</p>"
        )
        parts.append(
            _table(
                ["Annahme", "Verteilung und Spanne", "Begründung"],
                [[r["label"], r["spread"], r["reason"]] for r in unc],
            )
        )
    if calibrated:
        parts.append(_calibration_paragraph(calibrated))
    if any(sc is None for sc in loaded.values()):
        parts.append(
            '<p class="klein">Für '
            + ", ".join(_e(s) for s, sc in loaded.items() if sc is None)
            + " wurde keine Szenariodatei gefunden; Annahmen und Hebel fehlen dafür.</p>"
        )
    return "\n".join(parts)


def _calibration_paragraph(calibrated: list[Scenario]) -> str:
    """What the calibration contributes to the runs, in German."""
    files = sorted(
        {str(sc.doc.get("calibration", {}).get("file", "")).rsplit("/", 1)[-1] for sc in calibrated}
    )
    paths = sorted({p for sc in calibrated for p in sc.calibrated_paths})
    draws = max(len(sc.calibration_draws) for sc in calibrated)
    return (
        "<p><strong>Kalibrierte Parameter.</strong> "
        f"{fmt_num(len(paths))} Verhaltensparameter ohne Messwert (Belastung der Familien, "
        "Bekanntwerden von Bedarf, Beratung, Wahl der Hilfeart) sind mit ABC-SMC an "
        "öffentliche Fallzahlen angepasst (Kalibrierungsdatei "
        f"{_e(', '.join(files))}, {fmt_num(draws)} Ziehungen). Jede Wiederholung rechnet "
        "mit einer anderen Ziehung, in allen Szenarien mit derselben; die Intervalle "
        "enthalten so auch die Unsicherheit dieser Parameter.</p>"
    )


def _herkunft(ctx: _Context, store_label: str, created: datetime) -> str:
    rows = []
    notes = []
    for s in ctx.compared:
        mine = ctx.runs[ctx.runs["scenario"] == s]
        hashes = sorted(mine["scenario_sha256"].dropna().unique())
        versions = sorted(mine["code_version"].dropna().unique())
        rows.append(
            [
                s,
                _Html("<br>".join(f'<span class="hash">{_e(h)}</span>' for h in hashes) or "–"),
                fmt_num(len(mine)),
                _seed_ranges(mine["seed"]),
                fmt_num(mine["point_id"].nunique()),
                ", ".join(versions) or "–",
            ]
        )
        sc = ctx.loaded[s]
        if sc is not None and hashes and sc.sha256 not in hashes:
            notes.append(
                f"Die Szenariodatei „{s}“ wurde seit den Läufen geändert (anderer "
                "Inhalts-Hash); Annahmen und Hebel oben stammen aus der aktuellen Datei."
            )
    parts = [
        "<h2>Herkunft</h2>",
        _table(
            ["Szenario", "Inhalts-Hash (SHA-256)", "Läufe", "Seeds", "Punkte", "Codeversion"],
            rows,
            numeric=(2, 4),
        ),
        *(f'<p class="klein">{_e(note)}</p>' for note in notes),
        f'<p class="klein">Ergebnisspeicher: {_e(store_label)} · Vorlage erstellt am '
        f"{_e(created.strftime('%d.%m.%Y, %H:%M'))} Uhr · Gleicher Inhalts-Hash bedeutet "
        "gleiche Eingaben; mit Szenario, Seed und Codeversion ist jeder Lauf wiederholbar.</p>",
    ]
    return "\n".join(parts)


def build_briefing(
    data: DashboardData,
    baseline: str,
    scenarios: list[str],
    *,
    store_label: str,
    created: datetime,
) -> str:
    """The briefing as one self-contained HTML document (German, A4 print layout).

    Args:
        data: The results store.
        baseline: The baseline scenario (reference of all differences).
        scenarios: The scenarios compared with it (the baseline may be included).
        store_label: How the store is named in the document (e.g. its file name;
            no path is needed).
        created: Date and time of the briefing.

    Returns:
        The HTML text: Betreff, Sachverhalt, key figures, three charts (spending
        bands, paired differences of spending, unmet need), Annahmen, Herkunft.

    Raises:
        BriefingError: If a scenario has no finished runs in the store or the charts
            cannot be rendered.
    """
    ctx = _context(data, baseline, scenarios)
    images = _charts(data, ctx)
    body = "\n".join(
        [
            _head(ctx, created),
            _sachverhalt(ctx),
            _kennzahlen(ctx),
            _abbildungen(ctx, images),
            _annahmen(ctx),
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
    "BriefingError",
    "KeyFigures",
    "briefing_pdf",
    "build_briefing",
    "find_chromium",
    "format_quantity",
    "key_figures",
    "lever_differences",
    "other_differences",
    "pdf_page_count",
]
