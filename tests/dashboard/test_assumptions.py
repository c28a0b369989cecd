"""Assumptions of the briefing: values in the units of the scenario files, in German."""

from __future__ import annotations

from dashboard import assumptions as A


def test_format_quantity_and_ranges():
    assert A.format_quantity(0.2, "share") == "20 %"
    assert A.format_quantity(0.125, "share") == "12,5 %"
    assert A.format_quantity(2233000.0, "EUR/year") == "2.233.000 € je Jahr"
    assert A.format_quantity(75.0, "EUR/FLS") == "75,00 € je FLS"
    assert A.format_quantity(-0.02, "need/year") == "-0,02 je Jahr (Bedarfsskala)"
    assert A._range_text(-0.02, 0.04, "need/year") == "-0,02 bis 0,04 je Jahr (Bedarfsskala)"
    assert A._range_text(0.0, 1.0, "share") == "0 % bis 100 %"


def test_levers_use_the_one_wording_of_the_labels():
    """The briefing said "kein Anreizsystem", the app "… (Bezahlung je Fall)"; now one."""
    from results import SCHEME_LABELS

    loaded = {
        name: A.load_named(name)
        for name in ("lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt")
    }
    levers = dict(A.lever_differences(loaded))
    assert levers["Anreizsystem"] == [SCHEME_LABELS["none"], SCHEME_LABELS["retention"]]
    assert A.load_named("/etc/passwd") is None  # a library name only
