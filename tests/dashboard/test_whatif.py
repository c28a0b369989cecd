"""What-if runs: validated overrides, paired seeds, projected to full scale."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from dashboard.whatif import (
    BASE_NAME,
    CHANGED_NAME,
    WhatIfConfig,
    load_config,
    run_whatif,
    slider_start,
)
from results import paired_quantiles as paired_from_yearly
from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario

SMALL = WhatIfConfig(replicates=2, years=2, scale=0.2)


def test_config_file_states_its_reasons():
    config = load_config()
    assert config.replicates >= 20  # issue 13: at least 20 paired replicates
    assert config.years is None and config.scale is None  # the scenario's own: full fidelity
    assert config.workers >= 1 and config.cache_mb > 0
    assert all(config.reasons[k] for k in ("replicates", "years", "scale", "workers", "cache_mb"))
    text = config.describe(load_scenario("lueneburg-status-quo"))
    assert text.startswith(f"{config.replicates} gepaarte Seeds") and "5 Jahre" in text
    assert "die ganze Bevölkerung" in text


def test_unchanged_sliders_give_zero_difference():
    start = slider_start(load_scenario("lueneburg-status-quo"))
    values = run_whatif(start, SMALL).values
    d = paired_from_yearly(values, BASE_NAME)
    assert set(values["scenario"]) == {BASE_NAME, CHANGED_NAME}
    assert (d[["q05", "median", "q95"]].abs().to_numpy() < 1e-9).all()


def test_changed_split_and_scheme_change_regional_budget_2():
    start = slider_start(load_scenario("lueneburg-status-quo"))
    what = dataclasses.replace(start, regional2_share=0.3, bound_share=0.7, scheme="bonus_malus")
    steps = []
    values = run_whatif(what, SMALL, progress=lambda k, n: steps.append((k, n))).values
    assert steps[-1] == (2, 2)  # seeds done, seeds
    d = paired_from_yearly(values, BASE_NAME)
    r2 = d[d["metric"] == "spent_regional_2"]
    assert (r2["median"] > 0).all()  # status quo has no regional budget 2


def test_group_offer_slider_lowers_ambulatory_spending():
    """The share of regional budget 2 for group places buys cheaper places (issue 12)."""
    start = dataclasses.replace(
        slider_start(load_scenario("lueneburg-status-quo")), regional2_share=0.2
    )
    assert start.group_share == 0.0
    what = dataclasses.replace(start, group_share=0.5)
    assert (
        what.overrides(load_scenario("lueneburg-status-quo"))["budget.regional2_group_share"] == 0.5
    )
    values = run_whatif(what, SMALL).values
    d = paired_from_yearly(values, BASE_NAME)
    group = d[d["metric"] == "spent_help_27_2_gruppe"]
    assert (group["median"] > 0).all()  # the baseline has no group places
    total = d[d["metric"] == "total_spent"]
    assert (total["median"] < 0).all()


def test_money_is_projected_to_full_scale():
    start = slider_start(load_scenario("lueneburg-status-quo"))
    small = run_whatif(start, SMALL).values
    spent = small[(small["metric"] == "total_spent") & (small["scenario"] == BASE_NAME)]
    full_budget = load_scenario("lueneburg-status-quo").params.budget
    total_funds = (
        full_budget.sozialraum_funds + full_budget.ambulatory_funds + full_budget.central_funds
    )
    # projected spending is of the order of the full Kreis's budget, not a fifth of it
    assert spent["value"].median() > 0.5 * total_funds


def test_invalid_slider_value_is_a_scenario_error():
    start = slider_start(load_scenario("lueneburg-status-quo"))
    with pytest.raises(ScenarioError):
        run_whatif(dataclasses.replace(start, regional2_share=1.5), SMALL)


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "../lueneburg-status-quo.yaml", "lueneburg-status-quo.yaml", "*", "", None, 3],
)
def test_library_scenario_takes_names_only(name):
    from dashboard.library import library_scenario

    with pytest.raises(ScenarioError) as info:
        library_scenario(name)
    assert info.value.message == "kein Szenario der Szenariobibliothek"


def test_library_scenario_is_the_library_file():
    from dashboard.library import library_scenario

    assert library_scenario("lueneburg-status-quo").sha256 == (
        load_scenario("lueneburg-status-quo").sha256
    )


def test_regression_whatif_baseline_is_not_the_stored_baseline(tmp_path):
    """The what-if page's "Basis" ran the calibration's point estimate for every seed,
    while the stored runs it is shown next to used posterior draw (seed − 1) mod n.

    Now both are built with the batch's recipe: the what-if baseline of seed s is the
    stored baseline run of seed s (same years and scale), value for value.
    """
    from dashboard.whatif import METRICS
    from experiments import plan_batch, run_batch
    from results import ResultsStore

    name = "lueneburg-status-quo"
    plan = plan_batch([name], SMALL.replicates, years=SMALL.years, scale=SMALL.scale)
    with ResultsStore(tmp_path / "s.duckdb") as store:
        assert run_batch(plan, store).complete
        stored = store.yearly([name], list(METRICS))
    values = run_whatif(slider_start(load_scenario(name)), SMALL).values
    base = values[values["scenario"] == BASE_NAME]
    key = ["seed", "year", "metric"]
    both = base.merge(stored, on=key, suffixes=("_whatif", "_stored"), validate="1:1")
    assert len(both) == len(base) == len(stored) == SMALL.replicates * SMALL.years * len(METRICS)
    projected = both["metric"].map(METRICS).astype(bool)
    expected = both["value_stored"].where(~projected, both["value_stored"] / SMALL.scale)
    assert (both["value_whatif"] == expected).all()


def test_a_chosen_scheme_brings_the_what_if_values_of_its_parameters():
    """The parameters of a scheme picked on the page come from its class, with reasons."""
    from dashboard.whatif import scheme_overrides
    from model.incentives import SCHEMES

    for name, cls in SCHEMES.items():
        incentive = scheme_overrides(name)
        assert incentive["scheme"] == name
        assert set(incentive) - {"scheme"} == {p.name for p in cls.parameters}
        for p in cls.parameters:
            given = incentive[p.name]
            if p.kind == "pots":
                assert tuple(given) == p.whatif
            else:
                assert given == {
                    "value": p.whatif,
                    "unit": p.unit,
                    "assumption": p.whatif_assumption,
                }
    base = load_scenario("lueneburg-status-quo")
    what = dataclasses.replace(slider_start(base), scheme="bonus_malus")
    assert what.overrides(base)["incentive"]["malus_share"]["value"] == 0.25
    assert "incentive" not in slider_start(base).overrides(base)  # unchanged scheme: untouched


def _stored_store(tmp_path, name, config):
    """A store with a batch of ``name`` of the what-if's size; its figures."""
    from dashboard.whatif import stored_figures
    from experiments import plan_batch, run_batch
    from results import ResultsStore

    plan = plan_batch([name], config.replicates, years=config.years, scale=config.scale)
    with ResultsStore(tmp_path / "s.duckdb") as store:
        assert run_batch(plan, store).complete
        return stored_figures(store, [name])


