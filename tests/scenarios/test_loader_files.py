"""The loader's file reading: calibration file checks, CSV limits, paths that are no files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios.errors import ScenarioError
from scenarios.loader import (
    CALIBRATION_FORMAT,
    DATA_DIR,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    MAX_MUNICIPALITY_POPULATION,
    _read_calibration_file,
    load_municipalities,
    load_scenario,
    read_calibration,
)
from scenarios.safe_yaml import MAX_CALIBRATION_BYTES
from tests.fixtures.scenario_files import STATUS_QUO

SHIPPED = Path(__file__).resolve().parents[2] / "calibration" / "posterior" / "lueneburg-v1.yaml"
HEADER = "region,municipality,population,area_km2,year,source\n"


@pytest.fixture(scope="module")
def shipped_doc() -> dict[str, Any]:
    return yaml.load(SHIPPED.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _copy(doc: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(doc))


def _scenario(tmp_path: Path, calibration: dict[str, Any] | str | bytes) -> Path:
    """The status quo in ``tmp_path`` with its own calibration file ``kal.yaml``."""
    cal = tmp_path / "kal.yaml"
    if isinstance(calibration, bytes):
        cal.write_bytes(calibration)
    elif isinstance(calibration, str):
        cal.write_text(calibration, encoding="utf-8")
    else:
        cal.write_text(yaml.safe_dump(calibration, sort_keys=False), encoding="utf-8")
    doc = yaml.safe_load(STATUS_QUO.read_text(encoding="utf-8"))
    doc["name"] = "kal-test"
    doc["municipalities_file"] = str(DATA_DIR / "lueneburg_municipalities.csv")
    doc["help_types_file"] = str(DATA_DIR / "help_types.yaml")
    doc["calibration"] = {"file": "kal.yaml"}
    path = tmp_path / "kal-test.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


# =========================================================================== calibration file


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda d: d.pop("point"), "point", "Pflichtfeld fehlt"),
        (lambda d: d.update(point="abc"), "point", "erwartet einen Abschnitt"),
        (lambda d: d.update(point={}), "point", "zu wenige Einträge"),
        (lambda d: d["point"].update({"need.base": "abc"}), "point.need.base", "keine Zahl"),
        (lambda d: d["point"].update({"need.base": True}), "point.need.base", "keine Zahl"),
        (lambda d: d.update(draws=[1, 2, 3]), "draws.0", "erwartet einen Abschnitt"),
        (lambda d: d.update(draws=[]), "draws", "zu wenige Einträge (mindestens 1)"),
        (lambda d: d.update(parameters=5), "parameters", "erwartet eine Liste"),
        (lambda d: d["parameters"][0].update(median="x"), "parameters.0.median", "keine Zahl"),
        (lambda d: d.update(format="anders"), "format", "keine Kalibrierungsdatei"),
    ],
    ids=[
        "ohne-point",
        "point-text",
        "point-leer",
        "point-wert-text",
        "point-wert-wahrheitswert",
        "draws-zahlen",
        "draws-leer",
        "parameters-zahl",
        "median-text",
        "format",
    ],
)
def test_regression_corrupt_calibration_traceback(
    change: Any, field: str, fragment: str, tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    """Corrupt calibration files gave tracebacks (KeyError, TypeError, ValueError)."""
    doc = _copy(shipped_doc)
    change(doc)
    err = _error(_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml"
    assert err.field == field
    assert fragment in err.message


def test_regression_random_bytes_calibration_traceback(tmp_path: Path) -> None:
    err = _error(_scenario(tmp_path, os.urandom(4096).replace(b"\n", b"\xff")))
    assert Path(err.file).name == "kal.yaml" and "nicht UTF-8-kodiert" in err.message


def test_regression_calibration_duplicate_key_silently_accepted(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "\npoint:\n  need.base: 0.543271\n", "\npoint:\n  need.base: 0.543271\n  need.base: 0.9\n"
    )
    err = _error(_scenario(tmp_path, text))
    assert Path(err.file).name == "kal.yaml"
    assert "doppelter Schlüssel „need.base“" in err.message
    assert err.line == text.splitlines().index("  need.base: 0.9") + 1


def test_regression_empty_draws_silently_accepted(
    tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    """``draws: []`` gave a batch without posterior draws, without a word."""
    doc = _copy(shipped_doc)
    doc["draws"] = []
    assert _error(_scenario(tmp_path, doc)).field == "draws"


def test_regression_draw_error_named_the_scenario_file(
    tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    """A bad draw failed only when a batch applied it, naming the scenario file."""
    doc = _copy(shipped_doc)
    doc["draws"][42]["recognition.p_crisis"] = 1.5
    path = _scenario(tmp_path, doc)
    err = _error(path)
    assert Path(err.file).name == "kal.yaml"
    assert err.field == "draws.42.recognition.p_crisis"
    assert err.message == "Wert 1,5 liegt nicht zwischen 0 und 1"
    lines = (tmp_path / "kal.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[err.line - 1].strip() == "recognition.p_crisis: 1.5"
    # the point estimate alone does not use the draws: use: point still loads
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["calibration"]["use"] = "point"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert load_scenario(path).calibration_draws == ()


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda d: d["draws"][3].pop("need.base"), "draws.3", "need.base fehlt in Ziehung 3"),
        (lambda d: d["draws"][3].update(extra=1.0), "draws.3.extra", "steht nicht in point"),
        (
            lambda d: d["draws"][9].update({"need.trait_sd": float("nan")}),
            "draws.9.need.trait_sd",
            "endliche Zahl",
        ),
        (
            lambda d: d["point"].update({"need.base": float("inf")}),
            "point.need.base",
            "endliche Zahl",
        ),
    ],
    ids=["parameter-fehlt", "parameter-zuviel", "nan", "unendlich"],
)
def test_draws_carry_exactly_the_calibrated_parameters(
    change: Any, field: str, fragment: str, tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    doc = _copy(shipped_doc)
    change(doc)
    err = _error(_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml" and err.field == field
    assert fragment in err.message and err.line is not None


def test_point_value_against_the_schema_names_the_calibration_file(
    tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    doc = _copy(shipped_doc)
    doc["point"]["recognition.p_crisis"] = 1.7
    err = _error(_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml"
    assert err.field == "point.recognition.p_crisis"
    assert err.line is not None


def test_missing_calibration_file_is_the_scenarios_field(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "")
    (tmp_path / "kal.yaml").unlink()
    err = _error(path)
    assert err.file.endswith("kal-test.yaml") and err.field == "calibration.file"
    assert "nicht gefunden" in err.message


def test_calibration_file_is_read_once_and_again_when_rewritten(tmp_path: Path) -> None:
    path = _scenario(tmp_path, SHIPPED.read_text(encoding="utf-8"))
    _read_calibration_file.cache_clear()
    load_scenario(path)
    load_scenario(path)
    assert _read_calibration_file.cache_info().misses == 1
    text = (tmp_path / "kal.yaml").read_text(encoding="utf-8")
    (tmp_path / "kal.yaml").write_text(text.replace("seed: ", "seed: 1\nseed: ", 1), "utf-8")
    os.utime(tmp_path / "kal.yaml", ns=(1, 1))
    with pytest.raises(ScenarioError, match="doppelter Schlüssel"):
        load_scenario(path)


def test_read_calibration_of_the_shipped_file() -> None:
    cal = read_calibration(SHIPPED)
    assert cal.format == CALIBRATION_FORMAT and len(cal.point) == 13
    assert cal.draws is not None and all(set(d) == set(cal.point) for d in cal.draws)
    assert len(cal.parameters) == 13


def test_calibration_file_size_limit(tmp_path: Path) -> None:
    big = SHIPPED.read_text(encoding="utf-8") + "#" * MAX_CALIBRATION_BYTES + "\n"
    err = _error(_scenario(tmp_path, big))
    assert "Kalibrierungsdatei ist größer als 4 MiB" in err.message


# =========================================================================== CSV


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


# ================================================================ paths that are no files


def test_data_file_that_is_a_fifo_or_loop_names_the_scenario_field(tmp_path: Path) -> None:
    path = _scenario(tmp_path, SHIPPED.read_text(encoding="utf-8"))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "schleife.yaml").symlink_to("schleife.yaml")
    for field, target, fragment in (
        ("municipalities_file", "pipe.csv", "benannte Pipe (FIFO)"),
        ("help_types_file", "schleife.yaml", "bilden eine Schleife"),
    ):
        changed = {**doc, field: target}
        path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
        err = _error(path)
        assert err.field == field and fragment in err.message and target in err.message


def test_extends_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "basis.yaml")
    variant = tmp_path / "variante.yaml"
    variant.write_text(
        "name: variante\ndescription: Test\nextends: basis.yaml\noverrides: {}\n", "utf-8"
    )
    err = _error(variant)
    assert err.field == "extends" and err.line == 3
    assert "basis.yaml“ ist keine normale Datei, sondern eine benannte Pipe (FIFO)" in err.message
