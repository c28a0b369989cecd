"""Scenarios that reference a calibration file: point for single runs, draws in batches."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from experiments import plan_batch
from scenarios import DATA_DIR, ScenarioError, find_scenario, load_scenario


def _calibrated_scenario(tmp_path: Path, use: str = "posterior") -> Path:
    cal = {
        "format": "sozialraum-kalibrierung/1",
        "name": "test-v1",
        "parameters": [{"path": "need.base", "median": 0.7, "q05": 0.6, "q95": 0.8}],
        "point": {"need.base": 0.7, "counselling.p_seek": 0.04},
        "draws": [
            {"need.base": 0.6, "counselling.p_seek": 0.03},
            {"need.base": 0.8, "counselling.p_seek": 0.06},
        ],
    }
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(cal), encoding="utf-8")
    doc = yaml.safe_load(find_scenario("lueneburg-status-quo").read_text(encoding="utf-8"))
    doc["name"] = "kalibriert"
    doc["municipalities_file"] = str(DATA_DIR / "lueneburg_municipalities.csv")
    doc["help_types_file"] = str(DATA_DIR / "help_types.yaml")
    doc["sozialraeume_file"] = str(DATA_DIR / "lueneburg_sozialraeume.csv")
    doc["calibration"] = {"file": "cal.yaml", "use": use}
    path = tmp_path / "kalibriert.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_point_estimate_replaces_values_with_provenance(tmp_path: Path) -> None:
    sc = load_scenario(_calibrated_scenario(tmp_path))
    assert sc.params.need.base == 0.7 and sc.params.counselling.p_seek == 0.04
    prov = dict(sc.provenance)["need.base"]
    assert "kalibriert" in prov and "test-v1" in prov
    assert len(sc.calibration_draws) == 2
    # explicit overrides still win over the calibration
    assert load_scenario(sc.path, {"need.base": 0.9}).params.need.base == 0.9


def test_batch_replicates_use_posterior_draws(tmp_path: Path) -> None:
    plan = plan_batch([str(_calibrated_scenario(tmp_path))], 3, scale=0.1, years=1)
    bases = [r.record.params["need"]["base"] for r in plan.runs]
    seeks = [r.record.params["counselling"]["p_seek"] for r in plan.runs]
    assert bases == [0.6, 0.8, 0.6] and seeks == [0.03, 0.06, 0.03]
    assert len(set(plan.run_ids)) == 3


def test_point_only_and_broken_file(tmp_path: Path) -> None:
    plan = plan_batch([str(_calibrated_scenario(tmp_path, use="point"))], 2, scale=0.1, years=1)
    assert {r.record.params["need"]["base"] for r in plan.runs} == {0.7}
    (tmp_path / "cal.yaml").write_text("format: anderes\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="Kalibrierungsdatei"):
        load_scenario(tmp_path / "kalibriert.yaml")
    # broken YAML: a clear error naming the calibration file and line, no traceback
    (tmp_path / "cal.yaml").write_text("format: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="ungültige YAML-Syntax") as info:
        load_scenario(tmp_path / "kalibriert.yaml")
    assert Path(info.value.file).name == "cal.yaml" and info.value.line == 2
    # a missing calibration file is the scenario's fault: its field calibration.file
    (tmp_path / "cal.yaml").unlink()
    with pytest.raises(ScenarioError, match="nicht gefunden") as info:
        load_scenario(tmp_path / "kalibriert.yaml")
    assert info.value.field == "calibration.file"


def test_calibration_can_set_a_help_type_weight(tmp_path: Path) -> None:
    """A calibrated help-type value the scenario does not list takes the schema's unit."""
    path = _calibrated_scenario(tmp_path)
    cal = yaml.safe_load((tmp_path / "cal.yaml").read_text(encoding="utf-8"))
    cal["point"]["help_types.27_2.selection_weight"] = 0.3
    for i, draw in enumerate(cal["draws"]):
        draw["help_types.27_2.selection_weight"] = 0.2 + 0.2 * i
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(cal), encoding="utf-8")
    sc = load_scenario(path)
    weight = {h.code: h.selection_weight for h in sc.params.help_types}
    assert weight["27_2"] == 0.3
    assert "kalibriert" in dict(sc.provenance)["help_types.27_2.selection_weight"]
    assert "help_types.27_2.selection_weight" in sc.calibrated_paths
    plan = plan_batch([str(path)], 2, scale=0.1, years=1)
    weights = [
        {h["code"]: h["selection_weight"] for h in r.record.params["help_types"]}["27_2"]
        for r in plan.runs
    ]
    assert weights == [0.2, 0.4]
    # without the calibration the help-type file's value applies
    plain = load_scenario(path, calibrated=False)
    assert {h.code: h.selection_weight for h in plain.params.help_types}["27_2"] == 0.19
    assert plain.calibrated_paths == () and plain.calibration_draws == ()


def test_every_shipped_scenario_uses_the_lueneburg_calibration() -> None:
    from scenarios.loader import list_scenarios

    shipped = load_scenario("lueneburg-status-quo")
    assert shipped.calibrated_paths and shipped.calibration_draws
    for name in list_scenarios():
        sc = load_scenario(name)
        assert sc.calibrated_paths == shipped.calibrated_paths, name
        assert sc.calibration_draws == shipped.calibration_draws, name
        for path in sc.calibrated_paths:
            assert "kalibriert (lueneburg-v1" in dict(sc.provenance)[path], (name, path)


def test_calibrated_spfh_intensity_reaches_single_runs_and_batches(tmp_path: Path) -> None:
    """Issue 14: a calibration file sets §31's FLS per week like any calibrated value."""
    path = _calibrated_scenario(tmp_path)
    cal = yaml.safe_load((tmp_path / "cal.yaml").read_text(encoding="utf-8"))
    key = "help_types.31.fls_per_week"
    cal["point"][key] = 3.8
    cal["draws"][0][key], cal["draws"][1][key] = 3.0, 4.5
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(cal), encoding="utf-8")
    sc = load_scenario(path)
    by_code = {h.code: h for h in sc.params.help_types}
    assert by_code["31"].fls_per_week == 3.8 and by_code["30"].fls_per_week == 3.0
    assert "kalibriert" in dict(sc.provenance)[key]
    plan = plan_batch([str(path)], 2, scale=0.1, years=1)
    fls = [
        next(h for h in r.record.params["help_types"] if h["code"] == "31")["fls_per_week"]
        for r in plan.runs
    ]
    assert fls == [3.0, 4.5]
    # a draw outside what the schema allows names the calibration file and the draw
    cal["draws"][1][key] = -1.0
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(cal), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == f"draws.1.{key}"
