"""Sweep files: grid × Latin hypercube, the same points for every scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.sweep import BASE_POINT, SWEEPS_DIR, load_sweep, sample_value
from scenarios import ScenarioError, UncertaintySection, load_scenario


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_grid_times_hypercube(tmp_path):
    path = write(
        tmp_path,
        "seed: 3\ngrid:\n  budget.regional2_share: [0.1, 0.3]\n"
        "lhs:\n  samples: 5\n  uncertainties: [need.trend_per_year, provider.responsiveness]\n",
    )
    base = load_scenario("lueneburg-status-quo")
    sweep = load_sweep(path).resolve([base])
    points = sweep.points(base)
    assert sweep.n_points == len(points) == 10
    assert [p for p, _ in points] == [f"p{k:03d}" for k in range(10)]
    shares = [o["budget.regional2_share"] for _, o in points]
    assert shares == [0.1] * 5 + [0.3] * 5
    trend = np.array([o["need.trend_per_year"]["value"] for _, o in points[:5]])
    assert np.all((trend >= -0.02) & (trend <= 0.04))
    # Latin hypercube: one sample in each fifth of the range
    strata = np.floor((trend + 0.02) / 0.06 * 5).astype(int)
    assert sorted(strata) == [0, 1, 2, 3, 4]
    # the hypercube repeats for every grid value (paired points)
    assert [o["need.trend_per_year"] for _, o in points[:5]] == [
        o["need.trend_per_year"] for _, o in points[5:]
    ]


def test_same_points_for_scenarios_with_the_same_declarations(tmp_path):
    path = write(tmp_path, "lhs:\n  samples: 4\n")
    a = load_scenario("lueneburg-status-quo")
    b = load_scenario("lueneburg-rb2-20-rueckbehalt")
    sweep = load_sweep(path).resolve([a, b])
    assert sweep.lhs_columns == tuple(u.parameter for u in a.uncertainties)
    assert sweep.points(a) == sweep.points(b)


def test_regression_lhs_over_a_help_effect_found_no_base_value(tmp_path):
    """A help type's effect lives in the help-type file, not the scenario: the sweep
    raised KeyError for ``help_types.31.help_effect``; its points now run."""
    path = write(tmp_path, "lhs:\n  samples: 3\n  uncertainties: [help_types.31.help_effect]\n")
    base = load_scenario("lueneburg-status-quo")
    sweep = load_sweep(path).resolve([base])
    drawn = []
    for _, overrides in sweep.points(base):
        sc = load_scenario("lueneburg-status-quo", overrides)
        drawn.append(next(h.help_effect for h in sc.params.help_types if h.code == "31"))
    assert all(0.075 <= v <= 0.225 for v in drawn)
    assert len(set(drawn)) == 3


def test_hypercube_is_reproducible_and_depends_on_the_seed(tmp_path):
    a = load_scenario("lueneburg-status-quo")
    one = load_sweep(write(tmp_path, "seed: 1\nlhs: {samples: 6}\n")).resolve([a])
    again = load_sweep(write(tmp_path, "seed: 1\nlhs: {samples: 6}\n")).resolve([a])
    other = load_sweep(write(tmp_path, "seed: 2\nlhs: {samples: 6}\n")).resolve([a])
    assert np.array_equal(one.unit_samples, again.unit_samples)
    assert not np.array_equal(one.unit_samples, other.unit_samples)


def test_no_sweep_point_is_the_base():
    from experiments.sweep import Sweep

    base = load_scenario("lueneburg-status-quo")
    assert Sweep(path=None).points(base) == [(BASE_POINT, {})]


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("grid:\n  budget.regional2_share: []\n", "grid.budget.regional2_share", "leer"),
        ("gird:\n  budget.regional2_share: [0.1]\n", "gird", "unbekanntes Feld"),
        ("lhs:\n  samples: 0\n", "lhs.samples", ""),
        ("description: nur Text\n", None, "braucht grid oder lhs"),
        (
            "grid:\n  need.trend_per_year: [0.0]\nlhs:\n  samples: 2\n"
            "  uncertainties: [need.trend_per_year]\n",
            "lhs.uncertainties.need.trend_per_year",
            "steht schon im Raster",
        ),
    ],
    ids=["leere-liste", "tippfehler", "null-samples", "nichts-zu-tun", "doppelt"],
)
def test_sweep_file_errors(tmp_path, text, field, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert Path(info.value.file) == path
    assert info.value.field == field
    assert fragment in info.value.message


def test_undeclared_uncertainty_is_named(tmp_path):
    path = write(tmp_path, "lhs:\n  samples: 2\n  uncertainties: [need.base]\n")
    base = load_scenario("lueneburg-status-quo")
    sweep = load_sweep(path).resolve([base])
    with pytest.raises(ScenarioError) as info:
        sweep.points(base)
    assert "erklärt diese Unsicherheit nicht" in info.value.message
    assert Path(info.value.file) == path


def _unc(dist: str, **kw) -> UncertaintySection:
    return UncertaintySection(
        parameter="x", label="x", distribution=dist, unit="share", assumption="a", **kw
    )


@settings(max_examples=200, deadline=None)
@given(
    u=st.floats(0.0, 0.999999),
    lo=st.floats(-5, 5),
    width=st.floats(0.01, 10),
    frac=st.floats(0, 1),
)
def test_samples_stay_in_range(u, lo, width, frac):
    hi = lo + width
    mid = lo + frac * width
    for unc, base in (
        (_unc("uniform", low=lo, high=hi), mid),
        (_unc("triangular", low=lo, high=hi, mode=mid), mid),
        (_unc("normal", low=lo, high=hi, sd=width / 4), mid),
    ):
        v = sample_value(unc, u, base)
        assert lo - 1e-9 <= v <= hi + 1e-9


def test_samples_are_monotone_in_u():
    unc = _unc("normal", low=0.6, high=1.4, sd=0.15)
    values = [sample_value(unc, u, 1.0) for u in np.linspace(0.01, 0.99, 20)]
    assert values == sorted(values)
    assert sample_value(unc, 0.5, 1.0) == pytest.approx(1.0)


def test_shipped_example_sweep_plans():
    from experiments import plan_batch

    path = SWEEPS_DIR / "lueneburg-rb2-anteil.yaml"
    plan = plan_batch(["lueneburg-rb2-20-rueckbehalt"], 2, sweep=load_sweep(path))
    assert len(plan.runs) == 4 * 8 * 2
    assert {r.record.point["budget.regional2_share"] for r in plan.runs} == {0.1, 0.2, 0.3, 0.4}


def test_default_columns_keep_a_scenarios_own_value_where_it_declares_none(tmp_path):
    """Lüneburg and Ulm in one hypercube: Ulm's referral share is drawn only for Ulm."""
    path = write(tmp_path, "lhs:\n  samples: 4\n")
    lue, ulm = load_scenario("lueneburg-status-quo"), load_scenario("ulm-status-quo")
    sweep = load_sweep(path).resolve([lue, ulm])
    assert "provider.lead_referral_share" in sweep.lhs_columns
    lue_points, ulm_points = sweep.points(lue), sweep.points(ulm)
    assert all("provider.lead_referral_share" not in o for _, o in lue_points)
    drawn = [o["provider.lead_referral_share"]["value"] for _, o in ulm_points]
    assert len(set(drawn)) == 4 and all(0.6 <= v <= 0.95 for v in drawn)
    for (_, a), (_, b) in zip(lue_points, ulm_points, strict=True):  # shared columns paired
        assert a["need.trend_per_year"] == b["need.trend_per_year"]


@pytest.mark.parametrize("distribution", ["uniform", "triangular", "normal"])
def test_regression_upper_end_of_a_design_lands_outside_the_declared_range(distribution):
    """A Sobol or Morris design reaches u = 1: 0.075 + 1 · 0.15 was 0.22500000000000003,
    above the declared 0.225, and the scenario refused the point."""
    from scenarios import UncertaintySection

    extra = {"uniform": {}, "triangular": {"mode": 0.1}, "normal": {"sd": 0.05}}[distribution]
    unc = UncertaintySection(
        parameter="help_types.31.help_effect",
        label="Wirkung",
        distribution=distribution,
        low=0.075,
        high=0.225,
        unit="need/month",
        assumption="Test",
        **extra,
    )
    for u in (0.0, 1.0):
        value = sample_value(unc, u, 0.15)
        assert 0.075 <= value <= 0.225
    assert sample_value(unc, 1.0, 0.15) == pytest.approx(0.225)
