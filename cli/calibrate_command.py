"""``sozialraum calibrate``: fit the model to public HzE statistics (ABC-SMC).

Writes the calibration file (posterior sample) and, with ``--bericht``, the German
HTML report with the posterior predictive check of fit and held-out targets.

Everything is checked before the first simulation (a calibration takes up to 25
minutes): the setup (``--setup``) loads, validates and fits its scenario, the
targets load, the calibration file (``--out``) and the report (``--bericht``) can
be written, and with ``--nur-bericht`` the calibration file reported on is a valid
one. Every problem is one German ``Fehler:`` line on standard error naming the file
and the field, exit code 2; progress lines go to standard output. Both output files
are written to a temporary file next to them and renamed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarios import (
    ScenarioError,
    display_path,
    from_os_error,
    from_validation_error,
    from_yaml_error,
)

EXIT_OK, EXIT_INPUT = 0, 2

MAX_MINUTES = 7 * 24 * 60.0
"""Largest time budget ``--minutes`` accepts: one week (10.080 minutes).

The simulation budget is ``minutes × sims_per_minute`` (400 a minute for Lüneburg):
a week gives four million simulations, a thousand times what the shipped
calibration needs (9.958), so no real calibration of a Kreis comes near it; an
unbounded (or infinite) value would overflow the budget instead of running.
"""


def _positive_minutes(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"keine Zahl: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("Minuten müssen größer als 0 sein")
    if not math.isfinite(value) or value > MAX_MINUTES:
        raise argparse.ArgumentTypeError(
            f"höchstens {MAX_MINUTES:.0f} Minuten (eine Woche), erhalten {text}"
        )
    return value


def add_calibrate_command(commands: Any, int_at_least: Any) -> None:
    """Register ``calibrate`` on the main parser's subparsers."""
    from calibration.run import DEFAULT_MINUTES

    c = commands.add_parser(
        "calibrate",
        help="Modell an öffentliche HzE-Statistiken anpassen (ABC-SMC)",
        description=(
            "Unsichere Parameter mit ABC-SMC an die Zielgrößen in "
            "calibration/targets/targets.yaml anpassen (verkleinerte Läufe auf "
            "lokalen Prozessen) und die Kalibrierungsdatei schreiben. Derselbe Seed "
            "und dieselben Minuten ergeben dieselbe Datei."
        ),
    )
    c.add_argument(
        "--minutes",
        type=_positive_minutes,
        default=DEFAULT_MINUTES,
        help=f"Zeitbudget in Minuten (Vorgabe: {DEFAULT_MINUTES:g})",
    )
    c.add_argument("--out", metavar="DATEI", default=None, help="Kalibrierungsdatei (YAML)")
    c.add_argument(
        "--ziele",
        metavar="DATEI",
        default=None,
        help="Zielgrößen (Vorgabe: calibration/targets/targets.yaml)",
    )
    c.add_argument(
        "--szenario",
        metavar="NAME",
        default=None,
        help="nur mit --nur-bericht: dieses Szenario mit den Ziehungen der Kalibrierung prüfen "
        "(etwa ulm-status-quo mit --ziele calibration/targets/local/ulm.yaml)",
    )
    c.add_argument(
        "--setup",
        metavar="NAME",
        default="lueneburg",
        help="Einstellungen aus calibration/setup/NAME.yaml oder eine YAML-Datei",
    )
    c.add_argument("--seed", type=int_at_least(0), default=None, help="Seed (Vorgabe: Setup)")
    c.add_argument(
        "--workers", type=int_at_least(1), default=2, help="lokale Prozesse (Vorgabe: 2)"
    )
    c.add_argument(
        "--bericht",
        metavar="DATEI",
        default=None,
        help="danach die Posteriori-Vorhersage rechnen und den HTML-Bericht schreiben",
    )
    c.add_argument(
        "--nur-bericht",
        action="store_true",
        help=(
            "nicht kalibrieren, nur den Bericht (--bericht) für eine vorhandene "
            "Kalibrierungsdatei schreiben: --out oder die des Szenarios im Setup"
        ),
    )
    c.set_defaults(handler=cmd_calibrate)


# =========================================================================== checks


class _Usage(Exception):
    """A combination of options that does not work (German message)."""


def _setup_file(ref: str) -> Path:
    """The file ``--setup`` names (a name without suffix: ``calibration/setup/NAME.yaml``)."""
    from calibration.fit import SETUP_DIR

    path = Path(ref)
    return SETUP_DIR / f"{path}.yaml" if not path.suffix else path


