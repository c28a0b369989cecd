"""The dashboard's initial selection, read from ``defaults.yaml``, and its fallbacks.

``defaults.yaml`` (beside this module, or the file named in
``$SOZIALRAUM_DASHBOARD_DEFAULTS``) names the baseline and the compared scenarios the
dashboard shows when it opens, each with its ``source:`` or ``assumption:``. The file
is read with the bounded YAML reader and checked completely; every problem is a
:class:`~scenarios.ScenarioError` naming file, field and line.

:func:`initial_selection` applies it to a store: configured scenarios the store does
not hold are left out, with fallbacks (a status quo, the first scenarios) so that
every store opens with a comparison. The baseline it picks is also the reference
whose style (dark grey, solid) the figures give it (:func:`dashboard.figures.fixed_styles`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios import ScenarioError, line_for, load_yaml_mapping

DEFAULTS_FILE = Path(__file__).resolve().parent / "defaults.yaml"
"""The shipped initial selection (journey 1 of the Lüneburg planners)."""

DEFAULTS_ENV = "SOZIALRAUM_DASHBOARD_DEFAULTS"
"""Environment variable with the path of another defaults file (another Kreis)."""

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
"""What a scenario name looks like (library names are lower case with hyphens)."""

_KEYS = ("baseline", "compared")
_REASONS = ("source", "assumption")


@dataclass(frozen=True)
class Defaults:
    """The configured initial selection.

    Attributes:
        baseline: Name of the baseline scenario.
        compared: Names of the compared scenarios, in order.
        reasons: Field → its ``source``/``assumption`` text.
        path: The file it was read from.
    """

    baseline: str
    compared: tuple[str, ...]
    reasons: dict[str, str]
    path: Path


def defaults_path() -> Path:
    """``$SOZIALRAUM_DASHBOARD_DEFAULTS`` if set, else the shipped ``defaults.yaml``."""
    configured = os.environ.get(DEFAULTS_ENV)
    return Path(configured) if configured else DEFAULTS_FILE


def load_defaults(path: str | os.PathLike[str] | None = None, max_compared: int = 4) -> Defaults:
    """Read and check a defaults file.

    Args:
        path: The file (default: :func:`defaults_path`).
        max_compared: Most compared scenarios allowed.

    Returns:
        The initial selection.

    Raises:
        ScenarioError: For the first problem of the file, the others attached
            (file, field, line; German).
    """
    file = Path(path) if path is not None else defaults_path()
    doc = load_yaml_mapping(file, what="Vorauswahl-Datei", allow_aliases=False)
    data, lines = doc.data, doc.lines
    problems: list[ScenarioError] = []

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        field = ".".join(str(p) for p in loc) or None
        problems.append(ScenarioError(file, field, message, line_for(loc, lines)))

    for key in data:
        if key not in _KEYS:
            problem((str(key),), f"unbekanntes Feld (erlaubt: {', '.join(_KEYS)})")
    values: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    for key in _KEYS:
        entry = data.get(key)
        if entry is None:
            problem((key,), "Pflichtfeld fehlt")
            continue
        if not isinstance(entry, dict):
            problem((key,), "erwartet value und source oder assumption")
            continue
        for sub in entry:
            if sub not in ("value", *_REASONS):
                problem((key, str(sub)), "unbekanntes Feld (erlaubt: value, source, assumption)")
        reason = next((entry[r] for r in _REASONS if isinstance(entry.get(r), str)), "")
        if not reason.strip():
            problem((key,), "Herkunft fehlt: source oder assumption mit einem Text angeben")
        reasons[key] = reason
        if "value" not in entry:
            problem((key, "value"), "Pflichtfeld fehlt")
            continue
        values[key] = entry["value"]
    if "baseline" in values and not _is_name(values["baseline"]):
        problem(("baseline", "value"), "erwartet den Namen eines Szenarios")
    compared = values.get("compared")
    if "compared" in values:
        if not isinstance(compared, list):
            problem(("compared", "value"), "erwartet eine Liste von Szenarionamen")
        elif len(compared) > max_compared:
            problem(
                ("compared", "value"),
                f"höchstens {max_compared} Vergleichsszenarien (angegeben: {len(compared)})",
            )
        else:
            for i, name in enumerate(compared):
                if not _is_name(name):
                    problem(("compared", "value", i), "erwartet den Namen eines Szenarios")
            if len(set(map(str, compared))) < len(compared):
                problem(("compared", "value"), "ein Szenario steht doppelt")
    if problems:
        first, *more = problems
        raise ScenarioError(first.file, first.field, first.message, first.line, more=more)
    return Defaults(
        baseline=values["baseline"],
        compared=tuple(values["compared"]),
        reasons=reasons,
        path=file,
    )


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and NAME_PATTERN.fullmatch(value) is not None


def initial_selection(
    stored: Sequence[str], defaults: Defaults | None, max_compared: int = 4
) -> tuple[str | None, list[str]]:
    """Baseline and compared scenarios the dashboard opens with, for a store.

    Configured scenarios the store holds are taken in the file's order. Where the
    configured baseline is missing, a scenario whose name ends in ``status-quo`` is
    the baseline, else the first; where none of the configured comparisons is in the
    store, the first two other scenarios are compared.

    Args:
        stored: The store's scenarios with finished runs, in store order.
        defaults: The configured selection (None: fallbacks only).
        max_compared: Most compared scenarios.

    Returns:
        (baseline or None for an empty store, compared scenarios).

    >>> initial_selection(["a", "b-status-quo", "c"], None)
    ('b-status-quo', ['a', 'c'])
    """
    if not stored:
        return None, []
    wanted = defaults.baseline if defaults else None
    baseline = (
        wanted
        if wanted in stored
        else next((s for s in stored if s.endswith("status-quo")), stored[0])
    )
    configured = defaults.compared if defaults else ()
    compared = [s for s in configured if s in stored and s != baseline]
    if not compared:
        compared = [s for s in stored if s != baseline][:2]
    return baseline, compared[:max_compared]


__all__ = [
    "DEFAULTS_ENV",
    "DEFAULTS_FILE",
    "Defaults",
    "defaults_path",
    "initial_selection",
    "load_defaults",
]
