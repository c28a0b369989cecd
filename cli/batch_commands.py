"""Commands on the scenario library and the results store.

``sozialraum scenarios``  the library with one-line descriptions;
``sozialraum batch``      scenarios × sweep points × replicates into the store;
``sozialraum compare``    paired differences of two scenarios per year, and per
                          Sozialraum (cases per help type, spending per pot);
``sozialraum export``     the store as Parquet, CSV for German Excel or XLSX.

Every input problem ends with one ``Fehler:`` line per problem naming file and field,
exit code 2, and nothing written to the store (a batch is planned and validated before the
store is opened). Ctrl-C (or SIGTERM) stops a batch with exit code 130; every run
finished until then is stored and the same command continues.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from cli.tables import add_row, new_table, print_warnings, render
from experiments import (
    BatchInterrupted,
    BatchPlan,
    BatchReport,
    Member,
    PlannedRun,
    StoredBatches,
    load_sweep,
    plan_batch,
    run_batch,
    stored_members,
)
from results import (
    DEFAULT_STORE,
    FORMATS,
    POT_LABELS,
    POTS,
    ResultsStore,
    RunData,
    export_results,
    os_reason,
    paired_by_region,
    paired_differences,
)
from scenarios import (
    LIBRARY_DIR,
    MAX_REPLICATES,
    MAX_SEED,
    MAX_WORKERS,
    MAX_YEARS,
    MISSING,
    REPLICATES_WHY,
    SEED_WHY,
    WORKERS_WHY,
    YEARS_WHY,
    Scenario,
    ScenarioError,
    display_path,
    find_scenario,
    fmt_eur,
    fmt_num,
    list_scenarios,
    load_scenario,
)

EXIT_OK, EXIT_FAILURE, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
TOTAL_REGION = "Gesamt"
"""Region of the results that is the whole Kreis."""


def add_commands(commands: Any, int_at_least: Any, scale: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    sc = commands.add_parser(
        "scenarios",
        help="die Szenariobibliothek zeigen",
        description="Alle mitgelieferten Szenarien mit einer Zeile Beschreibung.",
    )
    sc.set_defaults(handler=cmd_scenarios)

    b = commands.add_parser(
        "batch",
        help="viele Läufe in den Ergebnisspeicher rechnen",
        description=(
            "Szenarien × Sweep-Punkte × Wiederholungen rechnen und speichern. Derselbe "
            "Befehl setzt einen abgebrochenen Batch fort."
        ),
    )
    b.add_argument("scenarios", nargs="+", metavar="SZENARIO", help="Namen oder YAML-Pfade")
    b.add_argument(
        "--replicates",
        type=int_at_least(1, MAX_REPLICATES, "Wiederholungen", REPLICATES_WHY),
        default=10,
        help=(
            "Wiederholungen je Szenario und Punkt (Seeds 1…N; höchstens "
            f"{fmt_num(MAX_REPLICATES)}; Vorgabe: 10)"
        ),
    )
    b.add_argument("--sweep", metavar="DATEI", default=None, help="Sweep-Datei (YAML)")
    _common(b, int_at_least, scale)
    _scheduler(b)
    b.set_defaults(handler=cmd_batch)

    c = commands.add_parser(
        "compare",
        help="zwei Szenarien gepaart vergleichen",
        # a description is printed as written (only help texts are %-formatted)
        description=(
            "B gegen A: Median und 90-%-Intervall der gepaarten Differenz je Jahr "
            "(gleiche Seeds), dazu Fälle je Sozialraum und Hilfeart und Ausgaben je "
            "Sozialraum und Topf. Fehlende Läufe werden zuerst gerechnet und gespeichert."
        ),
    )
    c.add_argument("a", metavar="A", help="Basisszenario")
    c.add_argument("b", metavar="B", help="Vergleichsszenario")
    c.add_argument(
        "--region",
        metavar="NAME",
        default=None,
        help=(
            "nur diese Region (Sozialraum), auch für die Ergebnisgrößen "
            "(Vorgabe: der ganze Kreis und jede Region)"
        ),
    )
    c.add_argument(
        "--replicates",
        type=int_at_least(2, MAX_REPLICATES, "Wiederholungen", REPLICATES_WHY),
        default=10,
        help=f"Wiederholungen, höchstens {fmt_num(MAX_REPLICATES)} (Vorgabe: 10)",
    )
    _common(c, int_at_least, scale)
    c.set_defaults(handler=cmd_compare)

    e = commands.add_parser(
        "export",
        help="Ergebnisse exportieren (Parquet, CSV für Excel, XLSX)",
        description="Läufe aus dem Ergebnisspeicher exportieren.",
    )
    e.add_argument("--format", choices=FORMATS, default="csv", help="Format (Vorgabe: csv)")
    e.add_argument(
        "--out", metavar="ZIEL", required=True, help="Verzeichnis (Parquet, CSV) oder .xlsx-Datei"
    )
    e.add_argument("--batch", default=None, help="nur dieser Batch")
    e.add_argument(
        "--szenario", action="append", default=[], metavar="NAME", help="nur dieses Szenario"
    )
    e.add_argument(
        "--aggregiert",
        action="store_true",
        help=(
            "nur Zusammenfassungen (Median und 5-/95-%%-Quantil je Szenario und je Punkt) "
            "statt aller Werte: passt in Excel (CSV, XLSX)"
        ),
    )
    e.add_argument("--store", metavar="DATEI", default=str(DEFAULT_STORE), help="Ergebnisspeicher")
    e.set_defaults(handler=cmd_export)

    d = commands.add_parser(
        "dashboard",
        help="das Dashboard im Browser öffnen",
        description=(
            "Dash-Oberfläche auf dem Ergebnisspeicher. Nur auf 127.0.0.1 ohne Anmeldung; "
            "jede andere Adresse braucht SOZIALRAUM_DASHBOARD_USER und "
            "SOZIALRAUM_DASHBOARD_PASSWORD."
        ),
    )
    d.add_argument("--store", metavar="DATEI", default=str(DEFAULT_STORE), help="Ergebnisspeicher")
    d.add_argument("--host", default="127.0.0.1", help="Adresse (Vorgabe: 127.0.0.1)")
    d.add_argument("--port", type=_port, default=8050, help="Port 1–65535 (Vorgabe: 8050)")
    d.add_argument(
        "--workers",
        type=_server_workers,
        default=None,
        help="Serverprozesse, höchstens 64 (Vorgabe: alle Kerne; 1 = ein Prozess mit Threads)",
    )
    d.set_defaults(handler=cmd_dashboard)


def _common(p: argparse.ArgumentParser, int_at_least: Any, scale: Any) -> None:
    p.add_argument(
        "--store",
        metavar="DATEI",
        default=str(DEFAULT_STORE),
        help=f"Ergebnisspeicher, DuckDB (Vorgabe: {DEFAULT_STORE})",
    )
    p.add_argument(
        "--workers",
        type=int_at_least(1, MAX_WORKERS, "Prozesse", WORKERS_WHY),
        default=min(os.cpu_count() or 1, MAX_WORKERS),
        help=f"lokale Prozesse, höchstens {MAX_WORKERS} (Vorgabe: alle Kerne)",
    )
    p.add_argument(
        "--seed",
        type=int_at_least(0, MAX_SEED, "", SEED_WHY),
        default=1,
        help=f"erster Seed, 0 bis {fmt_num(MAX_SEED)} (Vorgabe: 1)",
    )
    p.add_argument(
        "--years",
        type=int_at_least(1, MAX_YEARS, "Jahre", YEARS_WHY),
        default=None,
        help=f"simulierte Jahre, höchstens {MAX_YEARS}",
    )
    p.add_argument("--scale", type=scale, default=None, help="Anteil der Bevölkerung, 0 < F ≤ 1")


def _scheduler(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scheduler",
        metavar="ADRESSE",
        default=None,
        help="Dask-Scheduler, z. B. tcp://rechner:8786 (statt lokaler Prozesse)",
    )


def calibration_notes(scenarios: Sequence[Scenario]) -> list[str]:
    """The calibration warnings of a command's scenarios (stale or of unknown freshness).

    See :func:`calibration.freshness.calibration_warnings`. The commands that run
    scenarios (``run``, ``batch``, ``compare``) print them to standard error after
    their results, once per command, without changing the exit code.
    """
    from calibration.freshness import calibration_warnings  # late, as calibrate's imports

    return calibration_warnings(scenarios)


def _fail(err: ScenarioError | str) -> int:
    """Print the ``Fehler:`` lines (one per problem, each on one line) and return 2."""
    text = err.cli_line() if isinstance(err, ScenarioError) else err
    lines = (" ".join(line.split()) for line in text.splitlines())
    print("\n".join(line for line in lines if line), file=sys.stderr)
    return EXIT_INPUT


# =========================================================================== scenarios


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``sozialraum scenarios``."""
    names = list_scenarios()
    width = max(len(n) for n in names)
    current = None
    for name in names:
        folder = find_scenario(name).parent.relative_to(LIBRARY_DIR).as_posix()
        if folder != current:
            print(f"\n{folder}:" if current is not None else f"{folder}:")
            current = folder
        try:
            sc = load_scenario(name)
            text = sc.title or _first_sentence(sc.description)
        except ScenarioError as err:
            text = f"(fehlerhaft: {err.message})"
        print(f"  {name.ljust(width)}  {textwrap.shorten(text, 100, placeholder=' …')}")
    return EXIT_OK


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    for end in (". ", "; "):
        if end in text:
            return text.split(end)[0] + "."
    return text


