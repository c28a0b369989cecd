"""A briefing for the Jugendhilfeausschuss: a self-contained HTML Sitzungsvorlage and its PDF.

:func:`build_briefing` compares a baseline with other scenarios of a results store
in the style of an Informationsvorlage of about two pages: Betreff, Sachverhalt
with the key results, a table of key figures, three charts, the assumptions and
the provenance of the numbers. The document is one HTML string with inline CSS
(A4 print rules) and the charts as embedded SVG images (data URIs), so it needs no
network, no files and no JavaScript to be read or printed.

:func:`briefing_pdf` prints that HTML with headless Chromium. Errors users can
meet (no Chromium, a hanging or failing Chromium, an unknown scenario) raise
:class:`BriefingError` with a German message and no technical detail.

Key figures per scenario are computed per run first and then summarised over runs:
spending is summed over the years, unmet need averaged over the years, a run
counts as overspending when any of its years is overspent, provider exits are
summed. Differences to the baseline pair runs on (sweep point, seed) as in
:func:`dashboard.data.paired_from_yearly`.
"""

from __future__ import annotations

import base64
import contextlib
import html
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.data import TOTAL, DashboardData, paired_from_yearly
from dashboard.figures import (
    ExportError,
    band_figure,
    difference_figure,
    render_images,
    scenario_colours,
)
from dashboard.library import library_scenario
from scenarios.errors import ScenarioError
from scenarios.formatting import fmt_eur, fmt_num, fmt_pct
from scenarios.loader import Scenario, expand_path

CHROMIUM_ENV = "SOZIALRAUM_CHROMIUM"
"""Environment variable with the path of the Chromium executable for the PDF."""

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

PDF_TIMEOUT_S = 60.0

CHART_WIDTH = 760
CHART_HEIGHTS = (290, 320, 290)
"""Size of the three charts in CSS pixels (printed about 17 cm wide)."""

KEY_METRICS = ("total_spent", "unmet_need_families", "overspent", "provider_exits")

CHOICE_LABELS: dict[str, dict[str, str]] = {
    "incentive.scheme": {
        "none": "kein Anreizsystem",
        "retention": "Rückbehalt",
        "bonus_malus": "Bonus/Malus",
        "flat": "Pauschalbudget",
        "balancing": "Ausgleich zwischen Regionen",
    },
    "budget.allocation_key": {
        "population": "nach Einwohnerzahl",
        "sozialraumindex": "nach Sozialraumindex",
        "history": "nach bisherigen Ausgaben",
    },
}
"""German names of the values of choice levers."""

DISTRIBUTIONS = {
    "uniform": "gleichverteilt",
    "triangular": "Dreiecksverteilung",
    "normal": "Normalverteilung",
}

_SKIP_KEYS = {
    "name",
    "title",
    "description",
    "levers",
    "uncertainties",
    "outcomes",
    "municipalities_file",
    "help_types_file",
    "extends",
}


class BriefingError(Exception):
    """The briefing could not be produced; the message is German and meant for users."""


# =========================================================================== numbers


def _plain_num(x: float) -> str:
    """A parameter value with as many decimals as it has (up to four), German."""
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return fmt_num(float(x), decimals)


def format_quantity(x: Any, unit: str | None) -> str:
    """A parameter value in its unit of the scenario files, German.

    Args:
        x: The value (number, text or bool).
        unit: Unit as declared in the scenario (``share``, ``EUR/year`` …) or None.

    Returns:
        For example ``70 %``, ``2.233.000 € je Jahr``, ``75,00 € je FLS``.
    """
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    value = float(x)
    if unit == "share":
        return fmt_pct(value, 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1)
    if unit == "EUR/year":
        return f"{fmt_eur(value)} je Jahr"
    if unit and unit.startswith("EUR/"):
        return f"{fmt_eur(value, 2)} je {unit.split('/', 1)[1]}"
    if unit == "EUR":
        return fmt_eur(value)
    if unit == "year":
        return str(int(value))
    labels = {
        "need/year": "je Jahr (Bedarfsskala)",
        "need/month": "je Monat (Bedarfsskala)",
        "factor": "(Faktor)",
        "months": "Monate",
    }
    suffix = labels.get(unit or "", unit or "")
    return f"{_plain_num(value)} {suffix}".strip()


