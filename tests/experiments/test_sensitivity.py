"""Sensitivity indices against known answers: Ishigami (Sobol) and a linear function (Morris)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments import design_size, sample_value, sensitivity_design, sensitivity_indices
from scenarios import UncertaintySection

A, B = 7.0, 0.1
"""Ishigami's usual constants."""


def _ishigami_exact() -> dict[str, dict[str, float]]:
    """Analytic first-order and total indices (Sobol & Levitan 1999)."""
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = 8 * B**2 * math.pi**8 / 225
    v = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v},
    }


def _uniform(name: str, low: float, high: float) -> UncertaintySection:
    return UncertaintySection(
        parameter=name,
        label=name,
        distribution="uniform",
        low=low,
        high=high,
        unit="factor",
        assumption="Testfunktion",
    )


def _through_declarations(unit: np.ndarray, uncertainties: list[UncertaintySection]) -> np.ndarray:
    """Map design points through the declared distributions, as a study does."""
    return np.array(
        [
            [sample_value(u, float(x), 0.0) for u, x in zip(uncertainties, row, strict=True)]
            for row in unit
        ]
    )


def test_sobol_indices_of_ishigami_match_the_analytic_ones_within_their_intervals():
    uncs = [_uniform(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]
    design = sensitivity_design("sobol", [u.parameter for u in uncs], 2048, seed=11)
    assert design.unit_samples.shape == (design_size("sobol", 2048, 3), 3)
    x = _through_declarations(design.unit_samples, uncs)
    y = np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])
    indices = sensitivity_indices(design, y)
    exact = _ishigami_exact()
    for row in indices.itertuples():
        truth = exact[row.measure][row.parameter]
        assert abs(row.value - truth) <= row.conf, (row.measure, row.parameter, row.value, truth)
        assert row.conf < 0.06  # intervals narrow enough to mean something
    order = indices[indices["measure"] == "ST"]["parameter"].tolist()
    assert order == ["x1", "x2", "x3"]  # ranked by the total index


def test_morris_effects_of_a_linear_function_are_its_slopes():
    coef = {"a": 3.0, "b": -1.0, "c": 0.0}
    uncs = [_uniform(k, 0.0, 1.0) for k in coef]
    design = sensitivity_design("morris", list(coef), 20, seed=3)
    assert design.unit_samples.shape == (design_size("morris", 20, 3), 3)
    x = _through_declarations(design.unit_samples, uncs)
    y = x @ np.array(list(coef.values()))
    indices = sensitivity_indices(design, y).set_index(["parameter", "measure"])["value"]
    for name, slope in coef.items():
        assert indices[(name, "mu_star")] == pytest.approx(abs(slope))
        assert indices[(name, "sigma")] == pytest.approx(0.0, abs=1e-9)


def test_a_constant_outcome_gives_zero_indices():
    design = sensitivity_design("sobol", ["a", "b"], 8, seed=1)
    indices = sensitivity_indices(design, np.full(design.unit_samples.shape[0], 5.0))
    assert (indices["value"] == 0.0).all()


@pytest.mark.parametrize(
    ("method", "columns", "n"),
    [("sobol", ["a", "b"], 12), ("sobol", ["a"], 8), ("latin", ["a", "b"], 8)],
)
def test_bad_designs_are_refused(method, columns, n):
    with pytest.raises(ValueError):
        sensitivity_design(method, columns, n, seed=1)


def test_indices_need_one_finite_value_per_point():
    design = sensitivity_design("sobol", ["a", "b"], 8, seed=1)
    with pytest.raises(ValueError):
        sensitivity_indices(design, np.zeros(3))
    y = np.zeros(design.unit_samples.shape[0])
    y[0] = np.nan
    with pytest.raises(ValueError):
        sensitivity_indices(design, y)


@settings(max_examples=20, deadline=None)
@given(
    method=st.sampled_from(["sobol", "morris"]),
    d=st.integers(2, 6),
    power=st.integers(2, 5),
    seed=st.integers(0, 10_000),
)
def test_designs_stay_on_the_unit_cube_and_are_reproducible(method, d, power, seed):
    columns = [f"u{i}" for i in range(d)]
    one = sensitivity_design(method, columns, 2**power, seed)
    two = sensitivity_design(method, columns, 2**power, seed)
    assert one.unit_samples.shape == (design_size(method, 2**power, d), d)
    assert one.unit_samples.min() >= 0.0 and one.unit_samples.max() <= 1.0
    np.testing.assert_array_equal(one.unit_samples, two.unit_samples)
