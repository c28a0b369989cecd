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
