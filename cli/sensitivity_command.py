"""``sozialraum sensitivity``: which declared assumptions decide an outcome (SALib).

Runs the scenario — paired with ``--baseline`` when given — at the points of a
Sobol (Saltelli) or Morris design over every uncertainty it declares, as an
ordinary stored batch (resumable, seeds and provenance kept), computes the indices
of every declared outcome (or of its paired difference) with SALib
(:mod:`experiments.sensitivity`), stores them (tables ``analyses`` and
``sensitivity_indices``), prints the ranking in German and, with ``--grafik``,
writes the ranked bar charts.
"""

from __future__ import annotations

import argparse
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from cli.batch_commands import EXIT_OK, _fail, fmt_figure
from cli.study_commands import add_study_options, outcome_of, run_study, store_analysis
from cli.tables import add_row, new_table, render
from experiments import (
    MEASURE_LABELS,
    MEASURES,
    METHODS,
    RunOptions,
    SensitivityDesign,
    Study,
    design_size,
    design_sweep,
    load_base,
    noise_shares,
    point_values,
    sensitivity_design,
    sensitivity_indices,
)
from results import atomic_file
from scenarios import (
    MAX_SWEEP_POINTS,
    ArgumentError,
    Scenario,
    ScenarioError,
    display_path,
    fmt_num,
)

DEFAULT_SAMPLES = {"sobol": 32, "morris": 10}
"""Default ``N`` per method (Sobol: 32 · (D + 2) points; Morris: 10 trajectories)."""

SHOWN = 5
"""Assumptions printed per outcome (all are stored and in the charts)."""

ORIGIN = {
    "sobol": "Sobol-Stichprobe der Sensitivitätsanalyse",
    "morris": "Morris-Trajektorie der Sensitivitätsanalyse",
}
"""How a drawn value was drawn (written into its assumption)."""


def add_sensitivity_command(commands: Any, int_at_least: Any, scale: Any) -> None:
    """Register ``sensitivity`` on the main parser's subparsers."""
    p = commands.add_parser(
        "sensitivity",
        help="welche Annahmen das Ergebnis entscheiden (Sobol, Morris)",
        description=(
            "Globale Sensitivitätsanalyse: das Szenario (mit --baseline die gepaarte Differenz "
            "zum Vergleich) wird an den Punkten einer Sobol- oder Morris-Stichprobe über alle "
            "erklärten Unsicherheiten gerechnet; die Indizes jeder Ergebnisgröße werden "
            "gespeichert und nach Wirkung sortiert ausgegeben. Derselbe Befehl setzt fort."
        ),
    )
    add_study_options(p, int_at_least, scale, replicates=2)
    p.add_argument(
        "--method",
        choices=METHODS,
        default="sobol",
        help="sobol (Haupt- und Gesamteffekte) oder morris (günstiges Screening); Vorgabe sobol",
    )
    p.add_argument(
        "--samples",
        type=int_at_least(2, MAX_SWEEP_POINTS, "Stichproben", "Größe der Stichprobe"),
        default=None,
        help=(
            "N: Sobol N · (Anzahl Unsicherheiten + 2) Punkte, N eine Zweierpotenz (Vorgabe 32); "
            "Morris N · (Anzahl + 1) Punkte (Vorgabe 10)"
        ),
    )
    p.add_argument(
        "--outcomes",
        metavar="METRIK,…",
        default=None,
        help="nur diese Ergebnisgrößen (Vorgabe: alle erklärten)",
    )
    p.add_argument(
        "--grafik",
        metavar="DATEI",
        default=None,
        help="Balkendiagramme schreiben: .html (alle Ergebnisgrößen) oder .png/.svg (die erste)",
    )
    p.set_defaults(handler=cmd_sensitivity)


def _outcomes(scenario: Scenario, text: str | None) -> list[Any]:
    if text is None:
        if not scenario.outcomes:
            raise ScenarioError(scenario.path, "outcomes", "keine Ergebnisgrößen erklärt")
        return list(scenario.outcomes)
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise ArgumentError("--outcomes", "keine Ergebnisgröße angegeben")
    return [outcome_of(scenario, name, "--outcomes") for name in names]


