"""The what-if page says what the chosen incentive scheme does and its legal risk."""

from __future__ import annotations

from dashboard.pages.whatif import scheme_note_children
from model.incentives import SCHEMES


def test_scheme_note_names_the_legal_risk_of_a_flat_budget():
    text = str(scheme_note_children("flat"))
    assert "VG Lüneburg" in text and "13 K 1532/12" in text
    assert "VG" not in str(scheme_note_children("none"))
    assert scheme_note_children("gibt-es-nicht") == []


def test_every_scheme_shows_its_description():
    for name, cls in SCHEMES.items():
        assert cls.description in str(scheme_note_children(name))
