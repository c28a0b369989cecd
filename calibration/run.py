"""Run a calibration end to end: setup, targets, ABC-SMC, calibration file.

Used by ``sozialraum calibrate`` and the tests. Everything that can be checked
without simulating is checked first (:func:`check_setup`, :func:`check_output_file`),
so a wrong setup or an unwritable output file fails in a second, not after the
whole calibration; the calibration file is written to a temporary file next to it
and renamed (:func:`replacing`), so a failure at the end never leaves a half-written
file or destroys the previous one.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calibration.costs import RateDraws, aux_metrics, split_targets
from calibration.fit import (
    POSTERIOR_DIR,
    CalibrationSetup,
    Posterior,
    abc_smc,
    batch_simulator,
    posterior_document,
    write_posterior,
)
from calibration.targets import TARGETS_FILE, TargetSet, load_targets, targets_sha256
from experiments import model_code_hash
from scenarios import ScenarioError, find_scenario, load_scenario, os_message

DEFAULT_MINUTES = 30.0

DEADLINE_FACTOR = 2.0
"""The clock stops a calibration only after this multiple of ``minutes``.

``minutes × sims_per_minute`` is the budget of simulations, the same on every machine, so
that the same seed gives the same file; ``sims_per_minute`` is measured on the 2-core
development machine, where the budget takes about ``minutes``. On a slower or busier
machine the same budget takes longer; the clock is only the safety net against a run
that would never end, and a calibration it stops is marked as such in its file
(``stopped``) and is not reproducible.
"""
"""Default time budget (under 30 minutes on 2 cores)."""

_TEMP_PREFIX = ".sozialraum-"
"""Name prefix of the probe and temporary files written next to an output file."""


@dataclass
class CalibrationResult:
    """What :func:`calibrate` produced."""

    posterior: Posterior
    path: Path
    seconds: float
    max_simulations: int


def default_output(setup: CalibrationSetup) -> Path:
    """The calibration file written when none is given: ``calibration/posterior/<name>.yaml``."""
    return POSTERIOR_DIR / f"{setup.name}.yaml"


def _kind_problem(mode: int) -> str | None:
    """Why an existing path of this mode cannot be replaced by an output file (German)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "ist ein Verzeichnis, keine Datei"
    return "ist keine normale Datei (Gerät, Pipe oder Socket) und wird nicht ersetzt"


def check_output_file(path: str | os.PathLike[str], field: str) -> Path:
    """Check, before any long computation, that ``path`` can be written; return where.

    The path may name a new file or an existing regular file (it is replaced as a
    whole); a symbolic link is followed. Its folder is created if missing, and a
    probe file is created and removed in it, which is what writing needs.

    Args:
        path: The output file as given.
        field: The option that named it (``--out``, ``--bericht``), for the message.

    Returns:
        The file to write (symbolic links resolved).

    Raises:
        ScenarioError: Naming the file and ``field``, if it is a directory, a device,
            a pipe or a socket, sits below a file, lies in an unwritable folder or
            cannot be reached (a loop of symbolic links, say).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ScenarioError(path, field, os_message(exc)) from None
    except ValueError:  # a NUL character
        raise ScenarioError(path, field, "Pfad enthält ein Nullzeichen") from None
    if mode is not None and (problem := _kind_problem(mode)) is not None:
        raise ScenarioError(path, field, problem)
    target = Path(os.path.realpath(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".probe", dir=target.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ScenarioError(path, field, _write_problem(exc, target.parent)) from None
    return target


def _write_problem(exc: OSError, folder: Path) -> str:
    """German reason why nothing can be written into ``folder``."""
    reason = os_message(exc)
    if isinstance(exc, PermissionError):
        return f"{reason}: Verzeichnis {folder.as_posix()} ist nicht beschreibbar"
    return reason


@contextmanager
def replacing(path: str | os.PathLike[str], field: str) -> Iterator[Path]:
    """A temporary file in ``path``'s folder that replaces ``path`` when the block succeeds.

    On any failure the temporary file is removed and ``path`` stays as it was. The
    new file gets the usual permissions (``0666`` minus the umask), not ``mkstemp``'s
    ``0600``.

    Args:
        path: The file to write (e.g. from :func:`check_output_file`).
        field: The option that named it, for the message.

    Yields:
        The temporary file to write.

    Raises:
        ScenarioError: If the temporary file cannot be created or written (disk
            full, say) or cannot be renamed.
    """
    target = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ScenarioError(path, field, _write_problem(exc, target.parent)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except OSError as exc:
        raise ScenarioError(path, field, os_message(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_calibration_file(doc: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write a calibration file atomically (see :func:`replacing`); return its path.

    Raises:
        ScenarioError: Naming the file and ``--out`` if it cannot be written.
    """
    target = Path(path)
    with replacing(target, "--out") as tmp:
        write_posterior(doc, tmp)
    return target