def test_stored_baseline_runs_are_reused_not_run_again(tmp_path):
    """Issue 13: the baseline of each seed comes from the store when it holds the run;
    the values equal a what-if that runs its baseline itself."""
    name = "lueneburg-status-quo"
    figures = _stored_store(tmp_path, name, SMALL)
    start = slider_start(load_scenario(name))
    what = dataclasses.replace(start, regional2_share=0.2, bound_share=0.8, scheme="bonus_malus")
    reused = run_whatif(what, SMALL, stored=figures)
    alone = run_whatif(what, SMALL)
    assert reused.baselines_stored == SMALL.replicates and alone.baselines_stored == 0
    key = ["scenario", "seed", "year", "metric"]
    a = reused.values.sort_values(key).reset_index(drop=True)
    b = alone.values.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert "Basis aus dem Ergebnisspeicher: 2 von 2 Läufen, 2 Läufe neu" in reused.summary()


def test_stored_runs_of_another_size_are_not_taken_for_the_baseline(tmp_path):
    """A stored run of other years or scale is another run: the what-if runs its own."""
    name = "lueneburg-status-quo"
    figures = _stored_store(tmp_path, name, dataclasses.replace(SMALL, years=1))
    got = run_whatif(slider_start(load_scenario(name)), SMALL, stored=figures)
    assert got.baselines_stored == 0
    assert set(got.values["year"]) == {2026, 2027}


def test_burn_ins_are_kept_and_continued_in_the_next_what_if(tmp_path):
    """The second what-if continues every seed from the first one's burn-in snapshot;
    its values equal those of simulated burn-ins, on two worker processes as on one."""
    start = slider_start(load_scenario("lueneburg-status-quo"))
    what = dataclasses.replace(start, regional2_share=0.3, bound_share=0.7, trend_per_year=0.02)
    config = dataclasses.replace(SMALL, cache_mb=64)
    first = run_whatif(what, config, cache=tmp_path / "snap")
    assert first.burn_ins == 2 * SMALL.replicates and first.burn_ins_read == SMALL.replicates
    second = run_whatif(what, dataclasses.replace(config, workers=2), cache=tmp_path / "snap")
    assert second.burn_ins_read == second.burn_ins == 2 * SMALL.replicates
    plain = run_whatif(what, SMALL)
    assert plain.burn_ins_read == 0
    for run in (first, second):
        pd.testing.assert_frame_equal(run.values, plain.values)
