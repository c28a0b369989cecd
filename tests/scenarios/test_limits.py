"""Limits no real Kreis can exceed (:mod:`scenarios.limits`): values, reasons, checks.

The command-line cases (exit code, one ``Fehler:`` line, store unchanged) are in
``tests/bad_days/test_limits.py``; here the limits themselves: that every one is
documented, that the money limits really keep the ledger's integer cents from
overflowing, that values exactly at a limit pass and one beyond fails, and that the
checks run before anything expensive (planning, loading per point).
"""

from __future__ import annotations

import argparse
import ast
import re
import time
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from cli.main import _int_at_least
from experiments import plan_batch
from experiments.sweep import load_sweep
from scenarios import DATA_DIR, LIBRARY_DIR, limits, load_scenario
from scenarios.errors import ScenarioError, german_message
from scenarios.limits import (
    MAX_BATCH_RUNS,
    MAX_EUR_AMOUNT,
    MAX_EUR_PER_DAY,
    MAX_EUR_PER_FLS,
    MAX_FLS_PER_WEEK,
    MAX_GROWTH_PER_YEAR,
    MAX_MONTHS,
    MAX_SEED,
    MAX_SIMULATED_POPULATION,
    MAX_YEARS,
    ArgumentError,
    check_arguments,
    check_batch_size,
    check_scenario_size,
)

INT64_MAX = 2**63 - 1
"""The ledger books cents as numpy int64."""
POTS = 4
"""Budget pots of a region (bound, regional 1, regional 2, central)."""


def _variant(tmp_path: Path, name: str, overrides: str, description: str = "Test") -> Path:
    body = "".join(f"  {line}\n" for line in overrides.splitlines())
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"name: {name}\ndescription: {description}\nextends: lueneburg-status-quo\n"
        f"overrides:\n{body}",
        encoding="utf-8",
    )
    return path


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


# =========================================================================== the limits


def test_every_limit_is_a_documented_constant() -> None:
    """Each ``MAX_*`` of the module has a docstring that gives a reason (several lines)."""
    tree = ast.parse(Path(limits.__file__).read_text(encoding="utf-8"))
    body = tree.body
    found = []
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if not name.startswith("MAX_"):
                continue
            found.append(name)
            doc = body[i + 1] if i + 1 < len(body) else None
            assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant), name
            assert len(str(doc.value.value)) >= 40, f"{name}: Begründung fehlt"
    assert len(found) >= 20
    assert set(found) <= set(limits.__all__)


def test_money_limits_keep_the_ledger_cents_far_from_overflow() -> None:
    """The largest funds growing at the largest rate over the longest horizon, in all
    pots and years together, stay far below int64 cents (the 1e308 bug was an overflow).

    Funds grow in the simulated years only (not in the burn-in, see
    ``model.agents.Jugendamt``); carry-overs and incentives at most double a pot.
    """
    per_pot = sum(MAX_EUR_AMOUNT * 100 * (1 + MAX_GROWTH_PER_YEAR) ** y for y in range(MAX_YEARS))
    assert 2 * per_pot * POTS < INT64_MAX / 100


def test_rate_limits_keep_spending_far_from_overflow() -> None:
    """Every simulated inhabitant in the dearest help for the whole horizon still fits."""
    months = MAX_YEARS * 12 + MAX_MONTHS
    daily = MAX_SIMULATED_POPULATION * MAX_EUR_PER_DAY * 31 * 100 * months
    fls = MAX_SIMULATED_POPULATION * MAX_FLS_PER_WEEK * 31 / 7 * MAX_EUR_PER_FLS * 100 * months
    assert daily < INT64_MAX / 2
    assert fls < INT64_MAX / 2


def test_seed_limit_is_exact_in_int32_and_excel() -> None:
    assert MAX_SEED == 2**31 - 1
    assert float(MAX_SEED) == MAX_SEED and len(str(MAX_SEED)) <= 15


# =========================================================================== regressions


