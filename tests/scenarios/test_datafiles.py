"""Data files: municipality CSV (limits, German CSV problems) and paths that are no files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from scenarios import (
    DATA_DIR,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    MAX_MUNICIPALITY_POPULATION,
    ScenarioError,
    load_municipalities,
)
from tests.scenarios.helpers import (
    SHIPPED_CALIBRATION,
    calibrated_scenario,
    csv_with,
    load_error,
)

HEADER = "region,municipality,population,area_km2,year,source\n"


# ------------------------------------------------------------------ shipped file and columns


@pytest.mark.parametrize(
    ("new", "needle"),
    [
        ("Stadt Bleckede,,", "fehlt"),
        ("Stadt Bleckede,9692.5,", "keine ganze Zahl"),
        ("Stadt Bleckede,9.692,", "keine ganze Zahl"),
    ],
)
def test_bad_population_values(tmp_path, new, needle):
    path = csv_with(tmp_path, "Stadt Bleckede,9692,", new)
    with pytest.raises(ScenarioError) as info:
        load_municipalities(path)
    assert info.value.field == "population"
    assert info.value.line == 3
    assert needle in info.value.message


def test_municipality_file_needs_its_columns(tmp_path):
    path = csv_with(tmp_path, "region,municipality,population,", "region,municipality,einwohner,")
    with pytest.raises(ScenarioError) as info:
        load_municipalities(path)
    assert info.value.field == "population"
    assert info.value.line == 1


def test_shipped_municipality_file():
    records = load_municipalities(DATA_DIR / "lueneburg_municipalities.csv")
    assert len(records) == 10
    assert all(r.population > 0 and r.source for r in records.values())
    assert records["Gemeinde Adendorf"].region == "Region 2"


# ------------------------------------------------------------------ limits


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "gemeinden.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _row(i: int, population: int | str = 10) -> str:
    return f"Region 1,Gemeinde {i},{population},1.0,2023,Annahme: Test"


def test_csv_row_limit_at_the_boundary(tmp_path: Path) -> None:
    assert len(load_municipalities(_csv(tmp_path, [_row(i) for i in range(MAX_CSV_ROWS)]))) == (
        MAX_CSV_ROWS
    )
    with pytest.raises(ScenarioError) as info:
        load_municipalities(_csv(tmp_path, [_row(i) for i in range(MAX_CSV_ROWS + 1)]))
    assert "mehr als 11.000 Zeilen" in info.value.message
    assert info.value.line == MAX_CSV_ROWS + 2  # header plus rows


def test_regression_population_of_ten_to_the_twelfth(tmp_path: Path) -> None:
    """A population of 10¹² made the engine try to allocate 76 GiB."""
    ok = load_municipalities(_csv(tmp_path, [_row(1, MAX_MUNICIPALITY_POPULATION)]))
    assert ok["Gemeinde 1"].population == MAX_MUNICIPALITY_POPULATION
    with pytest.raises(ScenarioError) as info:
        load_municipalities(_csv(tmp_path, [_row(1), _row(2, 10**12)]))
    err = info.value
    assert err.field == "population" and err.line == 3
    assert "1.000.000.000.000 ist größer als 4.000.000" in err.message


def test_csv_size_limit_and_non_regular_files(tmp_path: Path) -> None:
    path = _csv(tmp_path, [_row(1)])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("#" * MAX_CSV_BYTES)
    with pytest.raises(ScenarioError, match="Gemeindedatei ist größer als 8 MiB"):
        load_municipalities(path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="benannte Pipe"):
        load_municipalities(fifo)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (HEADER + "Region 1,Ort\x00,10,1.0,2023,Quelle\n", 2, "Steuerzeichen (U+0000)"),
        (HEADER + 'Region 1,"Ort,10,1.0,2023,Quelle\n', 2, "Anführungszeichen"),
        (HEADER + "Region 1,Ort," + "9" * 200_000 + ",1.0,2023,Q\n", 2, "länger als 131.072"),
    ],
    ids=["nullzeichen", "anfuehrungszeichen-offen", "feld-zu-lang"],
)
def test_csv_problems_are_german(text: str, line: int, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "gemeinden.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_municipalities(path)
    assert fragment in info.value.message and info.value.line == line
    assert "field" not in info.value.message and "Error" not in info.value.message


# ------------------------------------------------------------------ paths that are no files


def test_data_file_that_is_a_fifo_or_loop_names_the_scenario_field(tmp_path: Path) -> None:
    path = calibrated_scenario(tmp_path, SHIPPED_CALIBRATION.read_text(encoding="utf-8"))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "schleife.yaml").symlink_to("schleife.yaml")
    for field, target, fragment in (
        ("municipalities_file", "pipe.csv", "benannte Pipe (FIFO)"),
        ("help_types_file", "schleife.yaml", "bilden eine Schleife"),
    ):
        changed = {**doc, field: target}
        path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
        err = load_error(path)
        assert err.field == field and fragment in err.message and target in err.message
