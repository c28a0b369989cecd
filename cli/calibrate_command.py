"""``sozialraum calibrate``: fit the model to public HzE statistics (ABC-SMC).

Writes the calibration file (posterior sample) and, unless ``--kein-bericht``, the
German HTML report with the posterior predictive check of fit and held-out targets.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import ValidationError

EXIT_OK, EXIT_INPUT = 0, 2


def _positive_minutes(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"keine Zahl: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("Minuten müssen größer als 0 sein")
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


def _existing_file(args: argparse.Namespace, setup: Any) -> Path | None:
    """The calibration file ``--nur-bericht`` reports on, or None (message printed)."""
    import yaml

    from scenarios.loader import find_scenario

    if args.out:
        path = Path(args.out)
    else:
        scenario = find_scenario(setup.scenario)
        ref = (yaml.safe_load(scenario.read_text(encoding="utf-8")) or {}).get("calibration")
        if not isinstance(ref, dict) or "file" not in ref:
            print(
                f"Fehler: Szenario {setup.scenario} nennt keine Kalibrierungsdatei; --out angeben"
            )
            return None
        path = (scenario.parent / str(ref["file"])).resolve()
    if not path.is_file():
        print(f"Fehler: Kalibrierungsdatei {path} nicht gefunden")
        return None
    return path


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``sozialraum calibrate``."""
    from calibration.fit import load_setup
    from calibration.run import calibrate

    try:
        setup = load_setup(args.setup)
    except (OSError, ValidationError) as exc:
        print(f"Fehler: Kalibrierungseinstellungen {args.setup}: {exc}")
        return EXIT_INPUT
    if args.seed is not None:
        setup = setup.model_copy(update={"seed": args.seed})
    if args.nur_bericht:
        if not args.bericht:
            print("Fehler: --nur-bericht braucht --bericht DATEI")
            return EXIT_INPUT
        from calibration.report import predictive_check, write_report

        existing = _existing_file(args, setup)
        if existing is None:
            return EXIT_INPUT
        rows = predictive_check(existing, workers=args.workers)
        print(f"Bericht: {write_report(existing, rows, args.bericht)}")
        return EXIT_OK
    result = calibrate(
        setup,
        minutes=args.minutes,
        out=Path(args.out) if args.out else None,
        workers=args.workers,
        progress=lambda line: print(line, flush=True),
    )
    print(
        f"Kalibrierung fertig nach {result.seconds / 60:.1f} Minuten, "
        f"{result.posterior.simulations} Läufe ({result.posterior.stopped}): {result.path}"
    )
    if args.bericht:
        from calibration.report import predictive_check, write_report

        rows = predictive_check(result.path, workers=args.workers)
        print(f"Bericht: {write_report(result.path, rows, args.bericht)}")
    return EXIT_OK
