"""``sozialraum optimise``: robust multi-objective search over a scenario's levers.

``sozialraum optimise SZENARIO [--levers P1,P2,…] [--objectives O1,O2,…]
[--generations G] [--population P] [--samples S] [--replicates R] [--years Y]
[--scale F] [--store DATEI] [--workers W] [--seed N]`` runs NSGA-II (pymoo) over the
levers the scenario declares (:class:`experiments.LeverSpace`). Every candidate is
evaluated at the same Latin hypercube of ``S`` points over all declared
uncertainties (seeded by ``--seed``) with the same ``R`` replicate seeds (common
random numbers); its objectives are computed from the values per run (median and
90th percentile of the spending, mean unmet need, provider exits, overspend
probability; :data:`experiments.OBJECTIVES`). A generation is one batch (a
:class:`experiments.Study` whose sweep holds each new candidate as a lever setting):
every run is stored, so a killed search started again with the same command replays
(the same seed proposes the same candidates, their runs are found in the store) and
reaches the same front.

The shipped variants of the same system (every library scenario in the scenario's
folder) are each run as their own study at the same points and seeds: they differ
from the scenario in more than the searched levers (other incentive parameters,
allocation indicators, group offers with their own uncertainties), so they cannot be
lever settings of it. A variant's uncertainties that the scenario does not declare
keep the variant's own values; the shared ones get the same points. Each variant is
then checked against the front (``dominiert von Kandidat 3`` / ``nicht dominiert``).

The front, every evaluated candidate and the variants with their dominance are
stored as an analysis (kind ``optimise``) in the results store.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table

from cli.batch_commands import _fail
from cli.study_commands import StudyRuns, add_study_options, run_study, store_analysis
from cli.tables import add_row, new_table, render
from experiments import (
    DEFAULT_OBJECTIVES,
    OBJECTIVES,
    SCHEME,
    SEARCH_ORIGIN,
    LeverSpace,
    SearchResult,
    Study,
    code_version,
    design_sweep,
    dominates,
    load_base,
    objective_metrics,
    objective_values,
    point_index,
    run_values,
    search,
    uncertainty_sample,
)
from results import CHOICE_LABELS, ResultsStore
from scenarios import (
    MAX_SWEEP_POINTS,
    ArgumentError,
    Scenario,
    ScenarioError,
    check_batch_size,
    display_path,
    find_scenario,
    fmt_eur,
    fmt_num,
    fmt_pct,
    list_scenarios,
)

MAX_GENERATIONS = 200
"""Most generations of a search (``--generations``): NSGA-II on a handful of levers
settles within a few dozen; 200 leave a wide margin and bound the batches."""

MAX_POPULATION = 200
"""Largest population (``--population``): candidates per generation and batch."""

MAX_SAMPLES = 200
"""Most points of the uncertainty sample (``--samples``) every candidate runs at."""


def _names(text: str) -> list[str]:
    """``a,b, c`` → ``["a", "b", "c"]`` (empty parts dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def add_optimise_command(commands: Any, int_at_least: Any, scale: Any) -> None:
    """Register ``optimise`` on the main parser's subparsers."""
    p = commands.add_parser(
        "optimise",
        help="robuste Suche nach guten Hebelwerten (Pareto-Front, NSGA-II)",
        description=(
            "Mehrzielsuche (NSGA-II) über die Hebel eines Szenarios: jeder Kandidat wird "
            "über dieselbe Stichprobe der Unsicherheiten und dieselben Seeds gerechnet; "
            "ausgegeben werden die nicht dominierten Kandidaten (Pareto-Front) und wo die "
            "mitgelieferten Varianten liegen. Jeder Lauf wird gespeichert; derselbe Befehl "
            "setzt eine abgebrochene Suche fort."
        ),
    )
    add_study_options(p, int_at_least, scale, replicates=1)
    p.add_argument(
        "--levers",
        metavar="P1,P2,…",
        default=None,
        help=(
            "durchsuchte Hebel (Pfade aus levers: des Szenarios); Vorgabe: "
            "budget.bound_share, budget.regional2_share, incentive.scheme (mit erklärten "
            "Parametern), budget.allocation_key, soweit erklärt"
        ),
    )
    p.add_argument(
        "--objectives",
        metavar="O1,O2,…",
        default=None,
        help=(
            f"Ziele, alle minimiert: {', '.join(OBJECTIVES)} (Vorgabe: "
            f"{', '.join(DEFAULT_OBJECTIVES)})"
        ),
    )
    p.add_argument(
        "--generations",
        type=int_at_least(1, MAX_GENERATIONS, "Generationen", "ein Batch je Generation"),
        default=10,
        help=f"Generationen, höchstens {MAX_GENERATIONS} (Vorgabe: 10)",
    )
    p.add_argument(
        "--population",
        type=int_at_least(4, MAX_POPULATION, "Kandidaten", "Kandidaten je Generation"),
        default=20,
        help=f"Kandidaten je Generation, 4 bis {MAX_POPULATION} (Vorgabe: 20)",
    )
    p.add_argument(
        "--samples",
        type=int_at_least(1, MAX_SAMPLES, "Punkte", "Punkte je Kandidat"),
        default=8,
        help=(
            f"Punkte der Stichprobe der Unsicherheiten (Latin Hypercube), höchstens "
            f"{MAX_SAMPLES} (Vorgabe: 8)"
        ),
    )
    p.set_defaults(handler=cmd_optimise)


class _Stopped(Exception):
    """A batch of the search ended with an exit code (its lines are printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class _Variant:
    """A shipped variant evaluated at the search's points."""

    scenario: Scenario
    levers: dict[str, Any]
    objectives: np.ndarray
    batch_id: str


def _objectives(scenario: Scenario, text: str | None) -> list[str]:
    """The objectives ``--objectives`` names (default :data:`experiments.DEFAULT_OBJECTIVES`).

    Raises:
        ScenarioError: Field ``--objectives``: an unknown or doubled objective, fewer than two.
    """
    names = list(DEFAULT_OBJECTIVES) if text is None else _names(text)
    if not names:
        raise ScenarioError(scenario.path, "--objectives", "keine Ziele angegeben")
    for name in names:
        if name not in OBJECTIVES:
            raise ScenarioError(
                scenario.path,
                "--objectives",
                f"Ziel „{name}“ gibt es nicht; erlaubt: {', '.join(OBJECTIVES)}",
            )
    if len(set(names)) != len(names):
        raise ScenarioError(scenario.path, "--objectives", "ein Ziel ist doppelt")
    if len(names) < 2:
        raise ScenarioError(
            scenario.path, "--objectives", "mindestens zwei Ziele (eine Mehrzielsuche)"
        )
    return names


def _variants(scenario: Scenario) -> list[Scenario]:
    """The library scenarios in the scenario's folder (itself included), loaded, by name.

    Loaded before the search, so a broken variant stops the command before anything runs.

    Raises:
        ScenarioError: For a variant that cannot be loaded.
    """
    folder = scenario.path.resolve().parent
    names = [n for n in list_scenarios() if find_scenario(n).resolve().parent == folder]
    return [load_base(name) for name in names]


def _check_size(args: argparse.Namespace) -> None:
    """Refuse a generation beyond the sweep and batch limits before anything is loaded.

    Raises:
        ArgumentError: Points (population × samples) or runs beyond their limits.
    """
    points = args.population * args.samples
    if points > MAX_SWEEP_POINTS:
        raise ArgumentError(
            "--samples",
            f"{fmt_num(args.population)} Kandidaten × {fmt_num(args.samples)} Punkte = "
            f"{fmt_num(points)} Punkte je Generation; höchstens {fmt_num(MAX_SWEEP_POINTS)}",
        )
    check_batch_size(1, points, args.replicates, args.seed)


def _per_run(
    store_path: str, runs: StudyRuns, samples: int, metrics: dict[str, str]
) -> pd.DataFrame:
    """candidate, run_id, metric, value of a study's runs (candidate from the plan's point)."""
    candidate = {r.run_id: point_index(r.point_id) // samples for r in runs.plan.runs}
    with ResultsStore(store_path, read_only=True) as store:
        values = run_values(store, runs.plan.run_ids, metrics)
    return values.assign(candidate=values["run_id"].map(candidate))


def cmd_optimise(args: argparse.Namespace) -> int:
    """``sozialraum optimise``."""
    if args.baseline is not None:
        return _fail(
            "Fehler: Aufruf ungültig, Angabe --baseline: optimise vergleicht die Kandidaten "
            "nicht mit einem Vergleichsszenario, sondern mit den mitgelieferten Varianten"
        )
    try:
        _check_size(args)
        base = load_base(args.scenario)
        space = LeverSpace.from_scenario(base, _names(args.levers) if args.levers else None)
        names = _objectives(base, args.objectives)
        columns = [u.parameter for u in base.uncertainties]
        if not columns:
            raise ScenarioError(
                base.path,
                "uncertainties",
                "Szenario erklärt keine Unsicherheiten; robuste Suche braucht welche",
            )
        variants = _variants(base)
    except ScenarioError as err:
        return _fail(err)
    metrics = objective_metrics(names)
    samples = uncertainty_sample(len(columns), args.samples, args.seed)
    batch_ids: list[str] = []

    def study(
        scenario: str,
        cols: Sequence[str],
        rows: np.ndarray,
        settings: list[dict[str, Any]],
        extra: dict[str, Any],
        stored_as: str | None = None,
    ) -> Study:
        sweep = design_sweep(cols, rows, SEARCH_ORIGIN, seed=args.seed, settings=settings)
        return Study(
            scenario,
            None,
            sweep,
            replicates=args.replicates,
            seed_base=args.seed,
            years=args.years,
            scale=args.scale,
            extra={"method": "optimise", "samples": args.samples, **extra},
            stored_as=stored_as,
        )

    generation = [0]

    def on_generation(g: int, proposed: int, new: int) -> None:
        generation[0] = g
        print(
            f"Generation {g}/{args.generations}: {proposed} Kandidaten, {new} neu zu bewerten.",
            flush=True,
        )

    def evaluate(candidates: list[dict[str, Any]]) -> np.ndarray:
        settings = [space.overrides(c) for c in candidates]
        runs = run_study(
            args,
            [
                study(
                    args.scenario,
                    columns,
                    samples,
                    settings,
                    {"generation": generation[0]},
                    stored_as=candidates_name(base.name),
                )
            ],
            metrics,
        )
        if isinstance(runs, int):
            raise _Stopped(runs)
        batch_ids.append(runs[0].plan.batch_id)
        per_run = _per_run(args.store, runs[0], args.samples, metrics)
        return objective_values(per_run, names, len(candidates))

    try:
        result = search(
            space,
            evaluate,
            len(names),
            generations=args.generations,
            population=args.population,
            seed=args.seed,
            on_generation=on_generation,
        )
        shipped = _evaluate_variants(args, space, variants, columns, samples, metrics, names, study)
    except _Stopped as stop:
        return stop.code
    except ScenarioError as err:
        return _fail(err)

    settings = {
        "scenario": base.name,
        "scenario_sha256": base.sha256,
        "levers": space.paths,
        "objectives": names,
        "generations": args.generations,
        "population": args.population,
        "samples": args.samples,
        "replicates": args.replicates,
        "years": args.years,
        "scale": args.scale,
        "seed": args.seed,
        "uncertainties": columns,
        "algorithm": "NSGA-II (pymoo)",
        "code_version": code_version(),
    }
    all_batches = [*batch_ids, *(v.batch_id for v in shipped)]
    stored = _result(space, names, result, shipped)
    aid = store_analysis(args, "optimise", base.name, None, all_batches, settings, stored)
    if isinstance(aid, int):
        return aid
    print(render(_report(args, base, space, names, result, shipped, len(columns))))
    print(f"Gespeichert: Analyse {aid} (optimise) in {display_path(args.store)}.")
    return 0


def candidates_name(scenario: str) -> str:
    """Name under which a search stores its candidates' runs (never the scenario's own).

    >>> candidates_name("lueneburg-rb2-20-rueckbehalt")
    'lueneburg-rb2-20-rueckbehalt-suche'
    """
    return f"{scenario}-suche"


def _evaluate_variants(
    args: argparse.Namespace,
    space: LeverSpace,
    variants: list[Scenario],
    columns: list[str],
    samples: np.ndarray,
    metrics: dict[str, str],
    names: list[str],
    study: Callable[..., Study],
) -> list[_Variant]:
    """Run every shipped variant at the search's points and seeds; their objectives."""
    studies: list[Study] = []
    loaded: list[Scenario] = []
    for variant in variants:
        declared = {u.parameter for u in variant.uncertainties}
        idx = [i for i, c in enumerate(columns) if c in declared]
        if not idx:
            continue  # declares none of the uncertainties: nothing to compare at the points
        loaded.append(variant)
        studies.append(
            study(variant.name, [columns[i] for i in idx], samples[:, idx], [], {"variant": True})
        )
    if not studies:
        return []
    print(f"Mitgelieferte Varianten: {len(studies)} an denselben Punkten und Seeds.", flush=True)
    runs = run_study(args, studies, metrics)
    if isinstance(runs, int):
        raise _Stopped(runs)
    out: list[_Variant] = []
    for variant, study_runs in zip(loaded, runs, strict=True):
        with ResultsStore(args.store, read_only=True) as store:
            values = run_values(store, study_runs.plan.run_ids, metrics)
        objectives = objective_values(values.assign(candidate=0), names, 1)[0]
        out.append(
            _Variant(variant, space.values_of(variant), objectives, study_runs.plan.batch_id)
        )
    return out


# =========================================================================== output


def _lever_text(space: LeverSpace, path: str, value: Any) -> str:
    """A lever's value, German style (shares in %, euros, scheme names)."""
    if value is None:
        return "–"
    lever = space.lever(path)
    if not lever.numeric:
        labels = CHOICE_LABELS.get(path, {})
        return str(labels.get(value, value)) if labels else str(value)
    unit = lever.unit or ""
    if unit.startswith("share"):
        return fmt_pct(float(value), 1)
    if unit.startswith("EUR"):
        return fmt_eur(float(value), 2 if unit == "EUR/FLS" else 0)
    return f"{fmt_num(float(value), 2)} {unit}".strip()


def _objective_text(name: str, value: float) -> str:
    """An objective's value, German style (euros, shares in %, numbers)."""
    kind = OBJECTIVES[name].kind
    if kind == "eur":
        return fmt_eur(value)
    if kind == "pct":
        return fmt_pct(value, 0)
    return fmt_num(value, 1)


def _front_numbers(result: SearchResult, others: np.ndarray, against: str) -> list[list[int]]:
    """Per row of ``others``: the front candidates (1-based) it is dominated by / dominates."""
    front = result.front_objectives()
    out: list[list[int]] = []
    for row in others:
        if against == "by":
            out.append([k + 1 for k, f in enumerate(front) if dominates(f, row)])
        else:
            out.append([k + 1 for k, f in enumerate(front) if dominates(row, f)])
    return out


def _dominance_text(by: list[int], over: list[int]) -> str:
    """``dominiert von Kandidat 1, 3`` or ``nicht dominiert`` (``; dominiert Kandidat 2``)."""
    if by:
        return f"dominiert von Kandidat {', '.join(str(k) for k in by)}"
    text = "nicht dominiert"
    if over:
        text += f"; dominiert Kandidat {', '.join(str(k) for k in over)}"
    return text


HEADERS = {
    "kosten_median": "Ausgaben\n(Median)",
    "kosten_p90": "Ausgaben\n(90. Per-\nzentil)",
    "unversorgt": "Latenter\nBedarf\n(Familien)",
    "traegeraustritte": "Markt-\naustritte",
    "ueberschreitung": "Überschrei-\ntungs-\nwahrschein-\nlichkeit",
}
"""Objective headings broken for narrow columns (the notes below a table give the
full labels)."""


def _header(name: str) -> str:
    """An objective's column heading, broken into lines."""
    return HEADERS.get(name, OBJECTIVES[name].label.replace(" (", "\n("))


def _table(first: str, space: LeverSpace, names: list[str], rows: list[list[str]]) -> Table:
    """A table: a name, the lever values, the objective values."""
    headers = [first, *(lever.label for lever in space.levers), *(_header(n) for n in names)]
    n_lev = len(space.levers)
    table = new_table(headers, right=range(n_lev + 1, len(headers)))
    table.columns[0].no_wrap = True
    for j in range(1, n_lev + 1):  # wide enough for the longest word: never cut
        texts = [headers[j], *(row[j] for row in rows)]
        table.columns[j].min_width = max(len(w) for t in texts for w in t.split())
    for row in rows:
        add_row(table, row)
    return table


def _plural(n: int, one: str, many: str) -> str:
    """``1 Jahr``, ``3 Jahre``."""
    return f"{fmt_num(n)} {one if n == 1 else many}"


def _report(
    args: argparse.Namespace,
    base: Scenario,
    space: LeverSpace,
    names: list[str],
    result: SearchResult,
    shipped: list[_Variant],
    n_columns: int,
) -> list[Any]:
    years = args.years or base.params.years
    scale = base.params.scale if args.scale is None else args.scale
    generations = _plural(result.generations, "Generation", "Generationen")
    parts: list[Any] = [
        f"Pareto-Front: {base.name} — {len(result.front)} von {len(result.evaluated)} "
        f"bewerteten Kandidaten nicht dominiert ({generations} NSGA-II, Seed {args.seed})",
        f"Jeder Kandidat: {_plural(args.samples, 'Punkt', 'Punkte')} der {n_columns} "
        f"Unsicherheiten (Latin Hypercube) × "
        f"{_plural(args.replicates, 'Wiederholung', 'Wiederholungen')} = "
        f"{_plural(args.samples * args.replicates, 'Lauf', 'Läufe')}, "
        f"{_plural(years, 'Jahr', 'Jahre')}, {fmt_pct(scale, 0)} der Bevölkerung; alle Ziele "
        "werden minimiert.",
    ]

    def cells(levers: dict[str, Any], objectives: np.ndarray) -> list[str]:
        return [
            *(_lever_text(space, p, levers[p]) for p in space.paths),
            *(_objective_text(n, float(v)) for n, v in zip(names, objectives, strict=True)),
        ]

    rows = [
        [str(k), *cells(result.evaluated[i].candidate, result.evaluated[i].objectives)]
        for k, i in enumerate(result.front, start=1)
    ]
    parts.append(_table("Kandidat", space, names, rows))
    if shipped:
        values = np.array([v.objectives for v in shipped])
        by = _front_numbers(result, values, "by")
        over = _front_numbers(result, values, "over")
        parts.append(
            f"Mitgelieferte Varianten ({base.path.parent.name}), dieselben Punkte und Seeds:"
        )
        rows = [[v.scenario.name, *cells(v.levers, v.objectives)] for v in shipped]
        parts.append(_table("Variante", space, names, rows))
        width = max(len(v.scenario.name) for v in shipped)
        lines = [
            f"  {v.scenario.name + ':':<{width + 1}} {_dominance_text(b_, o_)}"
            for v, b_, o_ in zip(shipped, by, over, strict=True)
        ]
        parts.append("Lage zur Pareto-Front:\n" + "\n".join(lines))
    else:
        parts.append("Keine mitgelieferten Varianten im Ordner des Szenarios.")
    notes = [f"{OBJECTIVES[n].label}: {OBJECTIVES[n].explanation}." for n in names]
    if SCHEME in space.paths:
        notes.append(
            "Parameter eines Anreizsystems, die kein Hebel sind: wie im Szenario, wenn der "
            "Kandidat dessen System hat, sonst der Wert der Was-wäre-wenn-Seite."
        )
    parts.append("\n".join(notes))
    return parts


def _result(
    space: LeverSpace, names: list[str], result: SearchResult, shipped: list[_Variant]
) -> dict[str, Any]:
    """What the analysis stores: front, every candidate, the variants with dominance."""

    def objectives(row: np.ndarray) -> dict[str, float]:
        return {n: float(v) for n, v in zip(names, row, strict=True)}

    front_set = set(result.front)
    values = np.array([v.objectives for v in shipped]).reshape(len(shipped), len(names))
    by = _front_numbers(result, values, "by")
    over = _front_numbers(result, values, "over")
    return {
        "levers": space.paths,
        "objectives": names,
        "front": [
            {
                "kandidat": k,
                "levers": result.evaluated[i].candidate,
                "objectives": objectives(result.evaluated[i].objectives),
                "generation": result.evaluated[i].generation,
            }
            for k, i in enumerate(result.front, start=1)
        ],
        "evaluated": [
            {
                "levers": e.candidate,
                "objectives": objectives(e.objectives),
                "generation": e.generation,
                "front": i in front_set,
            }
            for i, e in enumerate(result.evaluated)
        ],
        "variants": [
            {
                "scenario": v.scenario.name,
                "levers": v.levers,
                "objectives": objectives(v.objectives),
                "dominated_by": b,
                "dominates": o,
            }
            for v, b, o in zip(shipped, by, over, strict=True)
        ],
    }


__all__ = ["add_optimise_command", "cmd_optimise"]