def test_regression_huge_seed_stores_a_partial_batch() -> None:
    """``--seed 9223372036854775807`` stored the first run, then overflowed (BIGINT)."""
    started = time.perf_counter()
    with pytest.raises(ArgumentError) as info:
        plan_batch(["lueneburg-status-quo"], 2, seed_base=2**63 - 1)
    assert time.perf_counter() - started < 1.0  # refused before any scenario is loaded
    assert info.value.field == "--seed"
    assert info.value.cli_line().startswith("Fehler: Aufruf ungültig, Angabe --seed: ")


def test_regression_last_seed_of_a_batch_beyond_bigint() -> None:
    """The first seed fitted, ``seed + replicates − 1`` did not."""
    check_arguments(seed=MAX_SEED - 1, replicates=2)  # last seed exactly at the limit
    with pytest.raises(ArgumentError, match=re.escape("letzter Seed 2.147.483.648")):
        check_arguments(seed=MAX_SEED, replicates=2)


def test_regression_billion_replicates_hang_while_planning() -> None:
    """``--replicates 10**9`` planned a billion runs before anything else."""
    started = time.perf_counter()
    with pytest.raises(ArgumentError, match=re.escape("höchstens 10.000 Wiederholungen")):
        plan_batch(["lueneburg-status-quo"], 10**9)
    assert time.perf_counter() - started < 1.0


