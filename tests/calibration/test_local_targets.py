"""The local check figures of Ulm, Celle and Potsdam-Mittelmark (``calibration/targets/local/``).

Each system's file is a valid targets file of held-out figures only (nothing is fitted
to them), every figure has its write-up in the Markdown file beside it, and every
statistic can be computed from a run of the system's status quo.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from calibration.targets import load_targets, statistics
from model.run import run_once
from scenarios.loader import load_scenario

LOCAL = Path(__file__).resolve().parents[2] / "calibration" / "targets" / "local"
SYSTEMS = {
    "ulm": "ulm-status-quo",
    "celle": "celle-status-quo",
    "potsdam-mittelmark": "potsdam-mittelmark-status-quo",
}


def test_every_shipped_system_but_lueneburg_has_a_check_file() -> None:
    assert sorted(p.stem for p in LOCAL.glob("*.yaml")) == sorted(SYSTEMS)


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_local_figures_are_held_out_with_sources_and_write_up(system: str) -> None:
    targets = load_targets(LOCAL / f"{system}.yaml").targets
    assert targets and all(t.role == "holdout" and t.holdout_reason for t in targets)
    write_up = (LOCAL / f"{system}.md").read_text(encoding="utf-8")
    for t in targets:
        # the source address is the one the write-up quotes
        address = t.source[t.source.index("http") :].split()[0]
        assert address in write_up or address.rstrip(")") in write_up, (t.id, address)


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_local_statistics_compute_from_a_run_of_the_system(system: str) -> None:
    targets = load_targets(LOCAL / f"{system}.yaml").targets
    overrides = {"scale": 0.2, "years": 2, "burn_in_months": 36}
    params = load_scenario(SYSTEMS[system], overrides).params
    stats = statistics(run_once(params, 7).results, targets)
    assert np.all(np.isfinite(stats)) and np.all(stats > 0), dict(
        zip([t.id for t in targets], stats, strict=True)
    )
