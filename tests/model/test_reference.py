"""Docking of the per-agent reference (``model.reference``) with the vectorised engine.

Two levels: with common random numbers the reference must reproduce a vectorised run
month by month (exact docking, every rule); with its own random stream it must give
the same distributions of outcomes (statistical docking, Axtell et al. 1996).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from model.model import SozialraumModel
from model.params import ModelParams
from model.reference import AgentFamilyTable, FamilyAgent, ReferenceModel, run_reference
from model.run import RunResult, run_once
from tests.fixtures.factory import make_params

FAMILIES_AT_SCALE_1 = 14_700
"""Families the test scenario synthesises at scale 1.0 (about)."""
DOCKING_SCALE = 2_000 / FAMILIES_AT_SCALE_1
N_SEEDS = 20
VECTORISED_SEEDS = range(1, 1 + N_SEEDS)
REFERENCE_SEEDS = range(101, 101 + N_SEEDS)
"""Disjoint seeds: the two samples must be independent for a two-sample test."""
ALPHA = 0.01
MAX_SE = 3.0


def _docking_params() -> ModelParams:
    return make_params(scale=DOCKING_SCALE, years=3, burn_in_months=24)


def _groups(params: ModelParams) -> dict[str, list[str]]:
    """Help-type groups compared in the docking test."""
    ht = params.help_types
    return {
        "new_cases_ambulant_fls": [h.code for h in ht if h.billing == "fls"],
        "new_cases_daily_non_stationary": [
            h.code
            for h in ht
            if h.billing == "daily" and h.setting in ("ambulant", "teilstationaer")
        ],
        "new_cases_stationary": [h.code for h in ht if h.setting == "stationaer"],
        "new_cases_crisis": [h.code for h in ht if h.setting == "krise"],
    }


def _outcomes(result: RunResult, params: ModelParams) -> dict[str, float]:
    """Per run: the mean over the reported years of each yearly figure compared."""
    years = [params.budget.start_year + y for y in range(params.years)]
    out = {
        name: float(
            np.mean([sum(result.value(f"new_cases_{c}", year=y) for c in codes) for y in years])
        )
        for name, codes in _groups(params).items()
    }
    out["total_spent"] = float(np.mean([result.value("total_spent", year=y) for y in years]))
    return out


def test_docking_groups_cover_the_help_types() -> None:
    params = _docking_params()
    groups = _groups(params)
    assert groups["new_cases_stationary"] == ["33", "34"]
    assert groups["new_cases_crisis"] == ["42"]
    covered = sorted(c for codes in groups.values() for c in codes)
    assert covered == sorted(params.help_codes)


@pytest.mark.slow
def test_statistical_docking_with_vectorised_engine() -> None:
    """Vectorised vs per-agent engine: same distributions of yearly outcomes.

    About 2,000 families, 3 reported years after 24 months of burn-in, 20 runs per
    engine on disjoint seeds. Per run, the yearly new cases of four help-type groups
    (ambulant FLS types; daily-billed non-stationary §32/§35a/§41; stationary §33 +
    §34; §42) and the yearly total spending are averaged over the three years; for
    each of these five outcomes:

    * two-sample Kolmogorov–Smirnov test (``scipy.stats.ks_2samp``): p must exceed
      α = 0.01 with Bonferroni correction over the five comparisons (p > 0.002);
    * the means must agree within 3 pooled standard errors,
      ``|m1 - m2| <= 3 * sqrt(s1²/n1 + s2²/n2)``.
    """
    params = _docking_params()
    vec = [_outcomes(run_once(params, s), params) for s in VECTORISED_SEEDS]
    ref = [_outcomes(run_reference(params, s), params) for s in REFERENCE_SEEDS]
    names = list(vec[0])
    failures = []
    for name in names:
        a = np.array([o[name] for o in vec])
        b = np.array([o[name] for o in ref])
        assert a.std() > 0 and b.std() > 0, f"{name}: no variation between runs"
        p = ks_2samp(a, b).pvalue
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        z = abs(a.mean() - b.mean()) / se
        if p <= ALPHA / len(names) or z > MAX_SE:
            failures.append(
                f"{name}: vectorised {a.mean():.1f} vs reference {b.mean():.1f}, "
                f"KS p = {p:.4f}, |difference| = {z:.2f} SE"
            )
    assert not failures, "; ".join(failures)


ENGINE_CACHES = {"level_fixed"}
"""Columns only the vectorised engine keeps, as a speed-up of its own rules."""


def _family_columns(table: AgentFamilyTable) -> list[str]:
    return [
        name
        for name, value in vars(table).items()
        if isinstance(value, np.ndarray)
        and value.shape[-1] == table.capacity
        and name not in ENGINE_CACHES
    ]


class _CommonNumbersModel(ReferenceModel):
    common_numbers = True


@pytest.mark.parametrize("seed", [3, 4])
def test_common_random_numbers_reproduce_the_vectorised_run(seed: int) -> None:
    """Exact docking: fed the engine's random numbers, every rule gives the same result.

    Every family column must agree after every month (integers exactly, floats to
    1e-6: the engine computes the need shock in float32), and so must the ledger.
    """
    params = make_params(scale=DOCKING_SCALE, years=2, burn_in_months=12)
    vec = SozialraumModel(params, rng=seed)
    ref = _CommonNumbersModel(params, rng=seed)
    columns = _family_columns(ref.families)
    assert {"need", "case_type", "child_age", "counsel_left", "wait_type"} <= set(columns)
    for _ in range(vec.total_months):
        vec.step()
        ref.step()
        for name in columns:
            a, b = getattr(vec.families, name), getattr(ref.families, name)
            if a.dtype.kind == "f":
                np.testing.assert_allclose(b, a, rtol=0, atol=1e-6, err_msg=name)
            else:
                np.testing.assert_array_equal(b, a, err_msg=name)
    assert vec.recorder.new.sum() > 50
    start, burn_in = params.budget.start_year, params.burn_in_months
    pd.testing.assert_frame_equal(
        ref.ledger.frame(start, burn_in), vec.ledger.frame(start, burn_in)
    )


def test_one_family_agent_per_living_family() -> None:
    params = make_params(scale=0.05, years=1, burn_in_months=12)
    model = ReferenceModel(params, rng=7)
    f = model.families
    assert isinstance(f, AgentFamilyTable)
    first_ids = {a.unique_id for a in model.agents_by_type[FamilyAgent]}
    seen_ids = set(first_ids)
    for _ in range(model.total_months):
        model.step()
        agents = list(model.agents_by_type[FamilyAgent])
        rows = sorted(a.row for a in agents)
        assert rows == list(np.flatnonzero(f.alive))
        assert all(f.agents[a.row] is a for a in agents)
        seen_ids |= {a.unique_id for a in agents}
    now_ids = {a.unique_id for a in model.agents_by_type[FamilyAgent]}
    assert now_ids - first_ids, "no family arrived: the test did not exercise place()"
    assert first_ids - now_ids, "no family left: the test did not exercise remove()"


def test_same_seed_same_reference_results() -> None:
    params = make_params(scale=0.05, years=2, burn_in_months=6)
    a = run_reference(params, 11)
    b = run_reference(params, 11)
    pd.testing.assert_frame_equal(a.results, b.results)
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    pd.testing.assert_frame_equal(a.closing, b.closing)
    # the reference draws its own numbers: not a copy of the vectorised run
    vec = run_once(params, 11)
    assert not a.results["value"].equals(vec.results["value"])
