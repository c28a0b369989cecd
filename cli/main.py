"""Command line of the toolkit: ``sozialraum run <szenario>`` and the batch commands.

Runs one scenario once and writes ``results.parquet``, ``ledger.parquet`` and
``providers.parquet`` into an output folder, then prints a German summary in rich
tables (budget and spending per pot and Sozialraum, cases per Sozialraum and help
type, cases per 10.000 unter 21 by help type, unmet need, where the files are, as
``--out`` named them).
The run is built with the batch's recipe (:func:`experiments.run_spec`): ``run
--seed s`` computes exactly the batch's run with seed ``s`` (same years and scale),
including the posterior draw ``(s − 1) mod n`` of a calibrated scenario;
``--punktschaetzung`` runs the calibration's point estimate instead. The summary
says which was used.

Every input problem (scenario, data file, argument, output folder) ends with one
line per problem on stderr, each starting ``Fehler:`` and naming the file and field,
and exit code 2; no traceback. Files are written to a temporary name first and then renamed, so an
error never leaves a half-written file or destroys an earlier result.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from cli.batch_commands import add_commands, calibration_notes
from cli.calibrate_command import add_calibrate_command
from cli.discover_command import add_discover_command
from cli.optimise_command import add_optimise_command
from cli.sensitivity_command import add_sensitivity_command
from cli.tables import add_row, new_table, print_warnings, render
from cli.vorlage_command import add_vorlage_command
from experiments import (
    POINT_ESTIMATE,
    POSTERIOR,
    RunOptions,
    RunSpec,
    load_base,
    run_spec,
)
from model.params import POTS, ModelParams
from results import POT_LABELS
from scenarios import (
    MAX_SEED,
    MAX_YEARS,
    MISSING,
    SEED_WHY,
    YEARS_WHY,
    Scenario,
    ScenarioError,
    check_arguments,
    check_scenario_size,
    display_path,
    fmt_eur,
    fmt_num,
    fmt_pct,
    os_message,
    too_large,
)

EXIT_OK = 0
EXIT_FAILURE = 1
"""Something other than the input went wrong (e.g. the engine is missing)."""
EXIT_INPUT = 2
"""The input was wrong: scenario, data file, argument or output folder."""
EXIT_INTERRUPTED = 130

OUTPUT_FILES = ("results.parquet", "ledger.parquet")
TOTAL_REGION = "Gesamt"
_WIDTH = 100


# =========================================================================== arguments


class _UsageError(Exception):
    """An argument problem, with a German message."""


_USAGE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"Pflichtangabe fehlt: \1"),
    (r"unrecognized arguments: (.*)", r"unbekannte Angabe: \1"),
    (
        r"argument (\S+): invalid choice: '?([^'\s]*)'? \(choose from (.*)\)",
        r"Angabe \1: „\2“ ist nicht möglich (möglich: \3)",
    ),
    (r"argument (\S+): expected one argument", r"Angabe \1: Wert fehlt"),
    (r"argument (\S+): (.*)", r"Angabe \1: \2"),
)


def _german_usage(message: str) -> str:
    for pattern, replacement in _USAGE_PATTERNS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Aufruf: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser with German headings that raises instead of exiting on errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "Angaben"
        self._optionals.title = "Optionen"
        self.add_argument("-h", "--help", action="help", help="diese Hilfe zeigen und beenden")

    def error(self, message: str) -> Any:
        raise _UsageError(_german_usage(message))


def _int_at_least(
    minimum: int, maximum: int | None = None, unit: str = "", why: str = ""
) -> Callable[[str], int]:
    """Argument type: a whole number from ``minimum`` to ``maximum`` (inclusive).

    Args:
        minimum: Smallest allowed value.
        maximum: Largest allowed value (a limit of :mod:`scenarios.limits`), or None.
        unit: German unit shown after the limit.
        why: Short German reason of the limit, shown in the message.

    Returns:
        The parser ``argparse`` calls with the argument's text.
    """

    def parse(text: str) -> int:
        if len(text) > _MAX_NUMBER_CHARS:
            raise argparse.ArgumentTypeError(
                f"„{text[:20]}…“ ist zu lang für eine Zahl (höchstens {_MAX_NUMBER_CHARS} Zeichen)"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} ist kleiner als {minimum}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(too_large(value, maximum, unit, why))
        return value

    return parse


_MAX_NUMBER_CHARS = 30
"""Longest text of a number argument; Python refuses to convert integers of more than
4.300 digits with an English ValueError, and no limit has more than 10 digits."""


def _scale(text: str) -> float:
    if len(text) > _MAX_NUMBER_CHARS:
        raise argparse.ArgumentTypeError(
            f"„{text[:20]}…“ ist zu lang für eine Zahl (höchstens {_MAX_NUMBER_CHARS} Zeichen)"
        )
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Zahl") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} liegt nicht zwischen 0 (ausgeschlossen) und 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (German help texts)."""
    parser = _Parser(
        prog="sozialraum",
        description="Simulation sozialräumlicher Budgets in der Kinder- und Jugendhilfe.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="BEFEHL", parser_class=_Parser, title="Befehle"
    )
    run = commands.add_parser(
        "run",
        help="ein Szenario einmal simulieren",
        description="Ein Szenario einmal simulieren und die Ergebnisse speichern.",
    )
    run.add_argument("scenario", metavar="SZENARIO", help="Szenarioname oder Pfad zur YAML-Datei")
    run.add_argument(
        "--seed",
        type=_int_at_least(0, MAX_SEED, "", SEED_WHY),
        default=1,
        help=f"Startwert des Zufalls, 0 bis {fmt_num(MAX_SEED)} (Vorgabe: 1)",
    )
    run.add_argument(
        "--years",
        type=_int_at_least(1, MAX_YEARS, "Jahre", YEARS_WHY),
        default=None,
        help=f"simulierte Jahre, höchstens {MAX_YEARS} (Vorgabe: Szenario)",
    )
    run.add_argument(
        "--out",
        metavar="ORDNER",
        default=None,
        help="Ausgabeordner (Vorgabe: out/<szenario>)",
    )
    run.add_argument(
        "--scale",
        type=_scale,
        default=None,
        help="Anteil der Bevölkerung, der simuliert wird, 0 < F ≤ 1 (Vorgabe: Szenario)",
    )
    run.add_argument(
        "--punktschaetzung",
        action="store_true",
        help=(
            "mit der Punktschätzung der Kalibrierung rechnen (Vorgabe: wie im Batch die "
            "Posteriori-Ziehung (Seed − 1) mod Anzahl der Ziehungen)"
        ),
    )
    add_commands(commands, _int_at_least, _scale)
    add_calibrate_command(commands, _int_at_least)
    add_discover_command(commands, _int_at_least, _scale)
    add_optimise_command(commands, _int_at_least, _scale)
    add_sensitivity_command(commands, _int_at_least, _scale)
    add_vorlage_command(commands)
    return parser