def _load_setup(ref: str) -> tuple[Any, Path]:
    """The validated setup and its file; every problem names the file (and ``--setup``)."""
    from calibration.fit import SETUP_DIR, load_setup

    path = _setup_file(ref)
    if Path(ref).suffix == "" and not path.exists():
        known = ", ".join(sorted(p.stem for p in SETUP_DIR.glob("*.yaml"))) or "keine"
        raise ScenarioError(
            path, "--setup", f"Einstellungen „{ref}“ nicht gefunden; vorhandene: {known}"
        )
    try:
        return load_setup(ref), path
    except ScenarioError as err:
        raise ScenarioError(err.file, err.field or "--setup", err.message, err.line) from None
    # Translations of what a plain reader raises (the bounded reader raises ScenarioError).
    except OSError as exc:
        raise from_os_error(exc, path, "--setup") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "--setup", "Datei ist nicht UTF-8-kodiert") from None
    except yaml.YAMLError as exc:
        err = from_yaml_error(exc, path)
        raise ScenarioError(err.file, "--setup", err.message, err.line) from None
    except ValidationError as exc:
        raise from_validation_error(exc, path) from None


def _targets_file(ref: str | None) -> Path:
    """The file ``--ziele`` names (default: ``calibration/targets/targets.yaml``)."""
    from calibration.targets import TARGETS_FILE

    return TARGETS_FILE if ref is None else Path(ref)


def _load_targets(path: Path) -> Any:
    """The calibration targets; a broken targets file is an input error naming it."""
    from calibration.targets import load_targets

    try:
        return load_targets(path)
    # Translations of what a plain reader raises (the bounded reader raises ScenarioError).
    except OSError as exc:
        raise from_os_error(exc, path) from None
    except UnicodeDecodeError:
        raise ScenarioError(path, None, "Datei ist nicht UTF-8-kodiert") from None
    except yaml.YAMLError as exc:
        raise from_yaml_error(exc, path) from None
    except ValidationError as exc:
        raise from_validation_error(exc, path) from None


def _distinct(report: Path, other: Path, what: str) -> None:
    """Refuse a report that would overwrite the calibration file."""
    if os.path.realpath(report) == os.path.realpath(other):
        raise ScenarioError(
            report, "--bericht", f"ist dieselbe Datei wie {what}; der Bericht würde sie ersetzen"
        )


class _Prior(BaseModel):
    model_config = ConfigDict(extra="allow")
    low: float
    high: float


class _ReportParameter(BaseModel):
    model_config = ConfigDict(extra="allow")
    path: str = Field(min_length=1)
    label: str = Field(min_length=1)
    prior: _Prior
    median: float
    q05: float
    q95: float


class _ReportGeneration(BaseModel):
    model_config = ConfigDict(extra="allow")
    simulated: int = Field(ge=0)
    epsilon: float | None = None


class _ReportSettings(BaseModel):
    model_config = ConfigDict(extra="allow")
    years: int = Field(ge=1)