# =========================================================================== batch


class _Progress:
    """A rich progress bar with ETA on a terminal, else one line per run."""

    def __init__(self, plan: BatchPlan) -> None:
        self.plan = plan
        self.tty = sys.stderr.isatty()
        self.k = 0
        self.total = 0
        self._bar: Any = None

    def start(self, todo: int, done: int) -> None:
        self.total = todo
        print(
            f"Batch {self.plan.batch_id}: {todo + done} Läufe geplant, {done} schon gespeichert, "
            f"{todo} zu rechnen.",
            flush=True,
        )
        if self.tty and todo:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("Läufe"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("vergangen"),
                TimeElapsedColumn(),
                TextColumn("verbleibend"),
                TimeRemainingColumn(),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("läufe", total=todo)

    def run(self, run: PlannedRun, data: RunData | None, error: str | None) -> None:
        self.k += 1
        if self._bar is not None:
            self._bar.advance(self._task)
            if error:
                self._bar.console.print(f"Lauf fehlgeschlagen: {_describe(run)}: {error}")
            return
        what = "gespeichert" if data is not None else f"FEHLGESCHLAGEN ({error})"
        secs = f" ({fmt_num(data.seconds, 2)} s)" if data is not None else ""
        print(f"Lauf {self.k}/{self.total} {what}: {_describe(run)}{secs}", flush=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _describe(run: PlannedRun) -> str:
    point = "" if run.point_id == "basis" else f", Punkt {run.point_id}"
    return f"{run.scenario}{point}, Seed {run.record.seed}"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so a stopped batch ends cleanly."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _stored_batches(store: str) -> StoredBatches:
    """Look-up of a stored batch by recipe, reading the store only (see ``plan_batch``).

    A store that does not exist yet, or cannot be read as it is (an older schema, a
    file in use), has no batch to offer: the plan is then built in full, and opening
    the store for writing afterwards reports any problem with it.
    """

    def lookup(recipe: str) -> list[Member] | None:
        if not Path(store).is_file():
            return None
        try:
            with ResultsStore(store, read_only=True) as s:
                return stored_members(s, recipe)
        except (ScenarioError, OSError):
            return None

    return lookup


def _plan(args: argparse.Namespace, scenarios: list[str]) -> BatchPlan:
    sweep = load_sweep(args.sweep) if getattr(args, "sweep", None) else None
    return plan_batch(
        scenarios,
        args.replicates,
        seed_base=args.seed,
        sweep=sweep,
        years=args.years,
        scale=args.scale,
        stored=_stored_batches(args.store),
    )


def _execute(args: argparse.Namespace, plan: BatchPlan, store: ResultsStore) -> BatchReport:
    progress = _Progress(plan)
    try:
        with _sigterm_as_interrupt():
            return run_batch(
                plan,
                store,
                workers=args.workers,
                scheduler=getattr(args, "scheduler", None),
                on_start=progress.start,
                on_run=progress.run,
            )
    finally:
        progress.stop()


def cmd_batch(args: argparse.Namespace) -> int:
    """``sozialraum batch``."""
    try:
        plan = _plan(args, args.scenarios)
        store = ResultsStore(args.store)
    except ScenarioError as err:
        return _fail(err)
    with store:
        try:
            report = _execute(args, plan, store)
        except BatchInterrupted as exc:
            r = exc.report
            print(
                f"Abgebrochen: {r.already_done + r.ran} von {r.planned} Läufen sind in "
                f"{display_path(args.store)} gespeichert. Derselbe Befehl setzt fort.",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        except ScenarioError as err:  # the store cannot be written (full disk): runs kept
            return _fail(err)
        except OSError as exc:
            return _fail(_os_failure(args, exc))
    _print_report(report, args.store)
    print_warnings(calibration_notes(plan.scenarios))
    return EXIT_OK if not report.failed else EXIT_FAILURE


def _os_failure(args: argparse.Namespace, exc: OSError) -> str:
    """The ``Fehler:`` line for a system error while a batch runs (German, one line)."""
    if getattr(args, "scheduler", None):
        return f"Fehler: Dask-Scheduler {args.scheduler} nicht erreichbar ({os_reason(exc)})"
    return (
        f"Fehler: Datei {display_path(args.store)}: Batch abgebrochen ({os_reason(exc)}); "
        "alle bis dahin fertigen Läufe sind gespeichert, derselbe Befehl setzt fort"
    )


def _print_report(report: BatchReport, store: str) -> None:
    rate = report.ran / report.seconds * 60 if report.seconds > 0 and report.ran else 0.0
    print(
        f"Fertig: {report.ran} Läufe gerechnet, {report.already_done} waren schon gespeichert, "
        f"{len(report.failed)} fehlgeschlagen; {fmt_num(report.seconds, 1)} s"
        + (f" ({fmt_num(rate, 0)} Läufe je Minute)" if rate else "")
        + f". Batch {report.batch_id} in {display_path(store)}."
    )
    for run, error in report.failed:
        print(f"  fehlgeschlagen: {_describe(run)}: {error}")


# =========================================================================== compare


def _region_problem(plan: BatchPlan, region: str | None) -> str | None:
    """The ``Fehler:`` line for a ``--region`` neither scenario has (None: fine)."""
    if region is None or region == TOTAL_REGION:
        return None
    for sc in plan.scenarios:
        names = sc.params.region_names
        if region not in names:
            return (
                f"Fehler: Datei {display_path(sc.path)}, Feld --region: unbekannte Region "
                f"„{region}“ (vorhanden: {', '.join(names)}; {TOTAL_REGION} für den ganzen Kreis)"
            )
    return None


def cmd_compare(args: argparse.Namespace) -> int:
    """``sozialraum compare A B``."""
    try:
        plan = _plan(args, [args.a, args.b])
        store = ResultsStore(args.store)
    except ScenarioError as err:
        return _fail(err)
    a, b = (sc.name for sc in plan.scenarios)
    if a == b:
        store.close()
        return _fail(f"Fehler: A und B sind dasselbe Szenario „{a}“")
    outcomes = plan.scenarios[0].outcomes or plan.scenarios[1].outcomes
    if not outcomes:
        store.close()
        return _fail(
            f"Fehler: Datei {display_path(plan.scenarios[0].path)}, Feld outcomes: "
            "keine Ergebnisgrößen erklärt"
        )
    problem = _region_problem(plan, args.region)
    if problem is not None:
        store.close()
        return _fail(problem)
    region = args.region or TOTAL_REGION
    params = plan.scenarios[0].params
    case_metrics = {f"cases_{h.code}": "mean" for h in params.help_types}
    case_metrics["cases_total"] = "mean"
    money_metrics = {f"spent_{pot}": "sum" for pot in POTS}
    money_metrics["total_spent"] = "sum"
    only = None if args.region is None else [region]
    with store:
        try:
            report = _execute(args, plan, store)
            if report.failed:
                _print_report(report, args.store)
                print_warnings(calibration_notes(plan.scenarios))
                return EXIT_FAILURE
            comparison = paired_differences(
                store, a, b, outcomes, run_ids=plan.run_ids, region=region
            )
            by_region = paired_by_region(
                store, a, b, {**case_metrics, **money_metrics}, run_ids=plan.run_ids, regions=only
            )
        except BatchInterrupted:
            print("Abgebrochen; gerechnete Läufe sind gespeichert.", file=sys.stderr)
            return EXIT_INTERRUPTED
        except ScenarioError as err:  # the store cannot be read or written
            return _fail(err)
        except OSError as exc:
            return _fail(_os_failure(args, exc))
    shown = {o.metric for o in outcomes} & set(comparison.table.get("metric", ()))
    print(
        format_comparison(
            comparison.table,
            a,
            b,
            args.replicates,
            region=region,
            kreis_only=[o.label for o in outcomes if o.metric not in shown],
            by_region=by_region,
            regions=[*params.region_names, TOTAL_REGION] if args.region is None else [region],
            help_types=[(h.code, h.label) for h in params.help_types],
        )
    )
    print_warnings(calibration_notes(plan.scenarios))
    return EXIT_OK


def format_comparison(
    table: Any,
    a: str,
    b: str,
    replicates: int,
    *,
    region: str = TOTAL_REGION,
    kreis_only: Sequence[str] = (),
    by_region: pd.DataFrame | None = None,
    regions: Sequence[str] = (),
    help_types: Sequence[tuple[str, str]] = (),
    width: int | None = None,
) -> str:
    """German text of a comparison: one table per outcome, then per Sozialraum.

    Args:
        table: :attr:`results.Comparison.table` (per outcome and year).
        a: Baseline scenario.
        b: Compared scenario.
        replicates: Paired runs per year.
        region: Region of the outcome tables (``Gesamt``: the whole Kreis).
        kreis_only: Labels of outcomes without figures for ``region`` (Kreis-wide only).
        by_region: :func:`results.paired_by_region` of cases (``cases_<code>``,
            ``cases_total``; mean per year) and spending (``spent_<pot>``,
            ``total_spent``; sum over the years); None: no Sozialraum tables.
        regions: Regions of those tables, in order.
        help_types: (code, German label) of the help types, in order.
        width: Width of the text (default: the terminal's).

    Returns:
        The text.
    """
    where = "der ganze Kreis" if region == TOTAL_REGION else f"Region {region}"
    parts: list[Any] = [
        f"Vergleich {b} (B) gegen {a} (A), {replicates} gepaarte Läufe je Jahr, {where}\n"
        "Differenz B − A: Median [90-%-Intervall]; „besser“/„schlechter“, wenn das ganze "
        "Intervall auf einer Seite liegt."
    ]
    for _metric, block in table.groupby("metric", sort=False):
        first = block.iloc[0]
        unit = str(first["unit"])
        direction = "niedriger ist besser" if first["better"] == "lower" else "höher ist besser"
        parts.append(f"\n{first['label']} ({_unit(unit)}; {direction})")
        out = new_table(
            ["Jahr", "Median A", "Median B", "Differenz", "90-%-Intervall", "Urteil"],
            right={1, 2, 3, 4},
        )
        for _, row in block.iterrows():
            add_row(
                out,
                [
                    "alle Jahre" if row["year"] == 0 else str(row["year"]),
                    fmt_figure(row["median_a"], unit),
                    fmt_figure(row["median_b"], unit),
                    fmt_figure(row["diff_median"], unit, difference=True),
                    _interval(row["diff_low"], row["diff_high"], unit),
                    str(row["verdict"]),
                ],
                end_section=row["year"] != 0 and row.name == block.index[-2],
            )
        parts.append(out)
    if kreis_only:
        parts.append(f"\nNur für den ganzen Kreis erfasst: {', '.join(kreis_only)}")
    if by_region is not None and not by_region.empty:
        cases = [(f"cases_{code}", label) for code, label in help_types]
        cases.append(("cases_total", "Alle Hilfen"))
        money = [(f"spent_{pot}", POT_LABELS[pot]) for pot in POTS]
        money.append(("total_spent", "Insgesamt"))
        parts += [
            "\nFälle je Sozialraum und Hilfeart (Fälle im Jahr, Mittel über die Jahre; "
            "Hilfearten ohne Fälle ausgelassen):",
            _region_table(by_region, regions, cases, "Hilfeart", "Fälle", skip_zero=True),
            "\nAusgaben je Sozialraum und Topf (Summe über die Jahre):",
            _region_table(by_region, regions, money, "Topf", "EUR", skip_zero=False),
        ]
    return render(parts, width)


def _region_table(
    frame: pd.DataFrame,
    regions: Sequence[str],
    rows: Sequence[tuple[str, str]],
    what: str,
    unit: str,
    *,
    skip_zero: bool,
) -> Any:
    """Medians of A and B and the paired difference per region and row (metric)."""
    out = new_table(
        ["Sozialraum", what, "Median A", "Median B", "Differenz", "90-%-Intervall"],
        right={2, 3, 4, 5},
    )
    index = {(r.region, r.metric): r for r in frame.itertuples(index=False)}
    for region in regions:
        shown = []
        for metric, label in rows:
            r = index.get((region, metric))
            if r is None:
                continue
            values = (r.median_a, r.median_b, r.diff_low, r.diff_high)
            if skip_zero and metric != rows[-1][0] and not any(values):
                continue
            shown.append((label, r))
        for k, (label, r) in enumerate(shown):
            add_row(
                out,
                [
                    region if k == 0 else "",
                    label,
                    fmt_figure(r.median_a, unit),
                    fmt_figure(r.median_b, unit),
                    fmt_figure(r.diff_median, unit, difference=True),
                    _interval(r.diff_low, r.diff_high, unit),
                ],
                end_section=k == len(shown) - 1,
            )
    return out


_UNIT_TEXT = {
    "EUR": "€",
    "EUR je JEW": "€ je Jugendeinwohnerwert",
    "Anteil": "Anteil in %, Differenz in Prozentpunkten",
    "ja/nein": "Jahre",
    "je 10.000 u21": "je 10.000 unter 21",
}
"""Unit of an outcome as written after its label."""

COUNT_UNITS = frozenset(
    {"Fälle", "Familien", "Personen", "Termine", "Projekte", "Träger", "ja/nein", "JEW"}
)
"""Units of counts: shown without decimals when whole (``0``, not ``0,000``), else one."""


def _unit(unit: str) -> str:
    return _UNIT_TEXT.get(unit, unit)


def fmt_figure(x: float, unit: str, *, difference: bool = False) -> str:
    """A figure of a comparison in German, by its stored unit.

    Money as ``1.234 €``, shares in percent (differences in percentage points),
    counts without decimals when whole, other figures with as many decimals as
    their size needs.

    Args:
        x: The figure.
        unit: Its unit as stored (``EUR``, ``Fälle``, ``Anteil``, ``ja/nein`` …).
        difference: Whether it is a difference ``B − A`` (a sign for gains).

    Returns:
        The text; ``–`` for a missing figure.

    >>> fmt_figure(0.0, "ja/nein"), fmt_figure(1.5, "ja/nein"), fmt_figure(-2500, "EUR")
    ('0', '1,5', '-2.500 €')
    >>> fmt_figure(0.125, "Anteil"), fmt_figure(0.01, "Anteil", difference=True)
    ('12,5', '+1,0')
    """
    if x != x:
        return MISSING
    if unit in ("EUR", "EUR je JEW"):
        text = fmt_eur(x, 2 if unit == "EUR je JEW" else 0)
    elif unit == "Anteil":
        text = fmt_num(100 * x, 1)
    elif unit in COUNT_UNITS:
        text = fmt_num(x, 0) if float(x).is_integer() else fmt_num(x, 1)
    elif abs(x) >= 1000:
        text = fmt_num(x, 0)
    elif abs(x) >= 10 or x == 0:
        text = fmt_num(x, 1)
    else:
        text = fmt_num(x, 3)
    return f"+{text}" if difference and x > 0 else text


def _interval(lo: float, hi: float, unit: str) -> str:
    return f"[{fmt_figure(lo, unit)}; {fmt_figure(hi, unit)}]"


# =========================================================================== export


def cmd_export(args: argparse.Namespace) -> int:
    """``sozialraum export``."""
    store_path = Path(args.store)
    try:
        with ResultsStore(store_path, read_only=True) as store:
            done = export_results(
                store,
                args.format,
                Path(args.out),
                batch_id=args.batch,
                scenarios=args.szenario,
                aggregated=args.aggregiert,
            )
    except ScenarioError as err:
        return _fail(err)
    for p in done.paths:
        print(f"geschrieben: {display_path(p)}")
    for note in done.notes:
        print(note)
    return EXIT_OK


# =========================================================================== dashboard


def _dashboard_number(text: str, check: Any) -> int:
    from dashboard import ServeError

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl") from None
    try:
        return int(check(value))
    except ServeError as err:
        raise argparse.ArgumentTypeError(str(err).split(": ", 1)[-1]) from None


def _port(text: str) -> int:
    """``--port``: 1–65535 (:data:`dashboard.server.PORT_MAX`), checked before anything."""
    from dashboard import check_port

    return _dashboard_number(text, check_port)


def _server_workers(text: str) -> int:
    """``--workers`` of the dashboard: 1 to :data:`dashboard.server.WORKERS_MAX`."""
    from dashboard import check_workers

    return _dashboard_number(text, check_workers)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``sozialraum dashboard``."""
    from dashboard import ServeError, check_bind, check_store, credentials, serve

    try:
        credentials(args.host)  # refuse before loading anything
        check_store(args.store)
        check_bind(args.host, args.port)
        serve(args.store, args.host, args.port, workers=args.workers)
    except ServeError as err:
        return _fail(f"Fehler: {err}")
    except ScenarioError as err:
        return _fail(err)
    except OSError as exc:  # the store or the port, after the checks above
        return _fail(f"Fehler: Port {args.port} auf {args.host} nicht nutzbar ({exc.errno})")
    return EXIT_OK


__all__ = ["add_commands", "calibration_notes", "format_comparison"]
