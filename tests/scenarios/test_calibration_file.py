"""The calibration reference: the file checked before use, cached, its draws checked once."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios import CALIBRATION_FORMAT, ScenarioError, load_scenario, read_calibration
from scenarios.calibration_file import _read_calibration_file
from scenarios.safe_yaml import MAX_CALIBRATION_BYTES
from tests.scenarios.helpers import SHIPPED_CALIBRATION, calibrated_scenario, load_error


@pytest.fixture(scope="module")
def shipped_doc() -> dict[str, Any]:
    return yaml.load(SHIPPED_CALIBRATION.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _copy(doc: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(doc))


# ------------------------------------------------------------------ calibration file


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
    err = load_error(calibrated_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml"
    assert err.field == field
    assert fragment in err.message


def test_regression_random_bytes_calibration_traceback(tmp_path: Path) -> None:
    err = load_error(calibrated_scenario(tmp_path, os.urandom(4096).replace(b"\n", b"\xff")))
    assert Path(err.file).name == "kal.yaml" and "nicht UTF-8-kodiert" in err.message


def test_regression_calibration_duplicate_key_silently_accepted(tmp_path: Path) -> None:
    shipped = SHIPPED_CALIBRATION.read_text(encoding="utf-8")
    # the point's first entry, whatever value the shipped calibration gives it
    first = re.search(r"\npoint:\n  need\.base: [^\n]+\n", shipped)
    assert first is not None
    text = shipped.replace(first.group(0), first.group(0) + "  need.base: 0.9\n", 1)
    err = load_error(calibrated_scenario(tmp_path, text))
    assert Path(err.file).name == "kal.yaml"
    assert "doppelter Schlüssel „need.base“" in err.message
    assert err.line == text.splitlines().index("  need.base: 0.9") + 1


def test_regression_empty_draws_silently_accepted(
    tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    """``draws: []`` gave a batch without posterior draws, without a word."""
    doc = _copy(shipped_doc)
    doc["draws"] = []
    assert load_error(calibrated_scenario(tmp_path, doc)).field == "draws"


def test_regression_draw_error_named_the_scenario_file(
    tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    """A bad draw failed only when a batch applied it, naming the scenario file."""
    doc = _copy(shipped_doc)
    doc["draws"][42]["recognition.p_crisis"] = 1.5
    path = calibrated_scenario(tmp_path, doc)
    err = load_error(path)
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
    err = load_error(calibrated_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml" and err.field == field
    assert fragment in err.message and err.line is not None


def test_point_value_against_the_schema_names_the_calibration_file(
    tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    doc = _copy(shipped_doc)
    doc["point"]["recognition.p_crisis"] = 1.7
    err = load_error(calibrated_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml"
    assert err.field == "point.recognition.p_crisis"
    assert err.line is not None


def test_missing_calibration_file_is_the_scenarios_field(tmp_path: Path) -> None:
    path = calibrated_scenario(tmp_path, "")
    (tmp_path / "kal.yaml").unlink()
    err = load_error(path)
    assert err.file.endswith("kal-test.yaml") and err.field == "calibration.file"
    assert "nicht gefunden" in err.message


def test_calibration_file_is_read_once_and_again_when_rewritten(tmp_path: Path) -> None:
    path = calibrated_scenario(tmp_path, SHIPPED_CALIBRATION.read_text(encoding="utf-8"))
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
    cal = read_calibration(SHIPPED_CALIBRATION)
    assert cal.format == CALIBRATION_FORMAT and len(cal.point) == 22
    assert cal.draws is not None and all(set(d) == set(cal.point) for d in cal.draws)
    assert len(cal.parameters) == 22  # 19 with runs of their own + 3 daily rates


def test_calibration_file_size_limit(tmp_path: Path) -> None:
    big = SHIPPED_CALIBRATION.read_text(encoding="utf-8") + "#" * MAX_CALIBRATION_BYTES + "\n"
    err = load_error(calibrated_scenario(tmp_path, big))
    assert "Kalibrierungsdatei ist größer als 4 MiB" in err.message


# --------------------------------------------------------------- what a calibration was fitted on


def test_recorded_hashes_are_read_and_exposed(tmp_path: Path, shipped_doc: dict[str, Any]) -> None:
    doc = _copy(shipped_doc)
    doc.update(scenario_sha256="0123456789abcdef" * 4, model_code="0123456789ab")
    path = calibrated_scenario(tmp_path, doc)
    cal = read_calibration(tmp_path / "kal.yaml")
    assert cal.scenario_sha256 == "0123456789abcdef" * 4 and cal.model_code == "0123456789ab"
    source = load_scenario(path).calibration_source
    assert source is not None
    assert source.file == tmp_path / "kal.yaml"
    assert (source.scenario, source.scenario_file) == ("kal-test", path)
    assert load_scenario(path, calibrated=False).calibration_source is None


def test_a_file_without_the_hashes_still_loads(tmp_path: Path, shipped_doc: dict[str, Any]) -> None:
    doc = _copy(shipped_doc)
    for key in ("scenario_sha256", "model_code"):
        doc.pop(key, None)
    load_scenario(calibrated_scenario(tmp_path, doc))
    cal = read_calibration(tmp_path / "kal.yaml")
    assert cal.scenario_sha256 is None and cal.model_code is None


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("scenario_sha256", 12345, "Wert 12345 ist kein Text"),
        ("scenario_sha256", ["ab"], "ist kein Text"),
        ("scenario_sha256", {"a": 1}, "ist kein Text"),
        ("scenario_sha256", "a" * 100_000, "Text ist zu lang (100.000 Zeichen; höchstens 64"),
        ("scenario_sha256", "z" * 64, "SHA-256-Hash aus genau 64 Hexadezimalziffern"),
        ("scenario_sha256", "ABCDEF0123456789" * 4, "SHA-256-Hash aus genau 64"),
        ("scenario_sha256", "abc", "SHA-256-Hash aus genau 64"),
        ("model_code", True, "Wert true ist kein Text"),
        ("model_code", 123456789012, "Wert 123456789012 ist kein Text"),
        ("model_code", "0123456789abc", "Text ist zu lang (13 Zeichen; höchstens 12 Zeichen)"),
        ("model_code", "g" * 12, "Code-Hash aus genau 12 Hexadezimalziffern"),
        ("model_code", "0123456789a\n", "Code-Hash aus genau 12"),
    ],
    ids=[
        "hash-zahl",
        "hash-liste",
        "hash-abschnitt",
        "hash-ueberlang",
        "hash-nicht-hex",
        "hash-grossbuchstaben",
        "hash-zu-kurz",
        "code-wahrheitswert",
        "code-zahl",
        "code-zu-lang",
        "code-nicht-hex",
        "code-zeilenumbruch",
    ],
)
def test_hostile_recorded_hashes_name_the_file_and_field(
    field: str, value: Any, fragment: str, tmp_path: Path, shipped_doc: dict[str, Any]
) -> None:
    doc = _copy(shipped_doc)
    doc[field] = value
    err = load_error(calibrated_scenario(tmp_path, doc))
    assert Path(err.file).name == "kal.yaml"
    assert err.field == field
    assert fragment in err.message, err.message
    assert err.line is not None
    assert len(str(err)) < 500  # an overlong value is not repeated
