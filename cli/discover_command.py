"""``sozialraum discover``: under which assumptions an outcome is a case (PRIM).

Draws a Latin hypercube over every uncertainty the scenario declares, runs the
scenario — paired with ``--baseline`` when given — at its points as an ordinary
stored batch (resumable with the same command, seeds and provenance kept), marks
each point a *case* when the outcome (or its paired difference to the baseline) is
above ``--above`` or below ``--below``, and searches the boxes of assumptions in
which the cases are dense (:func:`experiments.find_boxes`). Each box is printed as
one German sentence and stored with its peeling trajectory (table ``analyses``,
kind ``discover``).

Every input problem is one German ``Fehler:`` line naming the field, exit code 2,
before anything runs.
"""

from __future__ import annotations

import argparse
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from cli.batch_commands import EXIT_OK, _fail, fmt_figure
from cli.study_commands import StudyRuns, add_study_options, outcome_of, run_study, store_analysis
from experiments import (
    Box,
    RunOptions,
    Study,
    box_record,
    box_sentence,
    design_sweep,
    find_boxes,
    load_base,
    point_values,
)
from results import RESULT_UNIT_LABELS, stored_unit
from scenarios import (
    MAX_SWEEP_POINTS,
    ArgumentError,
    Scenario,
    ScenarioError,
    display_path,
    fmt_num,
    fmt_pct,
)

DEFAULT_SAMPLES = 100
"""Points of the Latin hypercube by default (the dozen uncertainties of a Kreis)."""

MIN_SAMPLES = 10
"""Fewest points: PRIM peels 5 % a step, fewer points leave nothing to peel."""

DEFAULT_THRESHOLD = 0.8
"""Least density of a box by default (four in five of its points are cases)."""

MAX_BOXES = 3
"""Most boxes searched (each among the points the earlier ones leave)."""

MIN_MASS = 0.05
"""Least share of the sample inside a box."""

ORIGIN = "Latin-Hypercube-Punkt der Szenarioentdeckung"
"""How a drawn value was drawn (written into its assumption)."""

OVER_YEARS_TEXT = {
    "sum": "Summe der Jahre",
    "mean": "Mittel der Jahre",
    "last": "letztes Jahr",
    "max": "höchster Wert der Jahre",
}
"""How an outcome's yearly values form its figure, in German."""

_MAX_NUMBER_CHARS = 30

_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*[.,]\d+$")
"""What argparse reads as a negative number rather than an option: ``-5``, ``-1.5`` and,
for German users, ``-1,5`` (argparse's own pattern knows no decimal comma)."""


def _number(text: str) -> float:
    """Argument type: a finite number, German decimal comma allowed (``-1.500,5`` no)."""
    if len(text) > _MAX_NUMBER_CHARS:
        raise argparse.ArgumentTypeError(
            f"„{text[:20]}…“ ist zu lang für eine Zahl (höchstens {_MAX_NUMBER_CHARS} Zeichen)"
        )
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Zahl") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine endliche Zahl")
    return value


def _density(text: str) -> float:
    """Argument type: a share in (0, 1] (``0,8`` or ``0.8``)."""
    value = _number(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"{text} liegt nicht zwischen 0 (ausgeschlossen) und 1 (eingeschlossen)"
        )
    return value


