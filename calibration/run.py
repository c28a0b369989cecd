"""Run a calibration end to end: setup, targets, ABC-SMC, calibration file.

Used by ``sozialraum calibrate`` and the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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

DEFAULT_MINUTES = 25.0
"""Default time budget (under 30 minutes on 2 cores)."""


@dataclass
class CalibrationResult:
    """What :func:`calibrate` produced."""

    posterior: Posterior
    path: Path
    seconds: float
    max_simulations: int


def calibrate(
    setup: CalibrationSetup,
    *,
    minutes: float = DEFAULT_MINUTES,
    out: str | Path | None = None,
    workers: int = 2,
    targets: TargetSet | None = None,
    targets_file: str | Path = TARGETS_FILE,
    progress: Callable[[str], None] | None = None,
) -> CalibrationResult:
    """Fit the setup's parameters to the fit targets and write the calibration file.

    Args:
        setup: What to calibrate.
        minutes: Time budget; the simulation budget is ``minutes × sims_per_minute``
            (deterministic), the clock only stops a calibration that runs too slowly.
        out: Calibration file (default ``calibration/posterior/<name>.yaml``).
        workers: Local worker processes.
        targets: The targets (default: read from ``targets_file``).
        targets_file: The targets file (its hash goes into the calibration file).
        progress: Called with German status lines.

    Returns:
        The posterior, the file written, the seconds taken and the budget.
    """
    t0 = time.monotonic()
    target_set = targets if targets is not None else load_targets(targets_file)
    fit = target_set.by_role("fit")
    max_sims = max(int(minutes * setup.sims_per_minute), setup.population)
    post = abc_smc(
        setup,
        fit,
        batch_simulator(setup, fit, workers=workers),
        max_simulations=max_sims,
        deadline=t0 + minutes * 60.0,
        progress=progress,
    )
    doc = posterior_document(post, target_set, targets_sha256(targets_file), max_sims)
    path = write_posterior(doc, out if out is not None else POSTERIOR_DIR / f"{setup.name}.yaml")
    return CalibrationResult(post, path, time.monotonic() - t0, max_sims)


__all__ = ["DEFAULT_MINUTES", "CalibrationResult", "calibrate"]
