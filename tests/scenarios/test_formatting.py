import doctest
import re

from hypothesis import given
from hypothesis import strategies as st

import scenarios.formatting as formatting
from scenarios.formatting import fmt_eur, fmt_num, fmt_pct, fmt_value


def _parse_german(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_doctests_pass():
    result = doctest.testmod(formatting)
    assert result.attempted > 0
    assert result.failed == 0


def test_examples_from_the_style_guide():
    assert fmt_eur(1_234_567) == "1.234.567 €"
    assert fmt_pct(0.125) == "12,5 %"
    assert fmt_num(1234.5, 2) == "1.234,50"
    assert fmt_num(0) == "0"


def test_negative_zero_has_no_sign():
    assert fmt_num(-0.0) == "0"
    assert fmt_num(-0.4) == "0"
    assert fmt_eur(-0.2) == "0 €"
    assert fmt_num(-0.6) == "-1"


def test_non_finite_values():
    assert fmt_num(float("nan")) == "–"
    assert fmt_eur(float("nan")) == "– €"
    assert fmt_num(float("inf")) == "∞"
    assert fmt_num(float("-inf")) == "-∞"


def test_fmt_value_for_messages():
    assert fmt_value(1.3) == "1,3"
    assert fmt_value(-5) == "-5"
    assert fmt_value(True) == "true"
    assert fmt_value(None) == "leer"
    assert fmt_value("x") == "„x“"


finite = st.floats(min_value=-1e14, max_value=1e14, allow_nan=False, allow_infinity=False)


@given(x=finite, decimals=st.integers(min_value=0, max_value=4))
def test_fmt_num_is_german_grouping_of_the_rounded_value(x, decimals):
    text = fmt_num(x, decimals)
    frac = rf",\d{{{decimals}}}" if decimals else ""
    assert re.fullmatch(rf"-?\d{{1,3}}(\.\d{{3}})*{frac}", text), text
    expected = float(f"{x:.{decimals}f}")
    assert _parse_german(text) == expected
    if text.startswith("-"):
        assert any(c in "123456789" for c in text)


@given(n=st.integers(min_value=-(10**15), max_value=10**15))
def test_fmt_num_integers_round_trip(n):
    text = fmt_num(n)
    assert text.replace(".", "") == str(n)


@given(x=finite)
def test_fmt_eur_and_pct_build_on_fmt_num(x):
    assert fmt_eur(x) == f"{fmt_num(x)} €"
    assert fmt_eur(x, 2) == f"{fmt_num(x, 2)} €"
    share = x / 1e14
    assert fmt_pct(share) == f"{fmt_num(share * 100.0, 1)} %"
    assert "." not in fmt_pct(share).split(",")[-1]
