"""The rules every callback value is checked against (dashboard.guard)."""

from __future__ import annotations

import math

import pytest

from dashboard.guard import Choice, Choices, Clicks, Number, refusal_text

NAMES = frozenset({"lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("lueneburg-status-quo", True),
        ("/etc/passwd", False),
        ("lueneburg-status-quo.yaml", False),
        (None, False),
        (["lueneburg-status-quo"], False),
        ({"name": "lueneburg-status-quo"}, False),
    ],
)
def test_choice(value, ok):
    assert (Choice("Basisszenario", NAMES).problem(value) is None) is ok


def test_choice_of_years_takes_integers_only():
    years = Choice("Jahr", frozenset({2025, 2026}), kind=int, optional=True)
    assert years.problem(2025) is None and years.problem(None) is None
    for bad in (2025.0, "2025", True, 1999):
        assert years.problem(bad) is not None


def test_choices():
    rule = Choices("Vergleichsszenarien", NAMES, max_items=2)
    assert rule.problem(None) is None and rule.problem([]) is None
    assert rule.problem(["lueneburg-status-quo"]) is None
    for bad in ("lueneburg-status-quo", ["x"], [1], list(NAMES) * 2):
        assert "bis zu 2 Einträge" in rule.problem(bad)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (0.5, True),
        (1, True),
        (0.7000000000000001, True),
        (1.0 + 1e-6, False),
        (math.nan, False),
        (math.inf, False),
        (True, False),
        ("0.5", False),
        (None, False),
    ],
)
def test_number(value, ok):
    assert (Number("Anteil gebundenes Budget", 0.5, 1.0).problem(value) is None) is ok


def test_number_refusal_names_the_range_in_german():
    reason = Number("Anteil gebundenes Budget", 0.5, 1.0).problem(2)
    assert reason == "Anteil gebundenes Budget: nur eine Zahl von 0,5 bis 1,0 ist möglich"
    assert refusal_text(reason).startswith("Anfrage abgelehnt: Anteil")


def test_clicks():
    rule = Clicks("Rechnen")
    assert rule.problem(None) is None and rule.problem(0) is None and rule.problem(7) is None
    for bad in (-1, "1", 1.5, True):
        assert rule.problem(bad) == "Rechnen: keine gültige Zahl von Klicks"
