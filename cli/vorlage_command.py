"""``sozialraum vorlage``: the briefing for the Jugendhilfeausschuss from the command line.

``sozialraum vorlage --store FILE --basis A [--szenarien B C …] [--format html|pdf]
--out FILE`` writes the same document the dashboard's buttons make (the same
function, :func:`dashboard.build_briefing`, and for PDF :func:`dashboard.briefing_pdf`),
so planners can script it.

Everything that can be wrong is checked before the briefing is built (it takes a few
seconds, the PDF a few more): the store (read only, never changed), every scenario
(it must have finished runs in the store), the number of compared scenarios, the
output file (a writable file, not a folder, not the store itself, an extension that
fits the format) and, for PDF, Chromium. Every problem is one German ``Fehler:``
line on standard error naming the file and the field, exit code 2. The document is
written under a temporary name next to ``--out`` and renamed when complete
(:func:`results.atomic_file`, as the exports), so an earlier briefing is either
replaced whole or left as it was.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from results import DEFAULT_STORE, atomic_file
from scenarios import ScenarioError, display_path, fmt_num, os_message

EXIT_OK, EXIT_INPUT = 0, 2

FORMATS = ("html", "pdf")
"""Formats of the briefing."""

SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}
"""File extensions that name a format; ``--out`` with one of them must fit ``--format``."""

SHOWN_NAMES = 8
"""Scenario names an error lists at most (``vorhanden: …``): a store holds one line per
scenario of a Kreis's library (ten for Lüneburg), and more than eight names no longer
fit on the one line of an error message; the rest is counted."""

_TEMP_PREFIX = ".sozialraum-vorlage-"

BROWSER_LOGGERS = ("choreographer", "kaleido")
"""Loggers of the chart export's browser control. When Chromium fails they warn in
English on standard error (``Wait expired, Browser is being closed by watchdog.``);
the command reports the failure itself, in one German line."""


def add_vorlage_command(commands: Any) -> None:
    """Register ``vorlage`` on the main parser's subparsers."""
    v = commands.add_parser(
        "vorlage",
        help="Vorlage für den Jugendhilfeausschuss schreiben (HTML oder PDF)",
        description=(
            "Die Sitzungsvorlage für den Jugendhilfeausschuss aus dem Ergebnisspeicher "
            "schreiben: dasselbe Dokument wie im Dashboard (Basis und bis zu vier "
            "Vergleichsszenarien)."
        ),
    )
    v.add_argument(
        "--store",
        metavar="DATEI",
        default=str(DEFAULT_STORE),
        help=f"Ergebnisspeicher (Vorgabe: {DEFAULT_STORE})",
    )
    v.add_argument("--basis", metavar="SZENARIO", required=True, help="Basisszenario")
    v.add_argument(
        "--szenarien",
        nargs="+",
        metavar="SZENARIO",
        default=[],
        help="Vergleichsszenarien (höchstens vier)",
    )
    v.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="html oder pdf (Vorgabe: nach der Endung von --out, sonst html)",
    )
    v.add_argument("--out", metavar="DATEI", required=True, help="Zieldatei")
    v.set_defaults(handler=cmd_vorlage)


def _fail(err: ScenarioError) -> int:
    print(" ".join(err.cli_line().split()), file=sys.stderr)
    return EXIT_INPUT


def _names(names: Sequence[str]) -> str:
    """``a, b, c`` (at most :data:`SHOWN_NAMES`, then how many more), or ``keine``."""
    shown = ", ".join(names[:SHOWN_NAMES]) or "keine"
    more = len(names) - SHOWN_NAMES
    return f"{shown} und {fmt_num(more)} weitere" if more > 0 else shown


def choose_format(out: Path, given: str | None) -> str:
    """The format: ``--format``, else from the extension of ``--out``, else ``html``.

    Raises:
        ScenarioError: If the extension names the other format.
    """
    by_suffix = SUFFIXES.get(out.suffix.lower())
    fmt = given or by_suffix or "html"
    if by_suffix is not None and by_suffix != fmt:
        raise ScenarioError(
            out,
            "--out",
            f"Endung {out.suffix} passt nicht zum Format {fmt} "
            f"(für {fmt} eine Datei auf .{fmt} angeben)",
        )
    return fmt


