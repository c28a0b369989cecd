"""The steady-state target: the status quo's stock of helps does not drift after the burn-in.

Issue 14, item 1: in the status quo with no need trend, the stock changes by at most
3 % over the horizon. The stock is measured per under-21 (the population grows by
``population.growth_per_year`` in the reported years, a declared trend); foster care
(§33), the slowest stock to build up and a cost driver, is held to 6 %.
"""

from __future__ import annotations

import pytest

from calibration.steady_state import drift, stock_path
from scenarios import load_scenario

SCENARIO = "lueneburg-status-quo"
SEEDS = 12


@pytest.fixture(scope="module")
def shipped_burn_in() -> int:
    return load_scenario(SCENARIO).params.burn_in_months


def test_the_status_quo_reaches_a_steady_state_within_its_burn_in(shipped_burn_in):
    codes, path = stock_path(SCENARIO, shipped_burn_in, SEEDS)
    d = drift(codes, path, shipped_burn_in)
    assert abs(d["per_u21"]) <= 0.03, d
    assert abs(d["33"]) <= 0.06, d


def test_a_burn_in_of_60_months_leaves_the_stock_growing():
    """The shipped burn-in was 60 months: foster care was still building up."""
    codes, path = stock_path(SCENARIO, 60, SEEDS)
    d = drift(codes, path, 60)
    assert d["per_u21"] > 0.03, d
    assert d["33"] > 0.10, d
