"""Scenario discovery: PRIM finds planted boxes, says them in German, keeps its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments import Box, Step, box_condition, box_record, box_sentence, find_boxes

COLUMNS = ["a", "b", "c", "d"]


def _planted(seed: int, n: int = 2000, noise: float = 0.05) -> tuple[pd.DataFrame, np.ndarray]:
    """Uniform points; cases inside [0, 0.3] × [0.6, 1] on (a, b), a share ``noise`` flipped."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, len(COLUMNS))), columns=COLUMNS)
    inside = ((x["a"] <= 0.3) & (x["b"] >= 0.6)).to_numpy()
    return x, inside ^ (rng.random(n) < noise)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_finds_the_planted_box(seed):
    x, cases = _planted(seed)
    boxes = find_boxes(x, cases)
    assert boxes, "no box found"
    box = boxes[0]
    assert set(box.limits) == {"a", "b"}  # c and d do not matter and are not restricted
    assert box.limits["a"][1] == pytest.approx(0.3, abs=0.05)
    assert box.limits["b"][0] == pytest.approx(0.6, abs=0.05)
    assert not box.restricts_low("a") and box.restricts_high("a")  # a ≤ 0.3, from the edge
    assert box.restricts_low("b") and not box.restricts_high("b")
    assert box.density >= 0.85
    # With 5 % of the labels flipped, the 88 noise cases outside cap the coverage even
    # of the planted box itself near 0.72: the found box must come close to that.
    planted = ((x["a"] <= 0.3) & (x["b"] >= 0.6)).to_numpy()
    best = (cases & planted).sum() / cases.sum()
    assert box.coverage >= 0.65
    assert box.coverage >= 0.95 * best
    # its figures are those of its limits
    inside = box.contains(x)
    assert box.n_in == inside.sum()
    assert box.n_cases_in == (inside & cases).sum()
    assert box.density == pytest.approx(box.n_cases_in / box.n_in)
    assert box.mass == pytest.approx(box.n_in / len(x))


def test_prim_finds_two_planted_boxes_one_after_the_other():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((3000, 4)), columns=COLUMNS)
    first = ((x["a"] <= 0.3) & (x["b"] <= 0.4)).to_numpy()
    second = ((x["c"] >= 0.75) & (x["d"] >= 0.7)).to_numpy()
    boxes = find_boxes(x, first | second, threshold=0.9)
    assert [set(b.limits) for b in boxes] == [{"a", "b"}, {"c", "d"}]
    assert boxes[0].limits["a"][1] == pytest.approx(0.3, abs=0.03)
    assert boxes[1].limits["c"][0] == pytest.approx(0.75, abs=0.03)
    assert sum(b.coverage for b in boxes) >= 0.95
    assert all(b.density >= 0.9 for b in boxes)


def test_no_case_or_only_cases_give_no_box():
    x, _ = _planted(0, n=200)
    assert find_boxes(x, np.zeros(len(x), dtype=bool)) == []
    assert find_boxes(x, np.ones(len(x), dtype=bool)) == []