def chosen_scenarios(
    stored: Sequence[str], basis: str, others: Sequence[str], store: Path, limit: int
) -> list[str]:
    """Baseline first, then the other scenarios (each once), all with finished runs.

    Args:
        stored: Scenarios with finished runs in the store.
        basis: ``--basis``.
        others: ``--szenarien``.
        store: The store (for the message).
        limit: Most scenarios compared with the baseline.

    Raises:
        ScenarioError: Naming the store and ``--basis`` or ``--szenarien``.
    """
    known = set(stored)
    for name, field in ((basis, "--basis"), *((o, "--szenarien") for o in others)):
        if name not in known:
            raise ScenarioError(
                store,
                field,
                f"Szenario „{name}“ hat im Ergebnisspeicher keine abgeschlossenen Läufe "
                f"(vorhanden: {_names(list(stored))})",
            )
    compared = [o for o in dict.fromkeys(others) if o != basis]
    if len(compared) > limit:
        raise ScenarioError(
            store,
            "--szenarien",
            f"{len(compared)} Vergleichsszenarien, höchstens {limit} sind möglich: mehr "
            "Szenarien passen nicht lesbar in die Abbildungen der Vorlage",
        )
    return [basis, *compared]


def check_out(out: Path, store: Path) -> Path:
    """Check, before the briefing is built, that ``out`` can be written; return it.

    ``out`` may be new or an existing regular file (replaced whole); its folder must
    exist. A probe file is created and removed in the folder.

    Raises:
        ScenarioError: Naming ``out`` and ``--out`` if it is a folder or another
            non-file, lies in a missing or unwritable folder, or is the store.
    """
    try:
        if out.exists() and not out.is_file():
            raise ScenarioError(
                out, "--out", "ist keine gewöhnliche Datei (ein Verzeichnis oder Gerät)"
            )
        if out.exists() and store.exists() and os.path.samefile(out, store):
            raise ScenarioError(
                out, "--out", "ist der Ergebnisspeicher selbst; die Vorlage würde ihn ersetzen"
            )
        folder = out.resolve().parent
        if not folder.is_dir():
            raise ScenarioError(out, "--out", f"Verzeichnis {display_path(folder)} fehlt")
        fd, probe = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ScenarioError(out, "--out", os_message(exc)) from None
    except ValueError:  # a NUL character in the path
        raise ScenarioError(out, "--out", "Pfad enthält ein Nullzeichen") from None
    return out.resolve()


def cmd_vorlage(args: argparse.Namespace) -> int:
    """``sozialraum vorlage``."""
    import dashboard  # imported here: Dash and plotly take seconds to load

    for name in BROWSER_LOGGERS:
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False

    store, out = Path(args.store), Path(args.out)
    try:
        fmt = choose_format(out, args.format)
    except ScenarioError as err:
        return _fail(err)
    try:
        data = dashboard.DashboardData(store)  # read-only; checks the file and its schema
    except ScenarioError as err:  # the store's own message; the option is --store
        return _fail(ScenarioError(store, err.field or "--store", err.message, err.line))
    try:
        stored = list(data.scenarios()["scenario"])
        chosen = chosen_scenarios(stored, args.basis, args.szenarien, store, dashboard.MAX_COMPARED)
        target = check_out(out, store)
        if fmt == "pdf":
            dashboard.find_chromium()
        page = dashboard.build_briefing(
            data, args.basis, chosen, store_label=store.name, created=datetime.now()
        )
        content = dashboard.briefing_pdf(page) if fmt == "pdf" else page.encode("utf-8")
        atomic_file(target, lambda tmp: tmp.write_bytes(content))
    except ScenarioError as err:
        return _fail(err)
    except dashboard.BriefingError as err:
        return _fail(ScenarioError(out, "--format", str(err)))
    finally:
        data.close()
    print(f"geschrieben: {display_path(target)}")
    return EXIT_OK


__all__ = [
    "FORMATS",
    "SHOWN_NAMES",
    "add_vorlage_command",
    "check_out",
    "choose_format",
    "chosen_scenarios",
    "cmd_vorlage",
]
