"""Allocation keys split pots exactly and follow the Sozialraumindex."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from model.allocation import allocation_weights, jugendeinwohnerwert, split_cents
from tests.fixtures.factory import REGIONS, base_params


@given(total=st.integers(0, 10**12), weights=st.lists(st.floats(0, 1e6), min_size=1, max_size=8))
def test_split_cents_adds_up_exactly(total, weights):
    parts = split_cents(total, np.array(weights))
    assert parts.sum() == total
    assert (parts >= 0).all()


def test_sozialraumindex_raises_the_weight_of_a_burdened_region():
    regions = (dataclasses.replace(REGIONS[0], sgb2_share=0.2), REGIONS[1], REGIONS[2])
    u21 = np.array([1000.0, 1000.0, 1000.0])
    jew = jugendeinwohnerwert(regions, u21, {"sgb2_share": 1.0})
    assert jew[0] > jew[1] == jew[2]
    assert jew.sum() == np.float64(u21.sum()).round(6) or abs(jew.sum() - u21.sum()) < 1e-6


def test_history_key_follows_last_years_spending_and_falls_back_to_population():
    b = dataclasses.replace(base_params().budget, allocation_key="history")
    u21 = np.array([1.0, 2.0, 3.0])
    assert allocation_weights(b, REGIONS, u21, None).tolist() == [1.0, 2.0, 3.0]
    assert allocation_weights(b, REGIONS, u21, np.array([5, 0, 5])).tolist() == [5.0, 0.0, 5.0]