def test_regression_sweep_of_a_million_points_hangs_while_planning(tmp_path: Path) -> None:
    """Planning 10⁶ points loaded the scenario once per point (hours)."""
    sweep_file = tmp_path / "million.yaml"
    values = ", ".join(str(v) for v in range(100))
    sweep_file.write_text(
        f"grid:\n  provider.fls_rate: [{values}]\n  budget.bound_share: [{values}]\n"
        f"  budget.regional2_share: [{values}]\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep_file)
    assert time.perf_counter() - started < 1.0
    assert info.value.field == "grid"
    assert "1.000.000 Punkte" in info.value.message and "10.000" in info.value.message


def test_runs_of_a_batch_are_counted_before_any_point_is_loaded() -> None:
    started = time.perf_counter()
    with pytest.raises(ArgumentError) as info:
        check_batch_size(10, 10_000, 10, 1, Path("sweep.yaml"))
    assert time.perf_counter() - started < 1.0
    assert "1.000.000 Läufe" in info.value.message and "sweep.yaml" in info.value.message
    check_batch_size(5, 1_000, MAX_BATCH_RUNS // 5_000, 1)  # exactly at the limit


def test_regression_years_10000_hang(tmp_path: Path) -> None:
    """``years: 10000`` in a scenario ran for hours and overflowed."""
    err = _error(_variant(tmp_path, "jahre", "years: 10000"))
    assert err.field == "years" and "höchstens 30 Jahre" in err.message
    assert load_scenario(_variant(tmp_path, "dreissig", "years: 30")).params.years == 30


def test_regression_funds_1e308_give_negative_budgets(tmp_path: Path) -> None:
    """Funds of 1e308 € gave exit 0 with negative budgets (int64 cents wrapped around)."""
    err = _error(_variant(tmp_path, "geld", "budget.central_funds: 1.0e+308"))
    assert err.field == "budget.central_funds"
    assert "höchstens 10.000.000.000 € je Jahr" in err.message
    at_limit = _variant(tmp_path, "grenze", "budget.central_funds: 1.0e+10")
    assert load_scenario(at_limit).params.budget.central_funds == MAX_EUR_AMOUNT


def test_regression_every_population_zero_gives_727_cases(tmp_path: Path) -> None:
    """With 0 inhabitants everywhere a run ended with exit 0 and 727 cases per 10.000."""
    text = (LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml").read_text("utf-8")
    csv = (DATA_DIR / "lueneburg_municipalities.csv").read_text("utf-8").splitlines()
    rows = [csv[0]] + [",".join([*r.split(",", 3)[:2], "0", r.split(",", 3)[3]]) for r in csv[1:]]
    (tmp_path / "leer.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = text.replace("name: lueneburg-status-quo", "name: leer")
    text = text.replace("../../data/lueneburg_municipalities.csv", "leer.csv")
    text = text.replace("../../data/", f"{DATA_DIR}/")
    text = text.replace("../../../calibration/", f"{LIBRARY_DIR.parents[1]}/calibration/")
    path = tmp_path / "leer.yaml"
    path.write_text(text, encoding="utf-8")
    err = _error(path)
    assert err.field == "regions" and "0 Einwohner" in err.message and "leer.csv" in err.message


def test_regression_no_young_people_gives_nonsense(tmp_path: Path) -> None:
    err = _error(_variant(tmp_path, "ohne", "population.under21_share: 0.0"))
    assert err.field == "population.under21_share"


def test_regression_huge_description_copied_everywhere(tmp_path: Path) -> None:
    """A description of many megabytes went into every run record and export."""
    err = _error(_variant(tmp_path, "lang", "need.base: 0.79", description="x" * 10_001))
    assert err.field == "description"
    assert err.message == "Text ist zu lang (10.001 Zeichen; höchstens 10.000 Zeichen)"


def test_regression_growth_makes_the_family_table_explode(tmp_path: Path) -> None:
    """Growth compounded over the horizon allocated the family table for billions."""
    err = _error(_variant(tmp_path, "wachstum", "years: 30\npopulation.growth_per_year: 0.2"))
    assert err.field == "population.growth_per_year" and "16.000.000" in err.message


# =========================================================================== the pieces


def test_limit_applies_to_uncertainty_ranges(tmp_path: Path) -> None:
    """A range declared on a money parameter cannot reach beyond the money limit."""
    path = _variant(
        tmp_path,
        "spanne",
        "uncertainties: [{parameter: provider.cost_per_fte_month, label: Stelle, "
        "distribution: uniform, low: 5000.0, high: 1.0e+6, unit: EUR/month, assumption: Test}]",
    )
    err = _error(path)
    assert err.field is not None and err.field.endswith("high")
    assert "höchstens 100.000 € je Monat" in err.message


def test_check_scenario_size_names_the_option_set_on_the_command_line() -> None:
    params = load_scenario("lueneburg-status-quo").params
    check_scenario_size(params, "x.yaml")
    tiny = params.__class__(**{**params.__dict__, "scale": 1e-6})
    with pytest.raises(ScenarioError) as from_file:
        check_scenario_size(tiny, "x.yaml")
    assert from_file.value.field == "scale" and from_file.value.file == "x.yaml"
    with pytest.raises(ArgumentError) as from_cli:
        check_scenario_size(tiny, "x.yaml", cli={"scale"})
    assert from_cli.value.cli_line().startswith("Fehler: Aufruf ungültig, Angabe --scale: ")


def test_argument_type_refuses_beyond_its_limit_and_accepts_it() -> None:
    years = _int_at_least(1, MAX_YEARS, "Jahre", limits.YEARS_WHY)
    assert years("30") == 30
    with pytest.raises(argparse.ArgumentTypeError, match="höchstens 30 Jahre"):
        years("31")
    with pytest.raises(argparse.ArgumentTypeError, match="zu lang für eine Zahl"):
        years("9" * 5000)


def test_string_too_long_is_translated() -> None:
    class Doc(BaseModel):
        text: str = Field(max_length=3)

    with pytest.raises(ValidationError) as info:
        Doc(text="abcd")
    message = german_message(info.value.errors()[0])
    assert message == "Text ist zu lang (4 Zeichen; höchstens 3 Zeichen)"


@pytest.mark.parametrize(
    "value, message",
    [
        (31, "Wert 31 ist zu groß; höchstens 30 Jahre"),
        (1e308, "Wert 1e+308 ist zu groß; höchstens 30 Jahre"),
        (10_000, "Wert 10.000 ist zu groß; höchstens 30 Jahre"),
    ],
)
def test_too_large_shows_numbers_the_german_way(value: float, message: str) -> None:
    assert limits.too_large(value, MAX_YEARS, "Jahre") == message
