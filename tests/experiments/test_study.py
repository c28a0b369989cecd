"""Studies: designed points drawn identically for scenario and baseline, reduced per point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments import (
    Study,
    design_sweep,
    noise_shares,
    outcome_values,
    point_index,
    point_values,
    run_batch,
    study_members,
)
from results import ResultsStore
from scenarios import load_scenario

COLUMNS = ["provider.responsiveness", "projects.effect_mean"]


def test_design_sweep_keeps_the_given_points():
    samples = np.array([[0.0, 1.0], [0.5, 0.25]])
    sweep = design_sweep(COLUMNS, samples, "Testentwurf")
    assert sweep.resolve([]) is sweep  # nothing redrawn
    assert sweep.n_points == 2


def test_design_sweep_applies_each_setting_at_every_point():
    samples = np.array([[0.1, 0.2], [0.9, 0.8]])
    settings = [{"budget.regional2_share": 0.1}, {"budget.regional2_share": 0.3}]
    sweep = design_sweep(COLUMNS, samples, "Testentwurf", settings=settings)
    assert sweep.n_points == 4
    base = load_scenario("lueneburg-status-quo")
    points = sweep.points(base)
    assert [point_index(p) for p, _ in points] == [0, 1, 2, 3]
    assert len({p.rsplit("-", 1)[0] for p, _ in points}) == 1  # one design, one prefix
    shares = [o["budget.regional2_share"] for _, o in points]
    assert shares == [0.1, 0.1, 0.3, 0.3]  # setting k at row i is point k · 2 + i
    drawn = [o["provider.responsiveness"]["value"] for _, o in points]
    assert drawn == pytest.approx([0.1, 0.9, 0.1, 0.9])


@pytest.mark.parametrize(
    "samples",
    [np.zeros((2, 3)), np.array([[0.5, 1.5]]), np.array([[-0.1, 0.5]]), np.zeros(2)],
)
def test_design_sweep_rejects_points_off_the_unit_cube(samples):
    with pytest.raises(ValueError):
        design_sweep(COLUMNS, samples, "Testentwurf")


def test_point_values_pairs_by_point_and_seed_and_averages_replicates():
    rows = []
    for point in ("p000", "p001"):
        for seed in (1, 2):
            base = 100.0 * seed + (10.0 if point == "p001" else 0.0)
            rows.append(("base", point, seed, "m", base))
            rows.append(("var", point, seed, "m", base + (1.0 if seed == 1 else 3.0)))
    values = pd.DataFrame(rows, columns=["scenario", "point_id", "seed", "metric", "value"])
    diff = point_values(values, "var", "base", 2)
    assert diff["m"].tolist() == [2.0, 2.0]  # mean of the paired differences 1 and 3
    own = point_values(values, "var", None, 2)
    assert own["m"].tolist() == [152.0, 162.0]


def test_point_values_names_a_missing_point():
    values = pd.DataFrame(
        [("var", "p000", 1, "m", 1.0)], columns=["scenario", "point_id", "seed", "metric", "value"]
    )
    with pytest.raises(ValueError, match="1 of 2 design points"):
        point_values(values, "var", None, 2)


def test_point_index():
    assert point_index("p000") == 0
    assert point_index("p12") == 12


def test_a_study_draws_the_same_assumptions_for_scenario_and_baseline(tmp_path):
    samples = np.array([[0.1, 0.2], [0.9, 0.8]])
    study = Study(
        "lueneburg-rb2-20-rueckbehalt",
        "lueneburg-status-quo",
        design_sweep(COLUMNS, samples, "Testentwurf"),
        replicates=1,
        years=1,
        scale=0.05,
        extra={"method": "test"},
    )
    plan = study.plan()
    assert plan.plan["study"] == {"method": "test"}
    assert len(plan.runs) == 4
    by_point: dict[str, set[float]] = {}
    for run in plan.runs:
        params = run.spec.params
        by_point.setdefault(point_index(run.point_id), set()).add(
            round(params.provider.responsiveness, 9)
        )
    assert by_point == {0: {0.1}, 1: {0.9}}  # uniform 0–1: the point itself
    with ResultsStore(tmp_path / "s.duckdb") as store:
        report = run_batch(plan, store)
        assert report.complete
        values = outcome_values(store, plan, {"total_spent": "sum"})
        table = point_values(values, plan.scenarios[1].name, plan.scenarios[0].name, 2)
    assert list(table.index) == [0, 1]
    assert np.isfinite(table["total_spent"]).all()


def test_noise_shares_separate_chance_from_the_design():
    rng = np.random.default_rng(5)
    rows = []
    for k in range(40):
        signal = float(k)  # the design moves the outcome a lot …
        for seed in range(4):
            rows.append(("var", f"p{k:03d}", seed, "big", signal + rng.normal(0, 0.1)))
            rows.append(("var", f"p{k:03d}", seed, "noise", rng.normal(0, 1.0)))  # … or not
    values = pd.DataFrame(rows, columns=["scenario", "point_id", "seed", "metric", "value"])
    shares = noise_shares(values, "var", None)
    assert shares["big"] < 0.001
    assert shares["noise"] > 0.5  # the point means of pure noise are chance throughout
    one = values[values["seed"] == 0]
    assert noise_shares(one, "var", None) == {"big": None, "noise": None}


def test_regression_repeated_design_point_had_no_stored_run(tmp_path):
    """A design holding a point twice (Morris trajectories share grid points) planned the
    run once, and the second point had no value: "1 of 2 design points have no run"."""
    samples = np.array([[0.3, 0.4], [0.3, 0.4]])
    study = Study(
        "lueneburg-status-quo", None, design_sweep(COLUMNS, samples, "Test"), years=1, scale=0.05
    )
    plan = study.plan()
    assert len(plan.runs) == 1
    assert len(study_members(plan)) == 2
    with ResultsStore(tmp_path / "s.duckdb") as store:
        assert run_batch(plan, store).complete
        values = outcome_values(store, plan, {"total_spent": "sum"})
    table = point_values(values, plan.scenarios[0].name, None, 2)
    assert table["total_spent"].iloc[0] == table["total_spent"].iloc[1]


def test_regression_stored_run_of_another_batch_kept_that_batchs_point_id(tmp_path):
    """A run first computed at point p000 of one design and met again at p001 of the
    next was read with its manifest's p000, so the second design lost a point."""
    first = design_sweep(COLUMNS, np.array([[0.6, 0.7]]), "Test")
    second = design_sweep(COLUMNS, np.array([[0.2, 0.1], [0.6, 0.7]]), "Test")
    path = tmp_path / "s.duckdb"
    with ResultsStore(path) as store:
        one = Study("lueneburg-status-quo", None, first, years=1, scale=0.05).plan()
        assert run_batch(one, store).complete
        two = Study("lueneburg-status-quo", None, second, years=1, scale=0.05).plan()
        report = run_batch(two, store)
        assert report.already_done == 1 and report.ran == 1
        values = outcome_values(store, two, {"total_spent": "sum"})
        earlier = outcome_values(store, one, {"total_spent": "sum"})
    table = point_values(values, two.scenarios[0].name, None, 2)
    assert table["total_spent"].iloc[1] == earlier["value"].iloc[0]


def test_regression_two_designs_in_one_store_paired_each_others_points():
    """Every design numbered its points p000 …; runs are paired on point and seed, so a
    Morris point of one analysis paired with a search's point of another in one store."""
    one = design_sweep(COLUMNS, np.array([[0.1, 0.2]]), "Morris")
    two = design_sweep(COLUMNS, np.array([[0.9, 0.8]]), "Suche")
    base = load_scenario("lueneburg-status-quo")
    ids_one = [p for p, _ in one.points(base)]
    ids_two = [p for p, _ in two.points(base)]
    assert not set(ids_one) & set(ids_two)
    assert [point_index(p) for p in ids_one] == [0]
    again = design_sweep(COLUMNS, np.array([[0.1, 0.2]]), "Morris")
    assert [p for p, _ in again.points(base)] == ids_one  # the same design: the same ids
