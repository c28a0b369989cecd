"""Whether a scenario's calibration is still the one fitted: stale calibrations are visible.

A calibration file (``sozialraum calibrate``) records what it was fitted for
(:func:`calibration.fit.posterior_document`): the content hash of the calibrated
scenario as written, without its calibration (``scenario_sha256``), and the hash of
the engine's code (``model_code``). :func:`calibration_freshness` compares them with
the scenario and the engine as they are now and says in German what changed;
:func:`calibration_warnings` does so for the scenarios of one command, page or
briefing, each warning once. The command line prints the warnings to standard error
after the results, the dashboard shows them above its tabs and the briefing lists
them among its *Hinweise*.

**Which scenario is compared.** The calibration was fitted on the scenario named in
the file's ``scenario`` field, and only that scenario's hash is recorded. Every
scenario that uses the calibration file gets it through that scenario: the reform
variants of the status quo and the other Kreise's scenarios ``extends`` it and take
its calibrated behaviour by design. Their own changes (the levers compared, another
Kreis's data) are not what was calibrated, so they do not make the calibration
stale; a change of the fitted scenario itself (its values, its bases, its data
files) does, for every scenario that uses it. So a scenario is judged by

* itself, if it is the fitted scenario (its file as written, without overrides of a
  sweep point or a posterior draw, and without its calibration);
* else the scenario file that names the calibration file (the first file of its
  ``extends`` chain without ``extends``), if that is the fitted scenario;
* else it uses a calibration fitted on another scenario, which no hash can vouch
  for: it gets its own warning (*Kalibrierung übernommen*).

A file written before the hashes were recorded has *unknown freshness*: that is
warned about too, in other words (*Aktualität der Kalibrierung unbekannt*), since
nothing can be checked.

Each warning comes in full (the command line and the dashboard: what changed, the
hashes, the command that calibrates again) and as one short line for the briefing
(:attr:`CalibrationFreshness.note`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from calibration.fit import POSTERIOR_DIR, SETUP_DIR, load_setup
from experiments import model_code_hash
from scenarios import (
    CalibrationFile,
    CalibrationSource,
    Scenario,
    ScenarioError,
    display_path,
    load_scenario,
    read_calibration,
)

FRESH = "aktuell"
"""Status: the recorded hash equals the current one."""
STALE = "veraltet"
"""Status: the recorded hash differs from the current one."""
UNKNOWN = "unbekannt"
"""Status: the file records no hash (an older file), or it cannot be checked."""
OTHER = "übernommen"
"""Scenario status: the calibration was fitted on another scenario."""

SHOWN_HASH_CHARS = 12
"""Hex digits of a hash a warning shows (enough to tell two versions apart)."""

MAX_SHOWN_NAME = 80
"""Longest name a warning shows (a calibration file's names are not limited)."""


CAUTION = "Ergebnisse mit Vorsicht lesen"
"""What every warning asks of its reader."""


@dataclass(frozen=True)
class WarningText:
    """One warning about a calibration, in parts.

    Attributes:
        lead: What is the matter, one German clause after a heading
            (``Kalibrierung veraltet: Das Szenario „…“ wurde … geändert``).
        detail: The evidence, for those who check (hashes, missing fields; None: none).
        hint: What to do (a command; None: nothing to add).
    """

    lead: str
    detail: str | None = None
    hint: str | None = None

    @property
    def text(self) -> str:
        """The full line (the command line and the dashboard)."""
        detail = f" ({self.detail})" if self.detail else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.lead}{detail}. {CAUTION}{hint}."


@dataclass(frozen=True)
class CalibrationFreshness:
    """Whether one calibration still fits the scenario and the engine it was fitted for.

    Attributes:
        calibration: The calibration's name (its ``name``, else the file's stem).
        file: The calibration file.
        fitted: The scenario it was fitted on (its ``scenario``; None: not recorded).
        scenario: :data:`FRESH`, :data:`STALE`, :data:`UNKNOWN` or :data:`OTHER`.
        model: :data:`FRESH`, :data:`STALE` or :data:`UNKNOWN`.
        parts: The warnings (empty: fresh).
        note: All of them in one short German line, without hashes and commands, for
            the briefing's *Hinweise* (a committee reads what is the matter; one
            printed line keeps the Sitzungsvorlage on its pages); None: fresh.
    """

    calibration: str
    file: Path
    fitted: str | None
    scenario: str
    model: str
    parts: tuple[WarningText, ...]
    note: str | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        """German warning lines, in full (empty: fresh)."""
        return tuple(w.text for w in self.parts)

    @property
    def fresh(self) -> bool:
        """Whether nothing is to be warned about."""
        return not self.parts