def _check_grafik(path: str | None) -> None:
    if path is not None and Path(path).suffix.lower() not in (".html", ".png", ".svg"):
        raise ArgumentError("--grafik", f"{display_path(path)}: Endung .html, .png oder .svg")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``sozialraum sensitivity``."""
    method = args.method
    n = args.samples or DEFAULT_SAMPLES[method]
    try:
        _check_grafik(args.grafik)
        options = RunOptions(years=args.years, scale=args.scale, seed_base=args.seed)
        scenario = load_base(args.scenario, options)
        outcomes = _outcomes(scenario, args.outcomes)
        columns = [u.parameter for u in scenario.uncertainties]
        labels = [u.label for u in scenario.uncertainties]
        if len(columns) < 2:
            raise ScenarioError(
                scenario.path, "uncertainties", "mindestens zwei Unsicherheiten nötig"
            )
        if method == "sobol" and n & (n - 1):
            raise ArgumentError(
                "--samples", f"{n} ist keine Zweierpotenz (Sobol braucht 2, 4, 8 …)"
            )
        points = design_size(method, n, len(columns))
        if points > MAX_SWEEP_POINTS:
            raise ArgumentError(
                "--samples",
                f"{fmt_num(points)} Punkte; höchstens {fmt_num(MAX_SWEEP_POINTS)} (kleineres N)",
            )
    except ScenarioError as err:
        return _fail(err)
    design = sensitivity_design(method, columns, n, args.seed)
    settings = {
        "method": method,
        "samples": n,
        "points": points,
        "replicates": args.replicates,
        "years": args.years,
        "scale": args.scale,
        "seed": args.seed,
        "uncertainties": columns,
        "outcomes": [o.metric for o in outcomes],
    }
    study = Study(
        args.scenario,
        args.baseline,
        design_sweep(columns, design.unit_samples, ORIGIN[method], seed=args.seed),
        replicates=args.replicates,
        seed_base=args.seed,
        years=args.years,
        scale=args.scale,
        extra={"kind": "sensitivity", **settings},
    )
    done = run_study(args, [study], {o.metric: o.over_years for o in outcomes})
    if isinstance(done, int):
        return done
    runs = done[0]
    base = runs.baseline
    table = point_values(
        runs.values, runs.scenario.name, base.name if base else None, design.unit_samples.shape[0]
    )
    units = runs.values.groupby("metric")["unit"].first().to_dict()
    noise = noise_shares(runs.values, runs.scenario.name, base.name if base else None)
    parts, summary = [], {}
    for outcome in outcomes:
        y = table[outcome.metric].to_numpy(dtype=float)
        found = sensitivity_indices(design, y, labels)
        found.insert(0, "outcome", outcome.metric)
        parts.append(found)
        summary[outcome.metric] = {
            "label": outcome.label,
            "unit": units.get(outcome.metric, ""),
            "mean": float(y.mean()),
            "sd": float(y.std(ddof=1)) if y.size > 1 else 0.0,
            "noise_share": noise.get(outcome.metric),
        }
    indices = pd.concat(parts, ignore_index=True)
    analysis_id = store_analysis(
        args,
        "sensitivity",
        runs.scenario.name,
        base.name if base else None,
        [runs.plan.batch_id],
        settings,
        {"outcomes": summary},
        indices,
    )
    if isinstance(analysis_id, int):
        return analysis_id
    if args.grafik:
        try:
            _write_charts(Path(args.grafik), indices, summary, method, runs, base)
        except ScenarioError as err:
            return _fail(err)
    print(format_sensitivity(indices, summary, design, runs.scenario.name, base, args))
    print(f"Gespeichert als Analyse {analysis_id} in {display_path(args.store)}.")
    return EXIT_OK


def _title(metric_label: str, base: Scenario | None) -> str:
    return f"{metric_label}{' (Differenz zum Vergleich)' if base is not None else ''}"


def _write_charts(
    path: Path,
    indices: pd.DataFrame,
    summary: dict[str, dict[str, Any]],
    method: str,
    runs: Any,
    base: Scenario | None,
) -> None:
    """Write the ranked bar charts (HTML: every outcome; PNG/SVG: the first)."""
    from dashboard import ExportError, figure_png, figure_svg, sensitivity_figure

    figures = [
        sensitivity_figure(
            indices[indices["outcome"] == metric],
            method,
            title=_title(info["label"], base),
            value_unit=info["unit"],
        )
        for metric, info in summary.items()
    ]
    suffix = path.suffix.lower()
    if suffix == ".html":
        heading = html.escape(
            f"Welche Annahmen entscheiden? {runs.scenario.name}"
            + (f" gegen {base.name}" if base is not None else "")
        )
        body = "\n".join(
            fig.to_html(full_html=False, include_plotlyjs=(k == 0))  # plotly.js once, offline
            for k, fig in enumerate(figures)
        )
        text = (
            f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{heading}'
            f"</title></head><body><h1>{heading}</h1>{body}</body></html>"
        )
        atomic_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), "--grafik")
        return
    try:
        data = figure_png(figures[0]) if suffix == ".png" else figure_svg(figures[0]).encode()
    except ExportError as exc:
        raise ScenarioError(path, "--grafik", str(exc)) from None
    atomic_file(path, lambda tmp: tmp.write_bytes(data), "--grafik")


NOISY = 0.3
"""Chance share of the spread above which the indices are called unreliable."""


def noise_text(share: float | None, replicates: int) -> str:
    """German sentence on how much of the spread is the runs' chance.

    >>> noise_text(None, 1)[:42]
    'Zufallsanteil nicht schätzbar (1 Wiederhol'
    >>> noise_text(0.05, 4)
    'Zufallsanteil der Streuung: 5 % (aus 4 Wiederholungen je Punkt).'
    """
    if share is None:
        return (
            f"Zufallsanteil nicht schätzbar ({replicates} Wiederholung je Punkt); mit "
            "--replicates 2 oder mehr wird er gemessen. Summieren sich die Gesamteffekte "
            "weit über 1, misst die Analyse vor allem den Zufall der Läufe."
        )
    text = (
        f"Zufallsanteil der Streuung: {fmt_num(100 * share, 0)} % "
        f"(aus {replicates} Wiederholungen je Punkt)."
    )
    if share > NOISY:
        text += " Die Indizes sind unsicher: mehr Wiederholungen (--replicates) nötig."
    return text


def _effect(x: float, unit: str) -> str:
    """An effect in the outcome's unit, three significant digits (shares in points).

    >>> _effect(0.01234, "Familien"), _effect(2574.4, "EUR"), _effect(0.0123, "Anteil")
    ('0,0123', '2.574 €', '1,23 Pp.')
    """
    if unit in ("EUR", "EUR je JEW") or x != x:
        return fmt_figure(x, unit)
    if unit == "Anteil":
        return f"{_effect(100 * x, '')} Pp."
    if x == 0:
        return "0"
    digits = max(0, min(4, 2 - math.floor(math.log10(abs(x)))))
    return fmt_num(x, digits)


def format_sensitivity(
    indices: pd.DataFrame,
    summary: dict[str, dict[str, Any]],
    design: SensitivityDesign,
    scenario: str,
    base: Scenario | None,
    args: argparse.Namespace,
) -> str:
    """The German ranking: per outcome the assumptions with the largest effect."""
    method = design.method
    lead, second = MEASURES[method]
    what = f"{scenario} − {base.name} (gepaarte Differenz)" if base is not None else scenario
    head = (
        f"Welche Annahmen entscheiden? {'Sobol' if method == 'sobol' else 'Morris'}-Analyse, "
        f"N = {design.base_samples}: {fmt_num(design.unit_samples.shape[0])} Punkte × "
        f"{args.replicates} {'Wiederholung' if args.replicates == 1 else 'Wiederholungen'}, "
        f"{what}."
    )
    parts: list[Any] = [head]
    for metric, info in summary.items():
        sub = indices[indices["outcome"] == metric]
        mean = fmt_figure(info["mean"], info["unit"], difference=base is not None)
        spread = f"Mittel {mean}, Standardabweichung {_effect(info['sd'], info['unit'])}"
        parts.append(f"\n{_title(info['label'], base)}; {spread}:")
        if info["sd"] == 0.0:
            parts.append("  Keine Streuung über die Stichprobe: keine der Annahmen ändert sie.")
            continue
        parts.append(f"  {noise_text(info.get('noise_share'), args.replicates)}")
        table = new_table(["Rang", "Annahme", MEASURE_LABELS[lead], MEASURE_LABELS[second]], (2, 3))
        ranked = sub[sub["measure"] == lead]["parameter"].tolist()
        for k, path in enumerate(ranked[:SHOWN], start=1):
            row = sub[sub["parameter"] == path].set_index("measure")
            cells = [str(k), str(row["label"].iloc[0])]
            for measure in (lead, second):
                value, conf = float(row.at[measure, "value"]), float(row.at[measure, "conf"])
                if method == "sobol":
                    cells.append(f"{fmt_num(value, 2)} ± {fmt_num(conf, 2)}")
                else:
                    text = fmt_figure(value, info["unit"])
                    cells.append(
                        text + (f" ± {fmt_figure(conf, info['unit'])}" if conf == conf else "")
                    )
            add_row(table, cells)
        parts.append(table)
        if len(ranked) > SHOWN:
            parts.append(f"  (weitere {len(ranked) - SHOWN} Annahmen in der Ergebnisdatei)")
    if method == "sobol":
        parts.append(
            "\nGesamteffekt: Anteil der Streuung, den die Annahme allein und mit anderen erklärt; "
            "nahe 0: die Annahme kann in ihrer Spanne beliebig sein. ± halbe Breite des "
            "95-%-Intervalls."
        )
    else:
        parts.append(
            "\nMorris μ*: mittlere Änderung, wenn die Annahme um 2/3 ihrer Spanne wandert; "
            "σ groß gegen μ*: die Wirkung hängt von den anderen Annahmen ab."
        )
    return render(parts)


__all__ = ["add_sensitivity_command", "cmd_sensitivity", "format_sensitivity", "noise_text"]
