"""Reproducibility and common random numbers of whole runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.model import SozialraumModel
from model.run import run_once
from model.streams import STREAM_NAMES
from tests.fixtures.factory import make_params

SMALL = {"scale": 0.15, "years": 2, "burn_in_months": 12}


def test_same_seed_gives_identical_tables():
    p = make_params(**SMALL)
    a, b = run_once(p, 7), run_once(p, 7)
    pd.testing.assert_frame_equal(a.results, b.results)
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    pd.testing.assert_frame_equal(a.closing, b.closing)


def test_different_seed_gives_different_results():
    p = make_params(**SMALL)
    a, b = run_once(p, 1), run_once(p, 2)
    assert not np.array_equal(a.results["value"].to_numpy(), b.results["value"].to_numpy())


def _reform(**extra):
    overrides = {
        **SMALL,
        "budget.bound_share": 0.7,
        "budget.regional2_share": 0.3,
        "incentive.scheme": "retention",
        "incentive.retention_share": 0.5,
    }
    return make_params(**{**overrides, **extra})


def test_scenarios_with_same_seed_share_population_and_random_draws():
    """Common random numbers: every stream draws the same amount whatever the policy.

    Two very different policies run with one seed must start from the same synthetic
    population and end with every random stream in the same state.
    """
    base = SozialraumModel(make_params(**SMALL), rng=11)
    reform = SozialraumModel(_reform(), rng=11)
    fa, fb = base.families, reform.families
    for col in ("region", "child_age", "single_parent", "sgb2", "disability", "trait", "need"):
        np.testing.assert_array_equal(getattr(fa, col), getattr(fb, col))
    base.run()
    reform.run()
    for name in STREAM_NAMES:
        assert (
            getattr(base.streams, name).bit_generator.state
            == getattr(reform.streams, name).bit_generator.state
        ), name


def test_policy_without_behavioural_channel_changes_only_the_bookkeeping():
    """With zero provider responsiveness and no project money, moving ambulatory funds
    into regional budget 2 changes which pot pays, not a single case."""
    neutral = {"provider.responsiveness": 0.0, "budget.bound_share": 1.0}
    a = run_once(make_params(**SMALL, **neutral), 5)
    b = run_once(make_params(**SMALL, **neutral, **{"budget.regional2_share": 0.3}), 5)
    cases = [m for m in a.results.metric.unique() if m.startswith(("cases_", "new_cases_"))]
    ra = a.results[a.results.metric.isin(cases)].reset_index(drop=True)
    rb = b.results[b.results.metric.isin(cases)].reset_index(drop=True)
    pd.testing.assert_frame_equal(ra.drop(columns="run_id"), rb.drop(columns="run_id"))
    total_a = a.ledger.cents.sum()
    total_b = b.ledger.cents.sum()
    assert total_a == total_b
    assert b.ledger.loc[b.ledger.pot == "regional_2", "cents"].sum() > 0
    assert a.ledger.loc[a.ledger.pot == "regional_2", "cents"].sum() == 0


@pytest.mark.parametrize("scheme", ["none", "retention", "bonus_malus", "flat", "balancing"])
def test_every_scheme_runs_and_reports_every_year(scheme):
    p = _reform(
        **{"incentive.scheme": scheme, "incentive.bonus_share": 0.5, "incentive.malus_share": 0.25}
    )
    r = run_once(p, 3)
    years = sorted(r.results.loc[r.results.month == 0, "year"].unique())
    assert years == [2026, 2027]
    assert r.value("total_spent") > 0


def test_finished_runs_are_released_from_memory():
    """Regression: Mesa 3.3's Agent._ids kept every model of a batch alive."""
    import gc
    import weakref

    import mesa

    from model import run as run_module

    p = make_params(**SMALL)
    seen: list[weakref.ref] = []
    original = run_module.SozialraumModel

    class Tracked(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(weakref.ref(self))

    run_once(p, 1, model_cls=Tracked)
    gc.collect()
    assert seen and seen[0]() is None
    assert not any(isinstance(k, Tracked) for k in getattr(mesa.Agent, "_ids", {}))


@pytest.mark.parametrize(("scheme", "cost"), [("none", 6500.0), ("flat", 6500.0), ("none", 9000.0)])
def test_provider_books_balance(scheme, cost):
    """Each year a provider's reserves change by revenue + transfers - costs, also
    for providers that leave the market (regression: a provider that had left kept
    reporting its last month's money)."""
    p = _reform(**{"incentive.scheme": scheme, "years": 3, "provider.cost_per_fte_month": cost})
    prov = run_once(p, 2).providers
    start = {s.name: s.reserves * p.scale for s in p.providers}
    for name, rows in prov.groupby("provider"):
        rows = rows.sort_values("year")
        before = np.concatenate([[start[name]], rows.reserves_eur.to_numpy()[:-1]])
        flow = rows.revenue_eur + rows.transfers_eur - rows.cost_eur
        np.testing.assert_allclose(rows.reserves_eur - before, flow, atol=1e-6, err_msg=name)
    if cost > 7500:  # costs above what an FLS earns: providers must leave
        assert (~prov.active).any()
    lead = prov[prov.role == "sozialraumtraeger"]
    if scheme == "flat":
        assert (lead.transfers_eur != 0).any()
    else:
        assert (lead.transfers_eur == 0).all()


def test_q1_review_covers_every_running_project():
    """Regression: the Q1 review drew 64 noise values per region, so a region with
    more running projects left the rest unreviewed."""
    p = make_params(
        **{
            "scale": 0.3,
            "years": 1,
            "burn_in_months": 0,
            "budget.bound_share": 0.2,
            "budget.sozialraum_funds": 20_000_000,
            "projects.proposals_per_region": 400,
            "projects.cost_mean": 10_000,
            "projects.cost_sd": 0,
            "projects.review_min_effect": 10.0,  # nobody passes the review
        }
    )
    r = run_once(p, 1).results
    active = r[(r.metric == "projects_active") & (r.region != "Gesamt") & (r.month > 0)]
    assert active[active.month == 1].value.max() > 64
    assert (active[active.month >= 4].value == 0).all()


def test_shared_burn_in_equals_separate_runs_for_every_lueneburg_scenario():
    from model.run import burn_in_key, run_group
    from scenarios.loader import list_scenarios, load_scenario

    names = [n for n in list_scenarios() if n.startswith("lueneburg")]
    params = [load_scenario(n, {"years": 2, "scale": 0.15}).params for n in names]
    keys = {repr(burn_in_key(p)) for p in params}
    # with Sozialraumbüros the key splits only the central budget before the reform:
    # the key variants (history, Sozialraumindex) share the status quo's burn-in too
    assert len(keys) == 1
    shared = run_group(params, 11)
    for p, got in zip(params, shared, strict=True):
        alone = run_once(p, 11)
        for table in ("results", "ledger", "closing", "providers"):
            pd.testing.assert_frame_equal(getattr(got, table), getattr(alone, table))


def test_burn_in_under_the_scenarios_rules_is_never_shared():
    from model.run import burn_in_key
    from scenarios.loader import load_scenario

    assert burn_in_key(load_scenario("ulm-status-quo").params) is None


@pytest.mark.parametrize(
    ("path", "value"), [("need.trend_per_year", 0.03), ("projects.effect_mean", 0.01)]
)
def test_behaviours_the_burn_in_ignores_share_it(path: str, value: float) -> None:
    """Runs differing only in a behaviour of BURN_IN_IGNORES share a burn-in and each
    equals its own run (the key's promise, checked with a reform that funds projects)."""
    from model.run import burn_in_key, run_group
    from scenarios.loader import load_scenario

    size = {"years": 2, "scale": 0.15}
    base = load_scenario("lueneburg-rb2-20-bonus-malus", size).params
    changed = load_scenario("lueneburg-rb2-20-bonus-malus", {**size, path: value}).params
    assert changed != base and burn_in_key(changed) == burn_in_key(base)
    shared = run_group([base, changed], 5)
    alone = run_once(changed, 5)
    for table in ("results", "ledger", "closing"):
        pd.testing.assert_frame_equal(getattr(shared[1], table), getattr(alone, table))
    assert not shared[0].results.equals(shared[1].results)


def test_snapshot_restored_in_a_fresh_state_continues_bit_identically() -> None:
    """A burn-in written to bytes and read back continues exactly like the run."""
    from model.run import burn_in_model, finish_run, restore, snapshot
    from scenarios.loader import load_scenario

    params = load_scenario("lueneburg-status-quo", {"years": 2, "scale": 0.15}).params
    data = snapshot(burn_in_model(params, 3))
    first, second = restore(data), restore(data)
    assert first is not second
    got = finish_run(first, params, 3)
    alone = run_once(params, 3)
    for table in ("results", "ledger", "closing", "providers"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(alone, table))
    again = finish_run(second, params, 3)
    pd.testing.assert_frame_equal(again.results, got.results)


def test_regression_key_variants_ran_their_own_burn_in_with_sozialraumbueros() -> None:
    """With Sozialraumbüros (Lüneburg) the allocation key splits only the central
    budget before the reform, yet the key variants ran their own 240-month burn-in:
    now they share it. Without offices the key splits the bound budget paid to the
    providers, so there it still makes its own burn-in."""
    from model.run import burn_in_key
    from scenarios.loader import load_scenario

    lb = [load_scenario(n).params for n in ("lueneburg-status-quo", "lueneburg-rb2-20-vorjahr")]
    assert lb[0].offices and burn_in_key(lb[0]) == burn_in_key(lb[1])
    plain = make_params(**{"budget.allocation_key": "population"})
    history = make_params(**{"budget.allocation_key": "history"})
    assert not plain.offices
    assert burn_in_key(plain) != burn_in_key(history)