# =========================================================================== running


def _fail(text: str) -> int:
    """Print the ``Fehler:`` lines (one per problem, each on one line) and return 2."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    print("\n".join(line for line in lines if line), file=sys.stderr)
    return EXIT_INPUT


def _os_line(exc: OSError, fallback: Path, field: str) -> str:
    target = display_path(exc.filename) if exc.filename else display_path(fallback)
    return f"Fehler: Datei {target}, Feld {field}: {os_message(exc)}"


def _engine() -> Callable[..., Any]:
    from model.run import run_once  # imported late: scenario errors need no engine

    return run_once


def with_cli_overrides(params: ModelParams, years: int | None, scale: float | None) -> ModelParams:
    """Apply ``--years``/``--scale`` and record them in the provenance.

    Args:
        params: Parameters from the scenario.
        years: Simulated years, or None to keep the scenario's.
        scale: Population share, or None to keep the scenario's.

    Returns:
        The parameters, replaced where given.
    """
    changes: dict[str, Any] = {}
    if years is not None:
        changes["years"] = years
    if scale is not None:
        changes["scale"] = scale
    if not changes:
        return params
    kept = tuple(p for p in params.provenance if p[0] not in changes)
    added = tuple((k, f"Annahme: per Kommandozeile gesetzt (--{k})") for k in changes)
    return dataclasses.replace(params, **changes, provenance=kept + added)


def write_results(out_dir: Path, frames: dict[str, pd.DataFrame]) -> list[Path]:
    """Write data frames as Parquet files, each first to a temporary file, then renamed.

    Args:
        out_dir: Existing output folder.
        frames: File name → data frame.

    Returns:
        The written files.

    Raises:
        OSError: If a file cannot be written; earlier files stay as they were.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for name, frame in frames.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            os.close(fd)
            temps.append((Path(tmp), out_dir / name))
            frame.to_parquet(tmp, index=False)
        mask = os.umask(0)
        os.umask(mask)
        for tmp, final in temps:
            os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; result files are shared
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return [final for _, final in temps]