def _shown(text: str) -> str:
    """A name as a warning shows it (at most :data:`MAX_SHOWN_NAME` characters)."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN_NAME else text[: MAX_SHOWN_NAME - 1] + "…"


def _fitted_file(scenario: Scenario, source: CalibrationSource, fitted: str | None) -> Path | None:
    """The scenario file whose hash the calibration recorded (None: none of them)."""
    if fitted is None:
        return None
    if scenario.name == fitted:
        return scenario.path
    if source.scenario == fitted:
        return source.scenario_file
    return None


def recalibrate_command(cal: CalibrationFile, file: Path) -> str:
    """The command that calibrates again and replaces ``file`` (in backticks).

    The setup is the one in ``calibration/setup/`` with the calibration's name and
    scenario; ``--out`` is added when the file is not where that setup writes it.
    """
    setup_arg = "…"
    for path in sorted(SETUP_DIR.glob("*.yaml")):
        try:
            setup = load_setup(path)
        except ScenarioError:
            continue
        if setup.name == cal.name and setup.scenario == cal.scenario:
            setup_arg = path.stem
            break
    command = f"sozialraum calibrate --setup {setup_arg}"
    default = POSTERIOR_DIR / f"{cal.name}.yaml"
    if cal.name is None or os.path.abspath(file) != os.path.abspath(default):
        command += f" --out {display_path(file)}"
    return f"`{command}`"


def _unreadable(source: CalibrationSource, what: str, err: ScenarioError) -> CalibrationFreshness:
    """The result when a file the check needs no longer loads (it did when loaded)."""
    lead = f"Aktualität der Kalibrierung nicht prüfbar: {what} lädt nicht mehr"
    warning = WarningText(lead, " ".join(err.message.split()))
    note = "Aktualität der Kalibrierung nicht prüfbar (eine Datei lädt nicht mehr)."
    return CalibrationFreshness(
        source.file.stem, source.file, None, UNKNOWN, UNKNOWN, (warning,), note
    )


def _check(source: CalibrationSource, fitted_file: Path | None) -> CalibrationFreshness:
    """Compare a calibration file's recorded hashes with the scenario and engine now."""
    try:
        cal = read_calibration(source.file)
    except ScenarioError as err:
        return _unreadable(source, "die Kalibrierungsdatei", err)
    name = _shown(cal.name or source.file.stem)
    fitted = _shown(cal.scenario) if cal.scenario is not None else None
    user = _shown(source.scenario)
    redo = f"neu kalibrieren mit {recalibrate_command(cal, source.file)}"

    current: str | None = None
    if cal.scenario is not None and fitted_file is None:
        scenario_status = OTHER
    elif cal.scenario_sha256 is None or fitted_file is None:
        scenario_status = UNKNOWN
    else:
        try:
            current = load_scenario(fitted_file, calibrated=False).sha256
        except ScenarioError as err:
            return _unreadable(source, f"das Szenario „{fitted}“", err)
        scenario_status = FRESH if current == cal.scenario_sha256 else STALE
    model_now = model_code_hash()
    if cal.model_code is None:
        model_status = UNKNOWN
    else:
        model_status = FRESH if cal.model_code == model_now else STALE

    parts: list[WarningText] = []
    if scenario_status == OTHER:
        parts.append(
            WarningText(
                f"Kalibrierung übernommen: Die Kalibrierung „{name}“ wurde für das Szenario "
                f"„{fitted}“ erstellt, „{user}“ ist weder dieses Szenario noch eine Variante "
                "davon; ob sie dazu passt, ist nicht geprüft",
                hint=f"für „{user}“ kalibrieren mit `sozialraum calibrate --setup …` "
                f"(Einstellungen mit scenario: {user})",
            )
        )
    if scenario_status == STALE and cal.scenario_sha256 is not None and current is not None:
        parts.append(
            WarningText(
                f"Kalibrierung veraltet: Das Szenario „{fitted}“ wurde nach der Kalibrierung "
                f"„{name}“ geändert",
                f"Inhalts-Hash bei der Kalibrierung {cal.scenario_sha256[:SHOWN_HASH_CHARS]}, "
                f"jetzt {current[:SHOWN_HASH_CHARS]}",
                redo,
            )
        )
    if model_status == STALE and cal.model_code is not None:
        parts.append(
            WarningText(
                "Kalibrierung veraltet: Der Modellcode (model/) wurde nach der Kalibrierung "
                f"„{name}“ geändert",
                f"Code-Hash bei der Kalibrierung {cal.model_code}, jetzt {model_now}",
                redo,
            )
        )
    unknown = [
        (what, field)
        for what, field, status in (
            (
                f"des Szenarios „{fitted}“" if fitted else "des kalibrierten Szenarios",
                "scenario_sha256",
                scenario_status,
            ),
            ("des Modellcodes", "model_code", model_status),
        )
        if status == UNKNOWN
    ]
    if unknown:
        parts.append(
            WarningText(
                f"Aktualität der Kalibrierung unbekannt: Die Kalibrierungsdatei „{name}“ "
                f"verzeichnet nicht, für welchen Stand {' und '.join(w for w, _ in unknown)} "
                "sie erstellt wurde; ob sie noch passt, lässt sich nicht prüfen",
                f"ältere Datei ohne {' und '.join(f for _, f in unknown)}",
                redo,
            )
        )
    note = _note(name, fitted, user, scenario_status, model_status)
    return CalibrationFreshness(
        name, source.file, fitted, scenario_status, model_status, tuple(parts), note
    )


