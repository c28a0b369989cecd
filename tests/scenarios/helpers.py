"""Shared helpers of the scenario-language tests: scenario files in a temporary folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios import DATA_DIR, LIBRARY_DIR, ScenarioError, load_scenario, read_yaml
from tests.fixtures.scenario_files import STATUS_QUO, repoint_calibration

BASE = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"
"""The shipped base scenario."""

SHIPPED_CALIBRATION = (
    Path(__file__).resolve().parents[2] / "calibration" / "posterior" / "lueneburg-v1.yaml"
)
"""The shipped calibration file of the Lüneburg scenarios."""


def base_doc() -> dict:
    """The shipped base scenario as plain data, YAML aliases split (safe to modify)."""
    data, _ = read_yaml(BASE)
    return json.loads(json.dumps(data))


def regional_leads_doc() -> dict:
    """The base scenario with one Sozialraumträger per region and no Sozialraumbüros.

    The shipped status quo has ten Sozialraumträger, one per Sozialraumbüro; tests of
    the rules for leading regions use the simpler structure of one placeholder
    „Sozialraumträger Region N“ per region (12 VZÄ, 150.000 €), first in the list.
    """
    doc = base_doc()
    doc["offices"] = []
    doc.pop("sozialraum_quota", None)
    others = [p for p in doc["providers"] if p["role"] != "sozialraumtraeger"]
    leads = [
        {
            "name": f"Sozialraumträger Region {n}",
            "region": f"Region {n}",
            "role": "sozialraumtraeger",
            "staff_fte": {"value": 12.0, "unit": "FTE", "assumption": "Testwert"},
            "reserves": {"value": 150_000.0, "unit": "EUR", "assumption": "Testwert"},
        }
        for n in (1, 2, 3)
    ]
    doc["providers"] = leads + others
    return doc


def write_scenario(directory: Path, name: str, doc: dict) -> Path:
    """Write a scenario next to copies of the shipped data files."""
    directory.mkdir(parents=True, exist_ok=True)
    for data_file in (
        "lueneburg_municipalities.csv",
        "help_types.yaml",
        "lueneburg_sozialraeume.csv",
    ):
        if not (directory / data_file).exists():
            shutil.copy(DATA_DIR / data_file, directory / data_file)
    doc = dict(doc)
    if "extends" not in doc:
        doc.setdefault("municipalities_file", "lueneburg_municipalities.csv")
        doc["municipalities_file"] = doc["municipalities_file"].replace("../../data/", "")
        doc["help_types_file"] = doc.get("help_types_file", "help_types.yaml").replace(
            "../../data/", ""
        )
        if doc.get("sozialraeume_file"):
            doc["sozialraeume_file"] = doc["sozialraeume_file"].replace("../../data/", "")
    repoint_calibration(doc, directory)
    doc["name"] = name
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def variant(directory: Path, name: str, extends: str, overrides: dict) -> Path:
    """Write a variant file ``<name>.yaml`` that extends ``extends`` with ``overrides``."""
    doc = {"description": "Testvariante", "extends": extends, "overrides": overrides}
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def raises(path, lines: int = 1) -> ScenarioError:
    """The error loading ``path`` gives: ``lines`` German lines, one per problem."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    found = str(err).splitlines()
    assert len(found) == lines, str(err)
    assert all(line.startswith("Fehler in ") for line in found)
    return err


def csv_with(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped municipality file with one text replaced, as ``gemeinden.csv``."""
    text = (DATA_DIR / "lueneburg_municipalities.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "gemeinden.csv"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def calibrated_scenario(tmp_path: Path, calibration: dict[str, Any] | str | bytes) -> Path:
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
    doc["sozialraeume_file"] = str(DATA_DIR / "lueneburg_sozialraeume.csv")
    doc["calibration"] = {"file": "kal.yaml"}
    path = tmp_path / "kal-test.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def load_error(path: Path) -> ScenarioError:
    """The error loading ``path`` gives."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value