def calibration_text(spec: RunSpec, asked_for_point: bool = False) -> str:
    """German line saying which calibration values a run used.

    Args:
        spec: The run's spec.
        asked_for_point: Whether ``--punktschaetzung`` was given.

    Returns:
        For example ``Kalibrierung: Posteriori-Ziehung 7 von 100 (Seed 7, wie im Batch)``.
    """
    if spec.calibration == POSTERIOR and spec.draw is not None:
        return (
            f"Kalibrierung: Posteriori-Ziehung {fmt_num(spec.draw + 1)} von "
            f"{fmt_num(spec.draws)} (Seed {spec.seed}, wie im Batch; --punktschaetzung für "
            "die Punktschätzung)"
        )
    if spec.calibration == POINT_ESTIMATE:
        why = "--punktschaetzung" if asked_for_point else "das Szenario nutzt keine Ziehungen"
        return f"Kalibrierung: Punktschätzung der Kalibrierungsdatei ({why})"
    return "Kalibrierung: keine (Werte der Szenariodatei)"


def _run(args: argparse.Namespace) -> int:
    options = RunOptions(
        years=args.years,
        scale=args.scale,
        seed_base=args.seed,
        calibration=POINT_ESTIMATE if args.punktschaetzung else POSTERIOR,
    )
    try:
        scenario = load_base(args.scenario, options)
    except ScenarioError as err:
        return _fail(err.cli_line())
    given = {name for name in ("years", "scale") if getattr(args, name) is not None}
    if given:
        try:  # the file's values were checked by the loader; --years/--scale change them
            sized = with_cli_overrides(scenario.params, args.years, args.scale)
            check_scenario_size(sized, scenario.path, cli=given)
        except ScenarioError as err:
            return _fail(err.cli_line())
    try:  # the batch's recipe: same seed, same posterior draw, same parameters
        spec = run_spec(scenario, 0, options=options)
    except ScenarioError as err:
        return _fail(err.cli_line())
    params = spec.params
    out_dir = Path(args.out) if args.out else Path("out") / scenario.name
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.TemporaryFile(dir=out_dir)  # fail before a long run, not after
        probe.close()
    except OSError as exc:
        return _fail(_os_line(exc, out_dir, "--out"))
    try:
        run_once = _engine()
    except ImportError as exc:
        print(f"Fehler: Simulationskern nicht verfügbar ({exc})", file=sys.stderr)
        return EXIT_FAILURE
    run_id = f"{scenario.name}-{spec.input_sha256[:8]}-s{spec.seed}"
    try:
        result = run_once(params, seed=spec.seed, run_id=run_id)
    except ScenarioError as err:
        return _fail(err.cli_line())
    try:
        paths = write_results(
            out_dir,
            {
                "results.parquet": result.results,
                "ledger.parquet": result.ledger,
                "providers.parquet": result.providers,
            },
        )
    except OSError as exc:
        return _fail(_os_line(exc, out_dir, "--out"))
    except ValueError as exc:  # e.g. a column pyarrow cannot store
        return _fail(f"Fehler: Datei {display_path(out_dir)}, Feld --out: {exc}")
    print(
        format_summary(
            scenario,
            params,
            result.results,
            paths,
            seed=spec.seed,
            run_id=run_id,
            calibration=[
                calibration_text(spec, args.punktschaetzung),
                f"Lauf-ID im Ergebnisspeicher: {spec.run_id} (sozialraum batch mit gleichem "
                "Seed, gleichen Jahren und gleichem Maßstab rechnet denselben Lauf)",
            ],
        )
    )
    print_warnings(calibration_notes([scenario]))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sozialraum`` and ``python -m cli``.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns:
        Exit code: 0 success, 1 internal problem, 2 wrong input, 130 interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as err:
        return _fail(f"Fehler: Aufruf ungültig, {err}")
    except SystemExit as exc:  # --help
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_INPUT
    try:  # limits that need several arguments, for every command (before anything runs)
        check_arguments(
            seed=getattr(args, "seed", None),
            replicates=getattr(args, "replicates", None),
            workers=getattr(args, "workers", None) if args.command != "dashboard" else None,
        )
    except ScenarioError as err:
        return _fail(err.cli_line())
    try:
        if args.command == "run":
            return _run(args)
        if hasattr(args, "handler"):
            return int(args.handler(args))
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into e.g. ``head``, which stopped reading
        sys.stdout = open(os.devnull, "w")  # silence the final flush
        return EXIT_OK
    return _fail(f"Fehler: unbekannter Befehl {args.command}")