def add_discover_command(commands: Any, int_at_least: Any, scale: Any) -> None:
    """Register ``discover`` on the main parser's subparsers."""
    p = commands.add_parser(
        "discover",
        help="unter welchen Annahmen ein Ergebnis eintritt (Szenarioentdeckung, PRIM)",
        description=(
            "Szenarioentdeckung: das Szenario (mit --baseline die gepaarte Differenz zum "
            "Vergleich) wird an den Punkten eines Latin Hypercube über alle erklärten "
            "Unsicherheiten gerechnet; PRIM sucht die Bereiche der Annahmen, in denen die "
            "Ergebnisgröße über --above oder unter --below liegt, und beschreibt sie in "
            "ganzen Sätzen. Derselbe Befehl setzt fort."
        ),
    )
    if hasattr(p, "_negative_number_matcher"):  # argparse takes ``-1,5`` for an option
        p._negative_number_matcher = _NEGATIVE_NUMBER
    add_study_options(p, int_at_least, scale, replicates=2)
    p.add_argument(
        "--outcome",
        metavar="METRIK",
        required=True,
        help="Ergebnisgröße, die das Szenario erklärt (z. B. total_spent, unmet_need_families)",
    )
    p.add_argument(
        "--above",
        metavar="X",
        type=_number,
        default=None,
        help="Fall: Wert (mit --baseline: Differenz) liegt über X, in der Einheit der Größe",
    )
    p.add_argument(
        "--below",
        metavar="X",
        type=_number,
        default=None,
        help="Fall: Wert (mit --baseline: Differenz) liegt unter X (Anteile als 0,1)",
    )
    p.add_argument(
        "--samples",
        metavar="N",
        type=int_at_least(
            MIN_SAMPLES, MAX_SWEEP_POINTS, "Punkte", "mehr ändert keine Entscheidung"
        ),
        default=DEFAULT_SAMPLES,
        help=(
            f"Punkte des Latin Hypercube, {MIN_SAMPLES} bis {fmt_num(MAX_SWEEP_POINTS)} "
            f"(Vorgabe: {DEFAULT_SAMPLES})"
        ),
    )
    p.add_argument(
        "--threshold",
        metavar="D",
        type=_density,
        default=DEFAULT_THRESHOLD,
        help=(
            "Mindestdichte einer Box: Anteil der Fälle unter ihren Punkten, 0 < D ≤ 1 "
            f"(Vorgabe: {fmt_num(DEFAULT_THRESHOLD, 1)})"
        ),
    )
    p.set_defaults(handler=cmd_discover)


def _case_rule(args: argparse.Namespace) -> tuple[str, float]:
    """``("above", X)`` or ``("below", X)``; exactly one of the two options is needed."""
    if args.above is not None and args.below is not None:
        raise ArgumentError("--above", "nur eines von --above und --below angeben")
    if args.above is None and args.below is None:
        raise ArgumentError(
            "--above", "--above X oder --below X angeben (wann ein Punkt ein Fall ist)"
        )
    return ("above", args.above) if args.above is not None else ("below", args.below)


def _figure(x: float, unit: str) -> str:
    """An outcome's figure with its unit: ``0 €``, ``12,5 %``, ``3 Familien``."""
    text = fmt_figure(x, unit)
    if unit == "ja/nein" or not unit:
        return text
    label = RESULT_UNIT_LABELS.get(unit, unit)
    if text.endswith(" €"):
        return text + label[1:] if label.startswith("€") else text
    return f"{text} {label}"


def _given(x: float, unit: str) -> str:
    """The value the user gave, with its unit and every decimal it has (up to four).

    >>> _given(0.0, "EUR"), _given(-1.5, "EUR"), _given(0.125, "Anteil"), _given(2.25, "Familien")
    ('0 €', '-1,50 €', '12,5 %', '2,25 Familien')
    """
    if float(x).is_integer() and unit != "Anteil":
        return _figure(x, unit)
    shown = 100.0 * x if unit == "Anteil" else x
    if unit in ("EUR", "EUR je JEW"):
        text = fmt_num(shown, 2)
    else:
        text = fmt_num(shown, 4)
        text = text.rstrip("0").rstrip(",") if "," in text else text
    label = RESULT_UNIT_LABELS.get(unit, unit) if unit != "ja/nein" else ""
    return f"{text} {label}".strip()