def _note(name: str, fitted: str | None, user: str, scenario: str, model: str) -> str | None:
    """The one short line of the briefing: the worst of the findings (None: fresh).

    One printed line of the Sitzungsvorlage (about 120 characters for the Lüneburg
    names): a longer note would push the two-page briefing onto a third page.
    """
    if STALE in (scenario, model):
        if scenario == model:
            what = f"Szenario „{fitted}“ und Modell wurden"
        elif scenario == STALE:
            what = f"Das Szenario „{fitted}“ wurde"
        else:
            what = "Das Modell wurde"
        return f"Kalibrierung veraltet: {what} seit der Kalibrierung „{name}“ geändert."
    if scenario == OTHER:
        return (
            f"Kalibrierung übernommen: „{name}“ wurde für „{fitted}“ erstellt, nicht für „{user}“."
        )
    if UNKNOWN in (scenario, model):
        return (
            f"Aktualität der Kalibrierung unbekannt: „{name}“ vermerkt nicht, für welchen "
            "Stand von Szenario und Modell sie gilt."
        )
    return None


def calibration_freshness(scenario: Scenario) -> CalibrationFreshness | None:
    """Whether a loaded scenario's calibration still fits what it was fitted for.

    Compares the calibration file's recorded content hash with the fitted scenario's
    as written now (``load_scenario(file, calibrated=False).sha256``; which scenario
    that is, see the module's docstring) and its recorded engine code hash with
    :func:`experiments.model_code_hash`.

    Args:
        scenario: A scenario from :func:`scenarios.load_scenario` (or derived from one).

    Returns:
        The result with its German warnings; None if the scenario was loaded without
        a calibration file (no calibration, or ``calibrated=False``).
    """
    source = scenario.calibration_source
    if source is None:
        return None
    return _check(source, _fitted_of(scenario, source))


def _fitted_of(scenario: Scenario, source: CalibrationSource) -> Path | None:
    try:
        fitted = read_calibration(source.file).scenario
    except ScenarioError:
        return None
    return _fitted_file(scenario, source, fitted)


def calibration_warnings(scenarios: Iterable[Scenario | None], *, brief: bool = False) -> list[str]:
    """The German calibration warnings of several scenarios, each once, in order.

    Scenarios sharing a calibration file and its fitted scenario (the status quo and
    its variants) are checked once.

    Args:
        scenarios: Loaded scenarios (None entries are skipped).
        brief: One short line per calibration (:attr:`CalibrationFreshness.note`,
            for the briefing); default: in full (:attr:`CalibrationFreshness.warnings`).
    """
    checked: dict[tuple[CalibrationSource, Path | None], CalibrationFreshness] = {}
    lines: list[str] = []
    for sc in scenarios:
        if sc is None or sc.calibration_source is None:
            continue
        source = sc.calibration_source
        key = (source, _fitted_of(sc, source))
        if key not in checked:
            checked[key] = _check(*key)
        result = checked[key]
        found = result.warnings
        if brief:
            found = (result.note,) if result.note is not None else ()
        for line in found:
            if line not in lines:
                lines.append(line)
    return lines


__all__ = [
    "CAUTION",
    "FRESH",
    "OTHER",
    "STALE",
    "UNKNOWN",
    "CalibrationFreshness",
    "WarningText",
    "calibration_freshness",
    "calibration_warnings",
    "recalibrate_command",
]