# =========================================================================== summary


def _yearly_total(yearly: pd.DataFrame, metric: str, region: str) -> float:
    rows = yearly[(yearly["metric"] == metric) & (yearly["region"] == region)]
    return float(rows["value"].sum()) if len(rows) else float("nan")


def _yearly_mean(yearly: pd.DataFrame, metric: str, regions: Sequence[str]) -> float:
    rows = yearly[(yearly["metric"] == metric) & (yearly["region"] == TOTAL_REGION)]
    if not len(rows):
        rows = yearly[(yearly["metric"] == metric) & (yearly["region"].isin(regions))]
        if not len(rows):
            return float("nan")
        return float(rows.groupby("year")["value"].sum().mean())
    return float(rows.groupby("year")["value"].sum().mean())


def _last_year(yearly: pd.DataFrame, metric: str) -> float:
    rows = yearly[(yearly["metric"] == metric) & (yearly["region"] == TOTAL_REGION)]
    if not len(rows):
        return float("nan")
    return float(rows.sort_values("year")["value"].iloc[-1])


def _region_mean(yearly: pd.DataFrame, metric: str, region: str) -> float:
    rows = yearly[(yearly["metric"] == metric) & (yearly["region"] == region)]
    return float(rows["value"].mean()) if len(rows) else float("nan")


def fmt_count(x: float) -> str:
    """A count (or a mean of counts): no decimals when whole, else one.

    >>> fmt_count(1234.0), fmt_count(12.5), fmt_count(float("nan"))
    ('1.234', '12,5', '–')
    """
    if x != x:
        return MISSING
    return fmt_num(x, 0) if float(x).is_integer() else fmt_num(x, 1)


def shown_path(path: Path) -> str:
    """A written file as the user named it: absolute for an absolute ``--out``.

    >>> shown_path(Path("/tmp/a/results.parquet"))
    '/tmp/a/results.parquet'
    """
    return path.as_posix() if path.is_absolute() else display_path(path)


def _usage_text(budget: float, spent: float) -> str:
    if not budget or budget != budget or spent != spent:
        return MISSING
    return fmt_pct(spent / budget)


