"""Demography of the engine: the population grows in the reported years only."""

from __future__ import annotations

import pytest

from model.model import SozialraumModel
from tests.fixtures.factory import make_params

SMALL = {"scale": 0.05, "years": 3, "population.growth_per_year": 0.05}


def _families_at_report_start(burn_in: int) -> tuple[int, SozialraumModel]:
    model = SozialraumModel(make_params(**SMALL, burn_in_months=burn_in), rng=3)
    while model.month_abs < burn_in:
        model.step()
        assert int(model.families.alive.sum()) == model.n_families_start
    return int(model.families.alive.sum()), model


def test_regression_a_longer_burn_in_reported_a_larger_kreis():
    """The population grew from month 0, burn-in included: 240 months of burn-in at
    0.5 % a year reported a Kreis 10 % larger than the one synthesised from the
    municipalities. The synthesised population is now the first reported month's."""
    short, _ = _families_at_report_start(12)
    long, model = _families_at_report_start(96)
    assert short == long == model.n_families_start


def test_the_population_grows_by_its_yearly_rate_in_the_reported_years():
    _, model = _families_at_report_start(12)
    n0 = model.n_families_start
    for _ in range(24):
        model.step()
    assert int(model.families.alive.sum()) == round(n0 * 1.05**2)
    assert int(model.families.alive.sum()) > n0 * 1.09
    # room for the reported years' growth, not for growth over the burn-in
    assert model.families.capacity == pytest.approx(n0 * 1.05**3 * 1.08 + 64, abs=1)
