"""Run the model once: ``run_once(params, seed) -> RunResult``.

The runner is a pure function of its parameters and seed: the same inputs give the
same tables, bit for bit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import mesa
import pandas as pd

from model.model import SozialraumModel
from model.params import ModelParams


@dataclass(frozen=True)
class RunResult:
    """Outcomes of one run."""

    run_id: str
    seed: int
    results: pd.DataFrame
    """Tidy outcomes: run_id, year, month (0 = yearly figure), region, metric, value, unit."""
    ledger: pd.DataFrame
    """Every booking: year, month, region, pot, item, provider, kind, cents."""
    closing: pd.DataFrame
    """Year-end closing per year, region and pot, in cents."""
    providers: pd.DataFrame
    """Each provider's year: staff, reserves, revenue, costs, utilisation, exit."""
    seconds: float
    """Wall-clock time of the run."""

    def value(self, metric: str, region: str = "Gesamt", year: int | None = None) -> float:
        """A single yearly figure (the last year unless ``year`` is given)."""
        r = self.results
        sel = r[(r.metric == metric) & (r.region == region) & (r.month == 0)]
        if sel.empty:
            raise KeyError(f"no yearly metric {metric!r} for region {region!r}")
        if year is None:
            year = int(sel.year.max())
        return float(sel.loc[sel.year == year, "value"].iloc[0])


def closing_frame(model: SozialraumModel) -> pd.DataFrame:
    """The year-end closings of the reported years as a table (cents)."""
    p = model.params
    rows = []
    for year_index, c in model.jugendamt.closings:
        if year_index < 0:
            continue
        for r, region in enumerate(p.region_names):
            for k, pot in enumerate(("bound", "regional_1", "regional_2", "central")):
                rows.append(
                    {
                        "year": p.budget.start_year + year_index,
                        "region": region,
                        "pot": pot,
                        "allocation": int(c.allocation[r, k]),
                        "carry_in": int(c.carry_in[r, k]),
                        "transfer_in": int(c.transfer_in[r, k]),
                        "transfer_out": int(c.transfer_out[r, k]),
                        "spent": int(c.spent[r, k]),
                        "carry_out": int(c.carry_out[r, k]),
                        "result": int(c.result[r, k]),
                    }
                )
    return pd.DataFrame(rows)


def _release(model: SozialraumModel) -> None:
    """Let the finished model be garbage-collected.

    Mesa 3.3 keeps a per-model id counter in the class attribute ``Agent._ids``, keyed
    by the model, so every model of a long batch would stay in memory (Mesa issue
    3179, fixed upstream after 3.3.1). Dropping the key releases it.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def run_once(
    params: ModelParams,
    seed: int,
    run_id: str | None = None,
    model_cls: type[SozialraumModel] = SozialraumModel,
) -> RunResult:
    """Build the model, run every month, and collect its tables.

    Args:
        params: All parameters.
        seed: Seed of the run's random generator.
        run_id: Identifier written into the results (default ``"<name>-<seed>"``).
        model_cls: The model class (the per-agent reference implementation passes
            its own).

    Returns:
        The run's outcomes, ledger and closings.
    """
    t0 = time.perf_counter()
    run_id = run_id or f"{params.name}-{seed}"
    model = model_cls(params, rng=seed)
    model.run()
    results = model.recorder.frame(run_id)
    ledger = model.ledger.frame(params.budget.start_year, params.burn_in_months)
    closing = closing_frame(model)
    providers = model.recorder.provider_frame(run_id)
    _release(model)
    return RunResult(
        run_id=run_id,
        seed=seed,
        results=results,
        ledger=ledger,
        closing=closing,
        providers=providers,
        seconds=time.perf_counter() - t0,
    )