def test_cases_without_structure_give_no_dense_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((1000, 3)), columns=["a", "b", "c"])
    assert find_boxes(x, rng.random(1000) < 0.3, threshold=0.9) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cases": np.zeros(3, dtype=bool)}, "cases of shape"),
        ({"cases": np.zeros(10)}, "boolean"),
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"max_boxes": 0}, "max_boxes"),
        ({"min_mass": 1.0}, "min_mass"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    x = pd.DataFrame({"a": np.linspace(0, 1, 10)})
    args = {"cases": np.arange(10) < 3, **kwargs}
    cases = args.pop("cases")
    with pytest.raises(ValueError, match=match):
        find_boxes(x, cases, **args)


def test_missing_values_are_refused():
    x = pd.DataFrame({"a": [0.1, np.nan, 0.3, 0.4]})
    with pytest.raises(ValueError, match="missing or infinite"):
        find_boxes(x, np.array([True, False, False, True]))


def _box() -> Box:
    return Box(
        limits={
            "projects.effect_mean": (0.0, 0.0302),
            "provider.responsiveness": (0.604, 1.0),
            "need.trend_per_year": (0.0049, 0.0251),
        },
        ranges={
            "projects.effect_mean": (0.0, 0.12),
            "provider.responsiveness": (0.0, 1.0),
            "need.trend_per_year": (-0.02, 0.04),
        },
        coverage=0.714,
        density=0.8372,
        mass=0.2249,
        n_in=45,
        n_cases_in=38,
        quasi_p={
            "projects.effect_mean": 1e-6,
            "provider.responsiveness": 1e-4,
            "need.trend_per_year": 0.01,
        },
        trajectory=(Step(1.0, 0.4, 1.0, 0), Step(0.714, 0.8372, 0.2249, 3)),
        selected=1,
    )


LABELS = {
    "projects.effect_mean": "Wirkung der Präventionsprojekte",
    "provider.responsiveness": "Reaktion der Träger auf Anreize",
    "need.trend_per_year": "Bedarfstrend",
    "recognition.report_rate_factor": "Meldequote",
}
UNITS = {
    "projects.effect_mean": "need/month",
    "provider.responsiveness": "share",
    "need.trend_per_year": "need/year",
    "recognition.report_rate_factor": "factor",
}


def test_the_sentence_names_the_restricted_assumptions_in_german():
    text = box_sentence(
        _box(), LABELS, UNITS, "„Ausgaben gesamt“ (Differenz zum Vergleich)", "über 0 €"
    )
    assert text == (
        "Wenn „Wirkung der Präventionsprojekte“ unter 0,03 je Monat (Bedarfsskala) liegt, "
        "„Reaktion der Träger auf Anreize“ über 60 % liegt und „Bedarfstrend“ zwischen "
        "0,005 und 0,025 je Jahr (Bedarfsskala) liegt, dann liegt „Ausgaben gesamt“ "
        "(Differenz zum Vergleich) in 84 % der Fälle über 0 € (Dichte); die Box erfasst "
        "71 % aller solchen Fälle (Abdeckung) und 22 % der Stichprobe."
    )
    assert "Meldequote" not in text  # an unrestricted assumption is not named
    assert "." not in text.replace("Stichprobe.", "")  # German decimals: commas, no points


def test_a_condition_with_money_and_an_unknown_label():
    box = Box(
        limits={"projects.cost_mean": (31_234.0, 48_766.0)},
        ranges={"projects.cost_mean": (25_000.0, 60_000.0)},
        coverage=0.5,
        density=0.9,
        mass=0.1,
        n_in=10,
        n_cases_in=9,
        quasi_p={"projects.cost_mean": 0.001},
        trajectory=(Step(0.5, 0.9, 0.1, 1),),
        selected=0,
    )
    assert box_condition(box, "projects.cost_mean", "Projektkosten", "EUR/year") == (
        "„Projektkosten“ zwischen 31.000 und 49.000 € je Jahr liegt"
    )
    record = box_record(box, {}, {}, "Satz")
    assert record["limits"]["projects.cost_mean"]["label"] == "projects.cost_mean"
    assert record["limits"]["projects.cost_mean"]["restricts_low"] is True
    assert record["trajectory"] == [[0.5, 0.9, 0.1, 1]]


def test_the_planted_box_reads_as_expected():
    x, cases = _planted(1)
    box = find_boxes(x, cases)[0]
    text = box_sentence(
        box, {"a": "A", "b": "B"}, {"a": "need/month", "b": "share"}, "„Y“", "über 0"
    )
    assert text.startswith("Wenn „A“ unter 0,3 je Monat (Bedarfsskala) liegt und „B“ über 6")
    assert "„c“" not in text and "„d“" not in text


@st.composite
def _problems(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray, float, float]:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(20, 400))
    d = draw(st.integers(1, 4))
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, d)), columns=[f"u{i}" for i in range(d)])
    if draw(st.booleans()):  # a box and noise
        low, high = sorted(rng.random(2))
        cases = ((x["u0"] >= low) & (x["u0"] <= high)).to_numpy()
        cases = cases ^ (rng.random(n) < draw(st.floats(0.0, 0.3)))
    else:  # no structure
        cases = rng.random(n) < draw(st.floats(0.0, 1.0))
    return x, cases, draw(st.floats(0.5, 1.0)), draw(st.floats(0.02, 0.3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems())
def test_boxes_keep_their_invariants(problem):
    x, cases, threshold, min_mass = problem
    boxes = find_boxes(x, cases, threshold=threshold, min_mass=min_mass)
    taken = np.zeros(len(x), dtype=bool)
    for box in boxes:
        assert 0.0 <= box.coverage <= 1.0
        assert threshold <= box.density <= 1.0
        assert box.mass >= min_mass - 1e-12
        assert box.limits, "a box restricts something"
        for column, (low, high) in box.limits.items():
            lo, hi = box.ranges[column]
            assert lo <= low <= high <= hi
            assert box.restricts_low(column) or box.restricts_high(column)
        for step in box.trajectory:
            assert 0.0 <= step.coverage <= 1.0 and 0.0 <= step.density <= 1.0
        assert 0 <= box.selected < len(box.trajectory)
        inside = box.contains(x) & ~taken  # a later box counts the points earlier ones leave
        assert box.n_in == inside.sum()
        assert box.n_cases_in == (inside & cases).sum()
        assert box.coverage == pytest.approx(box.n_cases_in / cases.sum())
        assert box.density == pytest.approx(box.n_cases_in / box.n_in)
        taken |= inside
    assert sum(b.coverage for b in boxes) <= 1.0 + 1e-9
