"""The ledger books exactly, aggregates lines and keeps a running total."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from model.ledger import Ledger


def _ledger() -> Ledger:
    led = Ledger(("A", "B"), ["P1", "P2"])
    led.item_id("31")
    led.item_id("34")
    return led


def test_lines_with_same_keys_are_aggregated():
    led = _ledger()
    led.book(
        0, np.array([0, 0, 1]), 3, np.array([0, 0, 1]), np.array([1, 1, -1]), "case", [100, 250, 7]
    )
    df = led.frame(start_year=2026)
    assert len(df) == 2
    row = df[(df.region == "A")].iloc[0]
    assert (row["cents"], row["provider"], row["item"], row["pot"]) == (350, "P2", "31", "central")
    assert df[df.region == "B"].iloc[0].provider == ""


def test_burn_in_bookings_are_dropped_from_the_frame_but_not_from_totals():
    led = _ledger()
    led.book(0, 0, 0, 0, 0, "office", 5)
    led.book(12, 0, 0, 0, 0, "office", 7)
    df = led.frame(start_year=2026, burn_in_months=12)
    assert df.cents.tolist() == [7]
    assert df.year.tolist() == [2026] and df.month.tolist() == [1]
    assert led.running[0, 0] == 12


@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 3), st.integers(-(10**9), 10**9)), max_size=50
    )
)
def test_running_total_equals_sum_of_lines(lines):
    led = _ledger()
    for region, pot, cents in lines:
        led.book(0, region, pot, 0, 0, "case", cents)
    a = led.arrays()
    expected = np.zeros((2, 4), dtype=np.int64)
    for region, pot, cents in lines:
        expected[region, pot] += cents
    np.testing.assert_array_equal(led.running, expected)
    assert a["cents"].sum() == sum(c for *_, c in lines)