def _range_text(low: float, high: float, unit: str | None) -> str:
    """``-0,02 bis 0,04 je Jahr (Bedarfsskala)``: the unit once, after the range."""
    lo, hi = format_quantity(low, unit), format_quantity(high, unit)
    suffix_lo = lo.split(" ", 1)[1] if " " in lo else ""
    suffix_hi = hi.split(" ", 1)[1] if " " in hi else ""
    if suffix_lo and suffix_lo == suffix_hi and unit not in ("share", "EUR", "EUR/year"):
        return f"{lo.split(' ', 1)[0]} bis {hi}"
    return f"{lo} bis {hi}"


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
    how = {
        "total_spent": "sum",
        "unmet_need_families": "mean",
        "overspent": "max",
        "provider_exits": "sum",
    }
    values = []
    for metric, func in how.items():
        part = raw[raw["metric"] == metric]
        agg = part.groupby(["scenario", "point_id", "seed"], as_index=False).agg(
            value=("value", func), unit=("unit", "first")
        )
        agg["metric"] = metric
        values.append(agg)
    per_run = pd.concat(values, ignore_index=True)
    per_run["year"] = 0
    per_run["region"] = TOTAL
    diffs = paired_from_yearly(per_run, baseline)
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


# =========================================================================== scenarios