class _ReportInput(BaseModel):
    """The parts of a calibration file the report uses beyond what the loader checks."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    method: str
    seed: int
    simulations: int = Field(ge=0)
    stopped: str
    code_version: str
    targets_sha256: str
    settings: _ReportSettings
    generations: tuple[_ReportGeneration, ...]
    parameters: tuple[_ReportParameter, ...] = Field(min_length=1)
    point: dict[str, float]
    draws: tuple[dict[str, float], ...] = Field(min_length=1)


def _checked_calibration_file(path: Path) -> Path:
    """Check a calibration file for ``--nur-bericht`` before any simulation; return it.

    The file is read and checked as the loader reads every calibration file
    (:func:`scenarios.read_calibration_data`), then for the entries the
    report shows, and its first draw is applied to its scenario the way the
    predictive check runs it.

    Raises:
        ScenarioError: Naming the calibration file and the field.
    """
    from scenarios import find_scenario, load_scenario, read_calibration_data

    data = read_calibration_data(path)
    try:
        cal = _ReportInput.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, path, doc=data) from None
    for i, p in enumerate(cal.parameters):
        if p.path not in cal.point:
            raise ScenarioError(path, f"parameters.{i}.path", f"{p.path} fehlt in point")
    try:
        scenario = find_scenario(cal.scenario)
    except ScenarioError as err:
        raise ScenarioError(path, "scenario", err.message) from None
    overrides = {**cal.draws[0], "scale": 1.0, "years": cal.settings.years}
    load_scenario(scenario, overrides, overrides_file=path)
    return path


def _existing_file(args: argparse.Namespace, setup: Any, setup_path: Path) -> Path:
    """The calibration file ``--nur-bericht`` reports on, checked.

    Raises:
        ScenarioError: If it is missing, unreadable or not a valid calibration file.
    """
    from scenarios import find_scenario, read_yaml

    if args.out:
        path, field = Path(args.out), "--out"
    else:
        try:
            scenario = find_scenario(setup.scenario)
        except ScenarioError as err:
            raise ScenarioError(setup_path, "scenario", err.message) from None
        doc, _lines = read_yaml(scenario)
        ref = doc.get("calibration") if isinstance(doc, dict) else None
        if not isinstance(ref, dict) or not isinstance(ref.get("file"), str):
            raise ScenarioError(
                scenario,
                "calibration.file",
                "Szenario nennt keine Kalibrierungsdatei; --out angeben",
            )
        path, field = Path(os.path.abspath(scenario.parent / ref["file"])), "calibration.file"
    try:
        os.stat(path)
    except FileNotFoundError:
        raise ScenarioError(path, field, "Kalibrierungsdatei nicht gefunden") from None
    except OSError:
        pass  # the reader below says what is wrong
    try:
        return _checked_calibration_file(path)
    except ScenarioError as err:
        if err.field is None and err.file == display_path(path):
            raise ScenarioError(err.file, field, err.message, err.line) from None
        raise


# =========================================================================== command


def _write_report(
    calibration_file: Path, rows: list[Any], report: Path, scenario: str | None = None
) -> Path:
    """Write the HTML report atomically."""
    from calibration.report import write_report
    from calibration.run import replacing

    with replacing(report, "--bericht") as tmp:
        write_report(calibration_file, rows, tmp, scenario)
    return report


def _checked_scenario(name: str | None) -> str | None:
    """The scenario ``--szenario`` names, checked before any simulation.

    Raises:
        _Usage: If no shipped scenario has that name.
    """
    if name is None:
        return None
    from scenarios import find_scenario

    try:
        find_scenario(name)
    except ScenarioError as err:
        raise _Usage(f"--szenario: {err.message}") from None
    return name


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``sozialraum calibrate``."""
    try:
        return _calibrate(args)
    except _Usage as err:
        print(f"Fehler: Aufruf ungültig, {err}", file=sys.stderr)
    except ScenarioError as err:
        print(" ".join(err.cli_line().split()), file=sys.stderr)
    return EXIT_INPUT


def _calibrate(args: argparse.Namespace) -> int:
    from calibration.report import predictive_check
    from calibration.run import calibrate, check_output_file, check_setup, default_output

    if args.nur_bericht and not args.bericht:
        raise _Usage("--nur-bericht braucht --bericht DATEI")
    setup, setup_path = _load_setup(args.setup)
    if args.seed is not None:
        setup = setup.model_copy(update={"seed": args.seed})
    if args.szenario is not None and not args.nur_bericht:
        raise _Usage("--szenario gilt nur mit --nur-bericht")
    if args.nur_bericht:
        existing = _existing_file(args, setup, setup_path)
        scenario = _checked_scenario(args.szenario)
        targets = _load_targets(_targets_file(args.ziele))
        _distinct(Path(args.bericht), existing, "die Kalibrierungsdatei")
        report = check_output_file(args.bericht, "--bericht")
        rows = predictive_check(existing, workers=args.workers, targets=targets, scenario=scenario)
        written = _write_report(existing, rows, report, scenario)
        print(f"Bericht: {display_path(written)}")
        return EXIT_OK

    check_setup(setup, setup_path)
    targets_file = _targets_file(args.ziele)
    targets = _load_targets(targets_file)
    out = check_output_file(args.out if args.out else default_output(setup), "--out")
    report = None
    if args.bericht:
        _distinct(Path(args.bericht), out, "--out")
        report = check_output_file(args.bericht, "--bericht")
    result = calibrate(
        setup,
        minutes=args.minutes,
        out=out,
        workers=args.workers,
        targets=targets,
        targets_file=targets_file,
        progress=lambda line: print(line, flush=True),
        setup_file=setup_path,
    )
    print(
        f"Kalibrierung fertig nach {result.seconds / 60:.1f} Minuten, "
        f"{result.posterior.simulations} Läufe ({result.posterior.stopped}): "
        f"{display_path(result.path)}"
    )
    if report is not None:
        rows = predictive_check(result.path, workers=args.workers, targets=targets)
        print(f"Bericht: {display_path(_write_report(result.path, rows, report))}")
    return EXIT_OK