def format_summary(
    scenario: Scenario,
    params: ModelParams,
    results: pd.DataFrame,
    paths: Sequence[Path],
    *,
    seed: int,
    run_id: str,
    calibration: Sequence[str] = (),
    width: int | None = None,
) -> str:
    """German summary of one run for the console (rich tables).

    Budget and spending per pot and Sozialraum, cases per Sozialraum and help type,
    the Kreis's cases per 10.000 under 21, unmet need, families and providers, and
    the files written.

    Args:
        scenario: The loaded scenario (name, description).
        params: The parameters actually run.
        results: Tidy results (``month == 0`` rows are yearly figures).
        paths: Files written (shown as given: absolute for an absolute ``--out``).
        seed: Seed of the run.
        run_id: Id of the run.
        calibration: Lines saying which calibration values the run used (see
            :func:`calibration_text`), shown under the run's line.
        width: Width of the text (default: the terminal's, see :func:`cli.tables.render`).

    Returns:
        Several lines of text; missing figures show as ``–``.
    """
    yearly = results[results["month"] == 0]
    years = sorted(int(y) for y in yearly["year"].unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else MISSING)
    regions = list(params.region_names)
    everywhere = (*regions, TOTAL_REGION)
    head = [
        *textwrap.wrap(f"Szenario {scenario.name}: {scenario.description}", _WIDTH),
        f"Lauf {run_id}: Seed {seed}, {params.years} {'Jahr' if params.years == 1 else 'Jahre'} "
        f"ab {params.budget.start_year}, "
        f"Maßstab {fmt_pct(params.scale, 0)}",
        *(w for line in calibration for w in textwrap.wrap(line, _WIDTH)),
        "",
    ]

    money = new_table(
        ["Topf", "Region", "Budget", "Ausgaben", "Saldo", "Ausschöpfung"],
        right={2, 3, 4, 5},
    )
    for pot in POTS:
        pot_rows = []
        for region in everywhere:
            budget = _yearly_total(yearly, f"budget_{pot}", region)
            spent = _yearly_total(yearly, f"spent_{pot}", region)
            if budget != budget and spent != spent:
                continue
            pot_rows.append((region, budget, spent))
        if not pot_rows:
            add_row(
                money,
                [POT_LABELS[pot], TOTAL_REGION, MISSING, MISSING, MISSING, MISSING],
                end_section=True,
            )
            continue
        if all(not b and not s for _, b, s in pot_rows):
            pot_rows = [r for r in pot_rows if r[0] == TOTAL_REGION] or pot_rows[-1:]
        for k, (region, budget, spent) in enumerate(pot_rows):
            add_row(
                money,
                [
                    POT_LABELS[pot] if k == 0 else "",
                    region,
                    fmt_eur(budget),
                    fmt_eur(spent),
                    fmt_eur(budget - spent),
                    _usage_text(budget, spent),
                ],
                end_section=k == len(pot_rows) - 1,
            )
    budget = _yearly_total(yearly, "total_budget", TOTAL_REGION)
    spent = _yearly_total(yearly, "total_spent", TOTAL_REGION)
    add_row(
        money,
        [
            "Insgesamt",
            TOTAL_REGION,
            fmt_eur(budget),
            fmt_eur(spent),
            fmt_eur(budget - spent),
            _usage_text(budget, spent),
        ],
    )

    cases = new_table(
        ["Hilfeart", *everywhere],
        right=set(range(1, len(everywhere) + 1)),
    )
    for k, h in enumerate(params.help_types):
        add_row(
            cases,
            [h.label, *(fmt_count(_region_mean(yearly, f"cases_{h.code}", r)) for r in everywhere)],
            end_section=k == len(params.help_types) - 1,
        )
    add_row(
        cases,
        ["Alle Hilfen", *(fmt_count(_region_mean(yearly, "cases_total", r)) for r in everywhere)],
    )

    rates = new_table(
        ["Hilfeart", "je 10.000 u21"],
        right={1},
    )
    for h in params.help_types:
        rate = _yearly_mean(yearly, f"cases_per_10k_{h.code}", regions)
        add_row(rates, [h.label, fmt_num(rate, 1)])

    unmet = _yearly_mean(yearly, "unmet_need_families", regions)
    escalations = _yearly_total(yearly, "escalations", TOTAL_REGION)
    ended_with_need = _yearly_total(yearly, "ended_with_need", TOTAL_REGION)
    waiting = _yearly_mean(yearly, "mean_waiting_months", regions)
    exits = _yearly_total(yearly, "provider_exits", TOTAL_REGION)
    reserves = _last_year(yearly, "provider_reserves")
    tail = [
        "",
        f"Ungedeckter Bedarf: im Mittel {fmt_num(unmet, 1)} Familien mit Anspruch ohne Hilfe "
        f"(Mittel {span})",
        f"Familien und Träger, Summe {span}:",
        f"  Eskalationen {fmt_num(escalations, 0)}, Hilfen beendet trotz fortbestehenden "
        f"Bedarfs {fmt_num(ended_with_need, 0)}, mittlere Wartezeit {fmt_num(waiting, 1)} Monate",
        f"  Marktaustritte von Trägern {fmt_num(exits, 0)}, Rücklagen der ambulanten Träger "
        f"Ende {years[-1] if years else MISSING}: {fmt_eur(reserves)}",
        "",
        "Ergebnisse gespeichert:",
        *(f"  {shown_path(p)}" for p in paths),
    ]
    parts: list[Table | str] = [
        "\n".join([*head, f"Budget und Ausgaben je Topf und Sozialraum, Summe {span}:"]),
        money,
        "  (Saldo negativ = Budget überschritten)",
        "",
        f"Fälle je Sozialraum und Hilfeart, Mittel {span}:\n"
        "  (Fälle im Jahr: Bestand am 1. Januar und neue Fälle; im Maßstab des Laufs)",
        cases,
        "",
        f"Fälle je 10.000 unter 21, alle Regionen, Mittel {span}:",
        rates,
        "\n".join(tail),
    ]
    return render(parts, width)