def _drawn_values(runs: StudyRuns, columns: list[str]) -> pd.DataFrame:
    """The uncertainties' values the scenario's runs used, one row per design point."""
    sweep = runs.plan.sweep
    if sweep is None:  # a study always has its design
        raise ValueError("study without sweep")
    rows = [
        {path: float(overrides[path]["value"]) for path in columns}
        for _, overrides in sweep.points(runs.scenario)
    ]
    return pd.DataFrame(rows, columns=columns)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def cmd_discover(args: argparse.Namespace) -> int:
    """``sozialraum discover``."""
    try:
        direction, value = _case_rule(args)
        options = RunOptions(years=args.years, scale=args.scale, seed_base=args.seed)
        scenario = load_base(args.scenario, options)
        outcome = outcome_of(scenario, args.outcome)
        if not scenario.uncertainties:
            raise ScenarioError(
                scenario.path, "uncertainties", "keine Unsicherheiten erklärt; nichts zu entdecken"
            )
        if args.baseline is not None:
            baseline = load_base(args.baseline, options)
            if baseline.name == scenario.name:
                raise ArgumentError(
                    "--baseline", f"ist dasselbe Szenario „{scenario.name}“ (Differenz immer 0)"
                )
    except ScenarioError as err:
        return _fail(err)
    uncertainties = list(scenario.uncertainties)
    columns = [u.parameter for u in uncertainties]
    sampler = qmc.LatinHypercube(d=len(columns), rng=np.random.default_rng(args.seed))
    unit_samples = sampler.random(args.samples)
    settings: dict[str, Any] = {
        "method": "prim",
        "design": "lhs",
        "outcome": outcome.metric,
        "direction": direction,
        "value": value,
        "threshold": args.threshold,
        "samples": args.samples,
        "replicates": args.replicates,
        "years": args.years,
        "scale": args.scale,
        "seed": args.seed,
        "max_boxes": MAX_BOXES,
        "min_mass": MIN_MASS,
        "uncertainties": columns,
    }
    study = Study(
        args.scenario,
        args.baseline,
        design_sweep(columns, unit_samples, ORIGIN, seed=args.seed),
        replicates=args.replicates,
        seed_base=args.seed,
        years=args.years,
        scale=args.scale,
        extra={"kind": "discover", "samples": args.samples},
    )
    done = run_study(args, [study], {outcome.metric: outcome.over_years})
    if isinstance(done, int):
        return done
    runs = done[0]
    base = runs.baseline
    x = _drawn_values(runs, columns)
    table = point_values(runs.values, runs.scenario.name, base.name if base else None, args.samples)
    y = table[outcome.metric].to_numpy(dtype=float)
    known = np.isfinite(y)
    cases = known & ((y > value) if direction == "above" else (y < value))
    boxes = find_boxes(x, cases, threshold=args.threshold, max_boxes=MAX_BOXES, min_mass=MIN_MASS)

    labels = {u.parameter: u.label for u in uncertainties}
    units = {u.parameter: u.unit for u in uncertainties}
    unit = stored_unit(outcome.metric)
    outcome_text = f"„{outcome.label}“" + (" (Differenz zum Vergleich)" if base else "")
    case_text = f"{'über' if direction == 'above' else 'unter'} {_given(value, unit)}"
    sentences = [box_sentence(b, labels, units, outcome_text, case_text) for b in boxes]
    lines = _report(runs, args, outcome, outcome_text, case_text, unit, y, cases, boxes, sentences)
    n_cases = int(cases.sum())
    result = {
        "n_points": args.samples,
        "n_cases": n_cases,
        "n_missing": int((~known).sum()),
        "values": {
            "min": _finite(float(np.nanmin(y))) if known.any() else None,
            "median": _finite(float(np.nanmedian(y))) if known.any() else None,
            "max": _finite(float(np.nanmax(y))) if known.any() else None,
            "unit": unit,
        },
        "case": case_text,
        "boxes": [box_record(b, labels, units, s) for b, s in zip(boxes, sentences, strict=True)],
        "text": lines,
    }
    analysis_id = store_analysis(
        args,
        "discover",
        runs.scenario.name,
        base.name if base else None,
        [runs.plan.batch_id],
        settings,
        result,
    )
    if isinstance(analysis_id, int):
        return analysis_id
    print("\n".join(lines))
    print(f"Gespeichert als Analyse {analysis_id} in {display_path(args.store)}.")
    return EXIT_OK