def _load(name: str) -> Scenario | None:
    """The library scenario of a stored name, or None (never a file of another name)."""
    try:
        return library_scenario(name)
    except (ScenarioError, OSError, ValueError):
        return None


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a scenario document to dotted path → value (quantities unwrapped)."""
    if isinstance(node, Mapping):
        if "value" in node and ("unit" in node or "source" in node or "assumption" in node):
            return {prefix: node["value"]}
        out: dict[str, Any] = {}
        for k, v in node.items():
            if not prefix and k in _SKIP_KEYS:
                continue
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(node, list):
        out = {}
        for i, v in enumerate(node):
            out.update(_leaves(v, f"{prefix}.{i}"))
        return out
    return {prefix: node}


def _lever_value(sc: Scenario, parameter: str) -> str:
    paths = expand_path(sc.doc, parameter) if "*" in parameter else [parameter]
    texts = []
    for path in paths:
        try:
            v = sc.value_at(path)
        except (KeyError, IndexError, TypeError, ValueError, ScenarioError):
            v = None
        if v is None:
            texts.append("–")
        elif parameter in CHOICE_LABELS:
            texts.append(CHOICE_LABELS[parameter].get(str(v), str(v)))
        else:
            texts.append(format_quantity(v, sc.units.get(path)))
    if len(set(texts)) == 1:
        return texts[0] if texts else "–"
    regions = [p.split(".")[1] if p.startswith("regions.") else p for p in paths]
    return "; ".join(f"{r}: {t}" for r, t in zip(regions, texts, strict=True))


def lever_differences(loaded: Mapping[str, Scenario | None]) -> list[tuple[str, list[str]]]:
    """Declared levers whose values differ between the compared scenarios.

    Args:
        loaded: Scenario name → loaded scenario (None if its file is missing).

    Returns:
        (German lever label, value per scenario in the order of ``loaded``).
    """
    present = [sc for sc in loaded.values() if sc is not None]
    levers: dict[str, str] = {}
    for sc in present:
        for lever in sc.levers:
            levers.setdefault(lever.parameter, lever.label)
    out = []
    for parameter, label in levers.items():
        values = [_lever_value(sc, parameter) if sc else "–" for sc in loaded.values()]
        if len(set(values)) > 1:
            out.append((label, values))
    return out


def other_differences(
    loaded: Mapping[str, Scenario | None], exclude: Iterable[str]
) -> list[tuple[str, list[str]]]:
    """Parameters other than declared levers whose values differ (dotted paths).

    Args:
        loaded: Scenario name → loaded scenario.
        exclude: Lever parameter paths (wildcards allowed) to leave out.

    Returns:
        (dotted path, value per scenario), sorted by path.
    """
    present = {n: sc for n, sc in loaded.items() if sc is not None}
    if len(present) < 2:
        return []
    flat = {n: _leaves(dict(sc.doc)) for n, sc in present.items()}
    patterns = [p.split(".") for p in exclude]

    def excluded(path: str) -> bool:
        parts = path.split(".")
        return any(
            len(p) == len(parts) and all(a in ("*", b) for a, b in zip(p, parts, strict=True))
            for p in patterns
        )

    paths = sorted({p for f in flat.values() for p in f} - {""})
    out = []
    for path in paths:
        if excluded(path):
            continue
        raw = [flat[n].get(path) if n in flat else None for n in loaded]
        if len({repr(v) for v in raw}) > 1:
            units = [present[n].units.get(path) if n in present else None for n in loaded]
            texts = [
                "–" if v is None else format_quantity(v, u) for v, u in zip(raw, units, strict=True)
            ]
            out.append((path, texts))
    return out


def _uncertainty_rows(loaded: Mapping[str, Scenario | None]) -> list[dict[str, str]]:
    """The declared uncertainties (deduplicated), with range and reason in German."""
    seen: dict[tuple, dict[str, Any]] = {}
    for name, sc in loaded.items():
        if sc is None:
            continue
        for u in sc.uncertainties:
            key = (u.parameter, u.distribution, u.low, u.high, u.mode, u.sd, u.unit)
            entry = seen.setdefault(key, {"u": u, "in": []})
            entry["in"].append(name)
    present = [n for n, sc in loaded.items() if sc is not None]
    rows = []
    for entry in seen.values():
        u = entry["u"]
        dist = DISTRIBUTIONS.get(u.distribution, u.distribution)
        span = _range_text(u.low, u.high, u.unit)
        if u.distribution == "triangular" and u.mode is not None:
            spread = f"{dist}, {span}, am wahrscheinlichsten {format_quantity(u.mode, u.unit)}"
        elif u.distribution == "normal" and u.sd is not None:
            spread = (
                f"{dist} um den Szenariowert, Standardabweichung "
                f"{format_quantity(u.sd, u.unit)}, begrenzt auf {span}"
            )
        else:
            spread = f"{dist}, {span}"
        reason = (
            f"Quelle: {u.source}"
            if u.source
            else f"Annahme: {u.assumption}"
            if u.assumption
            else "–"
        )
        if len(entry["in"]) < len(present):
            reason += f" (nur in: {', '.join(entry['in'])})"
        rows.append({"label": u.label, "spread": spread, "reason": reason})
    return rows


# =========================================================================== html

CSS = """
@page { size: A4; margin: 16mm 16mm 16mm 20mm;
  @bottom-right { content: "Seite " counter(page) " von " counter(pages);
    font: 8pt "Liberation Sans", Arial, sans-serif; color: #52606d; }
  @bottom-left { content: "Modellvergleich sozialraum-sim – keine Prognose";
    font: 8pt "Liberation Sans", Arial, sans-serif; color: #52606d; } }
* { box-sizing: border-box; }
html { font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans",
  sans-serif; font-size: 9pt; line-height: 1.3; color: #1f2933; }
body { margin: 0 auto; max-width: 180mm; padding: 6mm 0; }
.kopf { display: flex; justify-content: space-between; border-bottom: 2px solid #1f5f8b;
  padding-bottom: 2mm; margin-bottom: 3mm; font-size: 8.5pt; color: #52606d; }
.kopf strong { color: #1f2933; font-size: 10pt; }
.kopf table td { padding: 0 0 0 4mm; }
h1 { font-size: 12pt; margin: 0 0 1.5mm; color: #1f5f8b; }
h2 { font-size: 10pt; margin: 3mm 0 1mm; color: #1f5f8b; break-after: avoid; }
p { margin: 0 0 1.8mm; }
ul { margin: 0 0 2mm; padding-left: 5mm; }
li { margin-bottom: 0.6mm; }
ul.szenarien { font-size: 8pt; }
table.daten { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 8pt; }
table.daten tr { break-inside: avoid; }
table.daten th, table.daten td { border-bottom: 1px solid #d9e2ec; padding: 0.7mm 1.2mm;
  text-align: left; vertical-align: top; }
table.daten th { background: #f0f4f8; font-weight: 600; }
table.daten td.zahl, table.daten th.zahl { text-align: right;
  font-variant-numeric: tabular-nums; }
table.daten td.zahl { white-space: nowrap; }
table.kennzahlen td:first-child { width: 30%; }
.iv { display: block; font-size: 7.5pt; color: #52606d; }
.farbe { display: inline-block; width: 2.6mm; height: 2.6mm; border-radius: 50%;
  margin-right: 1.2mm; vertical-align: baseline; }
.klein { font-size: 7.8pt; color: #52606d; }
.hash { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 6.8pt;
  word-break: break-all; }
figure { margin: 1mm 0 2mm; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 8pt; color: #52606d; margin-top: 0.5mm; }
.hinweis { border-left: 3px solid #1f5f8b; background: #f0f4f8; padding: 2mm 3mm;
  margin: 2mm 0; break-inside: avoid; }
.seitenumbruch { break-before: page; }
@media screen { body { padding: 10mm; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(
    head: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Iterable[int] = (),
    css: str = "daten",
) -> str:
    """An HTML table; cells are escaped except where they are marked as HTML."""
    num = set(numeric)
    th = "".join(
        f'<th class="zahl">{_e(h)}</th>' if i in num else f"<th>{_e(h)}</th>"
        for i, h in enumerate(head)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            content = cell.html if isinstance(cell, _Html) else _e(cell)
            cells.append(f'<td class="zahl">{content}</td>' if i in num else f"<td>{content}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="{css}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


@dataclass(frozen=True)
class _Html:
    html: str


def _interval(lo: float, hi: float, fmt: Any) -> str:
    return f"{fmt(lo)} bis {fmt(hi)}"


def _signed_eur(x: float) -> str:
    return ("+" if x > 0 and fmt_eur(x) != "0 €" else "") + fmt_eur(x)


def _signed_num(x: float, decimals: int = 0) -> str:
    text = fmt_num(x, decimals)
    return ("+" if x > 0 and any(c in "123456789" for c in text) else "") + text


def _direction(lo: float, hi: float) -> str:
    if math.isnan(lo) or math.isnan(hi):
        return ""
    if lo > 0:
        return "Das 90-%-Intervall liegt ganz über null: eindeutige Richtung."
    if hi < 0:
        return "Das 90-%-Intervall liegt ganz unter null: eindeutige Richtung."
    return "Das 90-%-Intervall schließt null ein: kein eindeutiger Unterschied."


def _svg_img(svg: bytes, alt: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}">'


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
    loaded = {s: _load(s) for s in compared}
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
        band_figure(data.quantiles(["total_spent"], compared), "Ausgaben gesamt", "EUR", names),
        difference_figure(
            data.paired(["total_spent"], ctx.baseline, compared),
            "Ausgaben gesamt: Differenz zur Basis",
            "EUR",
            names,
            "lower",
        ),
        band_figure(
            data.quantiles(["unmet_need_families"], compared),
            "Familien mit ungedecktem Bedarf",
            "Familien",
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
    unc = _uncertainty_rows(loaded)
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


# =========================================================================== pdf


def find_chromium() -> str:
    """The Chromium executable: ``$SOZIALRAUM_CHROMIUM``, ``/usr/bin/chromium`` or on PATH.

    Raises:
        BriefingError: If none is found (German message).
    """
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise BriefingError(
            f"Chromium wurde unter dem in {CHROMIUM_ENV} angegebenen Pfad nicht gefunden "
            f"({configured}). Bitte den Pfad prüfen."
        )
    if Path(DEFAULT_CHROMIUM).is_file():
        return DEFAULT_CHROMIUM
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BriefingError(
        "Für das PDF wird der Browser Chromium benötigt, er wurde aber nicht gefunden. "
        f"Bitte Chromium installieren oder seinen Pfad in der Umgebungsvariablen {CHROMIUM_ENV} "
        "angeben. Die Vorlage kann weiterhin als HTML gespeichert und gedruckt werden."
    )


def briefing_pdf(html_text: str, *, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """Print the briefing HTML to PDF with headless Chromium (A4, no browser header).

    Chromium runs in a fresh profile in a temporary directory, without network
    services, in its own process group, which is killed if it does not finish
    within ``timeout`` seconds.

    Args:
        html_text: The document from :func:`build_briefing`.
        timeout: Seconds to wait for Chromium.

    Returns:
        The PDF bytes.

    Raises:
        BriefingError: If Chromium is missing, fails or times out (German message).
    """
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="sozialraum-vorlage-") as tmp:
        src = Path(tmp) / "vorlage.html"
        out = Path(tmp) / "vorlage.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profil'}",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise BriefingError(
                f"Chromium konnte nicht gestartet werden ({chromium}): {exc.strerror or exc}."
            ) from exc
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise BriefingError(
                f"Chromium hat das PDF nicht innerhalb von {fmt_num(timeout)} Sekunden erzeugt."
            ) from None
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        pdf = out.read_bytes() if out.is_file() else b""
        if proc.returncode != 0 or not pdf.startswith(b"%PDF"):
            detail = _last_error_line(err.decode("utf-8", "replace"))
            raise BriefingError(
                f"Chromium konnte das PDF nicht erzeugen (Exit-Code {proc.returncode})"
                + (f": {detail}" if detail else ".")
            )
        return pdf


def _last_error_line(stderr: str) -> str:
    """The last line of Chromium's stderr that is not routine noise (D-Bus, GPU)."""
    noise = ("dbus", "Fontconfig", "gpu", "GPU", "bytes written to file")
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    useful = [ln for ln in lines if not any(n in ln for n in noise)]
    return useful[-1][:200] if useful else ""


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF written by Chromium (counts ``/Type /Page`` objects, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


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
