"""The error type: one German line naming file, line and field."""

import doctest

import scenarios.errors as errors_module
from scenarios.errors import ScenarioError


def test_error_is_one_german_line():
    err = ScenarioError("scenarios/library/x.yaml", "budget.bound_share", "Wert 1,3\n liegt …")
    assert (
        str(err) == "Fehler in scenarios/library/x.yaml, Feld budget.bound_share: Wert 1,3 liegt …"
    )
    assert err.cli_line().startswith("Fehler: Datei scenarios/library/x.yaml, Feld budget.")
    assert str(ScenarioError("x.csv", "population", "negativ", 3)) == (
        "Fehler in x.csv, Zeile 3, Feld population: negativ"
    )


def test_errors_doctests_pass():
    result = doctest.testmod(errors_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_regression_only_the_first_error_of_a_file_was_shown():
    """A file with several faults said "… (und 2 weitere(r) Fehler)"; now every fault
    has its own line with file, line and field."""
    import pytest
    from pydantic import ValidationError

    from scenarios.sections import NeedSection

    with pytest.raises(ValidationError) as info:
        NeedSection.model_validate({"base": "viel", "reversion": 5, "gibtsnicht": 1})
    lines = {("base",): 3, ("gibtsnicht",): 7}
    err = errors_module.from_validation_error(info.value, "need.yaml", lines=lines)
    text = err.cli_line().splitlines()
    assert len(text) == len(err.problems()) > 3
    assert all(line.startswith("Fehler: Datei need.yaml") for line in text)
    assert text[0] == (
        "Fehler: Datei need.yaml, Zeile 7, Feld gibtsnicht: unbekanntes Feld (Tippfehler?)"
    )
    assert any(line.startswith("Fehler: Datei need.yaml, Zeile 3, Feld base: ") for line in text)
    assert any("Feld threshold_help: Pflichtfeld fehlt" in line for line in text)
    assert "weitere" not in err.cli_line()
    assert str(err).splitlines()[0] == f"Fehler in {err.location()}: {err.message}"


def test_at_most_fifty_lines_then_a_count():
    many = [ScenarioError("x.yaml", f"f{i}", "falsch", i + 1) for i in range(62)]
    err = ScenarioError.several(many)
    lines = err.cli_line().splitlines()
    assert len(lines) == errors_module.MAX_ERROR_LINES + 1 == 51
    assert lines[49] == "Fehler: Datei x.yaml, Zeile 50, Feld f49: falsch"
    assert (
        lines[50] == "Fehler: Datei x.yaml: 12 weitere Fehler nicht gezeigt (höchstens 50 Zeilen)"
    )
    again = ScenarioError.several([err, ScenarioError("y.yaml", None, "auch")])
    assert again.hidden == 13 and len(again.problems()) == 50  # the bound holds when merged


def test_the_same_problem_is_given_once():
    one = ScenarioError("x.yaml", "a", "falsch", 2)
    err = ScenarioError.several([one, ScenarioError("x.yaml", "a", "falsch", 2)])
    assert err.more == () and str(err) == str(one)