def _report(
    runs: StudyRuns,
    args: argparse.Namespace,
    outcome: Any,
    outcome_text: str,
    case_text: str,
    unit: str,
    y: np.ndarray,
    cases: np.ndarray,
    boxes: list[Box],
    sentences: list[str],
) -> list[str]:
    """The German lines of a discovery: setup, how many cases, one sentence per box."""
    scenario: Scenario = runs.scenario
    base = runs.baseline
    n = len(y)
    n_cases = int(cases.sum())
    known = np.isfinite(y)
    against = f" gegen {base.name}" if base is not None else ""
    reps = f"{args.replicates} Wiederholung{'' if args.replicates == 1 else 'en'}"
    lines = [
        f"Szenarioentdeckung (PRIM): {scenario.name}{against}",
        f"  {fmt_num(n)} Punkte (Latin Hypercube über {len(scenario.uncertainties)} erklärte "
        f"Unsicherheiten, Seed {args.seed}), je Punkt Mittel aus {reps}",
        f"  Ergebnisgröße: {outcome_text}, {OVER_YEARS_TEXT.get(outcome.over_years, '')}; "
        f"ein Punkt ist ein Fall, wenn der Wert {case_text} liegt",
    ]
    if known.any():
        lines.append(
            f"  Werte an den Punkten: {_figure(float(np.nanmin(y)), unit)} bis "
            f"{_figure(float(np.nanmax(y)), unit)} (Median {_figure(float(np.nanmedian(y)), unit)})"
        )
    if not known.all():
        lines.append(f"  {fmt_num(int((~known).sum()))} Punkte ohne Wert (kein Fall)")
    lines.append("")
    if n_cases == 0:
        lines.append(
            f"Keiner der {fmt_num(n)} Punkte ist ein Fall: {outcome_text} liegt an keinem "
            f"Punkt {case_text}. Es gibt keine Box zu suchen."
        )
        return lines
    if n_cases == n:
        lines.append(
            f"Alle {fmt_num(n)} Punkte sind Fälle: {outcome_text} liegt an jedem Punkt "
            f"{case_text}, unter allen untersuchten Annahmen. Es gibt keine Box zu suchen."
        )
        return lines
    lines.append(
        f"{fmt_num(n_cases)} von {fmt_num(n)} Punkten sind Fälle ({fmt_pct(n_cases / n, 0)})."
    )
    if not boxes:
        share = n_cases / n
        if share >= args.threshold:
            lines.append(
                f"Schon ohne Einschränkung sind {fmt_pct(share, 0)} der Punkte Fälle "
                f"(Mindestdichte {fmt_pct(args.threshold, 0)}): keine Annahme muss dafür "
                "eingeschränkt sein."
            )
        else:
            lines.append(
                f"Keine Box gefunden, in der mindestens {fmt_pct(args.threshold, 0)} der "
                "Punkte Fälle sind; mehr Punkte (--samples) oder eine kleinere Mindestdichte "
                "(--threshold) versuchen."
            )
        return lines
    for k, sentence in enumerate(sentences, start=1):
        earlier = " und ".join(str(j) for j in range(1, k))
        where = f" (unter den Punkten außerhalb von Box {earlier})" if k > 1 else ""
        lines.extend(["", f"Box {k}{where}: {sentence}"])
    rest = n_cases - sum(b.n_cases_in for b in boxes)
    lines.extend(
        [
            "",
            f"Außerhalb der {'Box' if len(boxes) == 1 else 'Boxen'} liegen noch "
            f"{fmt_num(rest)} der {fmt_num(n_cases)} Fälle.",
        ]
    )
    return lines


__all__ = ["add_discover_command", "cmd_discover"]