def check_setup(setup: CalibrationSetup, setup_file: str | os.PathLike[str]) -> None:
    """Check without simulating that the setup's scenario exists and its parameters apply.

    The scenario is loaded as the calibration simulates it (its own values, the
    setup's scale, years and burn-in, every calibrated parameter at the middle of
    its prior), so a wrong scenario name or parameter path fails here, not in every
    one of thousands of runs.

    Args:
        setup: The validated setup.
        setup_file: The file it came from (named in messages).

    Raises:
        ScenarioError: Naming the setup file and the field.
    """
    try:
        scenario = find_scenario(setup.scenario)
    except ScenarioError as err:
        raise ScenarioError(setup_file, "scenario", err.message) from None
    overrides: dict[str, Any] = {
        p.path: (p.low + p.high) / 2 for p in (*setup.parameters, *setup.cost_parameters)
    }
    overrides.update(scale=setup.scale, years=setup.years, burn_in_months=setup.burn_in_months)
    load_scenario(scenario, overrides, overrides_file=setup_file, calibrated=False)


def calibrate(
    setup: CalibrationSetup,
    *,
    minutes: float = DEFAULT_MINUTES,
    out: str | Path | None = None,
    workers: int = 2,
    targets: TargetSet | None = None,
    targets_file: str | Path = TARGETS_FILE,
    progress: Callable[[str], None] | None = None,
    setup_file: str | Path | None = None,
) -> CalibrationResult:
    """Fit the setup's parameters to the fit targets and write the calibration file.

    The file records the content hash of the setup's scenario (as written, without
    its calibration) and the engine's code hash as they are when the calibration
    starts (:func:`calibration.fit.posterior_document`), so that runs can tell when
    it has become stale (:mod:`calibration.freshness`).

    Args:
        setup: What to calibrate.
        minutes: Time budget; the simulation budget is ``minutes × sims_per_minute``
            (deterministic), the clock only stops a calibration that takes more than
            ``DEADLINE_FACTOR`` times as long.
        out: Calibration file (default ``calibration/posterior/<name>.yaml``).
        workers: Local worker processes.
        targets: The targets (default: read from ``targets_file``).
        targets_file: The targets file (its hash goes into the calibration file).
        progress: Called with German status lines.
        setup_file: The file the setup came from, named in messages (default: the
            setup's name).

    Returns:
        The posterior, the file written, the seconds taken and the budget.

    Raises:
        ScenarioError: Before any simulation if the setup does not fit its scenario
            or the calibration file cannot be written; at the end if writing fails
            (the previous file, if any, is then unchanged).
    """
    t0 = time.monotonic()
    check_setup(setup, setup_file if setup_file is not None else setup.name)
    # what is fitted, as it is now: a file edited during the calibration is not it
    written = load_scenario(find_scenario(setup.scenario), calibrated=False)
    scenario_sha256 = written.sha256
    model_code = model_code_hash()
    path = check_output_file(out if out is not None else default_output(setup), "--out")
    target_set = targets if targets is not None else load_targets(targets_file)
    field = setup_file if setup_file is not None else setup.name
    try:
        first, costs = split_targets(setup, target_set.by_role("fit"))
    except ValueError as err:
        raise ScenarioError(field, "cost_parameters", str(err)) from None
    max_sims = max(int(minutes * setup.sims_per_minute), setup.population)
    rates = (
        RateDraws(
            setup,
            tuple(costs),
            tuple(float(written.value_at(p.path)) for p in setup.cost_parameters),
        )
        if costs
        else None
    )
    post = abc_smc(
        setup,
        first,
        batch_simulator(setup, first, workers=workers, aux_metrics=aux_metrics(costs)),
        max_simulations=max_sims,
        deadline=t0 + DEADLINE_FACTOR * minutes * 60.0,
        progress=progress,
        costs=rates,
    )
    cost_record = post.record
    if cost_record is not None:
        (progress or (lambda _m: None))(
            f"Kostensätze: {cost_record['pairs_accepted']} von {cost_record['pairs']} Paaren "
            f"der letzten Generation in der Toleranz, effektive Größe {cost_record['ess']:.0f}"
        )
    doc = posterior_document(
        post,
        target_set,
        targets_sha256(targets_file),
        max_sims,
        scenario_sha256=scenario_sha256,
        model_code=model_code,
        cost_stage=cost_record,
    )
    written = write_calibration_file(doc, path)
    return CalibrationResult(post, written, time.monotonic() - t0, max_sims)


__all__ = [
    "DEFAULT_MINUTES",
    "CalibrationResult",
    "calibrate",
    "check_output_file",
    "check_setup",
    "default_output",
    "replacing",
    "write_calibration_file",
]
