"""Year-end settlement of each incentive scheme on hand-made balances (cents)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.incentives import R1, R2, Closing, make_scheme
from model.params import IncentiveParams


def _closing(spent_r2: list[int], budget_r2: int = 1000) -> Closing:
    n = len(spent_r2)
    alloc = np.zeros((n, 4), dtype=np.int64)
    alloc[:, R2] = budget_r2
    spent = np.zeros((n, 4), dtype=np.int64)
    spent[:, R2] = spent_r2
    return Closing(allocation=alloc, carry_in=np.zeros_like(alloc), spent=spent)


def test_none_returns_every_balance_to_the_kreis():
    c = _closing([800, 1200])
    make_scheme(IncentiveParams("none")).settle(c)
    assert c.result[:, R2].tolist() == [200, -200]
    assert not c.carry_out.any()


def test_retention_keeps_a_share_of_the_saving_for_next_years_projects():
    c = _closing([800, 1200])
    make_scheme(IncentiveParams("retention", retention_share=0.5)).settle(c)
    assert c.carry_out[:, R2].tolist() == [100, 0]
    assert c.next_carry_in[:, R1].tolist() == [100, 0]
    assert c.result[:, R2].tolist() == [100, -200]


def test_bonus_below_and_malus_above_the_corridor():
    c = _closing([800, 1000, 1300])
    bonus, malus = make_scheme(
        IncentiveParams("bonus_malus", corridor=0.1, bonus_share=0.5, malus_share=0.25)
    ).incentive_payments(c)
    # corridor [900, 1100]: bonus 0.5 * (900 - 800), malus 0.25 * (1300 - 1100)
    assert bonus.tolist() == [50, 0, 0]
    assert malus.tolist() == [0, 0, 50]


def test_balancing_moves_surplus_to_deficits_exactly():
    c = _closing([700, 1100, 1150])
    make_scheme(IncentiveParams("balancing", balancing_pots=("regional_2",))).settle(c)
    assert c.transfer_out[:, R2].tolist() == [250, 0, 0]
    assert c.transfer_in[:, R2].tolist() == [0, 100, 150]
    assert c.result[:, R2].tolist() == [50, 0, 0]


def test_flat_budget_rewards_saving_fully_on_regional_budget_2_only():
    s = make_scheme(IncentiveParams("flat"))
    assert s.savings_signal(R2) == 1.0
    assert s.savings_signal(R1) == 0.0
    assert s.flat_pots() == (R2,)


def test_unknown_scheme_is_an_error():
    with pytest.raises(ValueError, match="unknown incentive scheme"):
        make_scheme(IncentiveParams("lottery"))  # type: ignore[arg-type]


@given(
    spent=st.lists(st.integers(0, 10**7), min_size=1, max_size=6),
    budget=st.integers(0, 10**7),
    scheme=st.sampled_from(["none", "retention", "bonus_malus", "flat", "balancing"]),
    share=st.floats(0, 1),
)
def test_every_scheme_closes_the_identity(spent, budget, scheme, share):
    c = _closing(spent, budget)
    s = make_scheme(
        IncentiveParams(scheme, retention_share=share, bonus_share=share, malus_share=share)
    )
    s.settle(c)
    lhs = c.allocation + c.carry_in + c.transfer_in - c.transfer_out
    np.testing.assert_array_equal(lhs, c.spent + c.carry_out + c.result)
    assert c.transfer_in.sum() == c.transfer_out.sum()
    assert c.carry_out.sum() == c.next_carry_in.sum()
