"""Calibration setup and targets files: bad YAML or content is a German error, no traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from calibration.fit import SETUP_DIR, load_setup
from calibration.targets import TARGETS_FILE, load_targets, targets_sha256
from scenarios.errors import ScenarioError


def _setup_doc() -> dict[str, Any]:
    return yaml.safe_load((SETUP_DIR / "lueneburg.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_files_still_load() -> None:
    assert load_setup("lueneburg").name == "lueneburg-v1"
    assert len(load_targets().targets) >= 12
    assert len(targets_sha256()) == 64


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("name: [\n", 2, "ungültige YAML-Syntax"),
        ("name: a\nname: b\n", 2, "doppelter Schlüssel „name“"),
        ("x: " + "[" * 1000 + "]" * 1000 + "\n", 1, "zu tief verschachtelt"),
        ("- 1\n", 1, "erwartet Schlüssel mit Werten auf oberster Ebene"),
        ("", None, "Datei ist leer"),
    ],
    ids=["syntax", "doppelt", "verschachtelt", "liste", "leer"],
)
def test_regression_setup_bad_yaml_traceback(
    text: str, line: int | None, fragment: str, tmp_path: Path
) -> None:
    """``calibrate --setup`` with bad YAML ended in a traceback."""
    with pytest.raises(ScenarioError) as info:
        load_setup(_write(tmp_path, "setup.yaml", text))
    assert info.value.file.endswith("setup.yaml")
    assert info.value.line == line and fragment in info.value.message


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"seed": "abc"}, "seed", "Wert „abc“ ist keine ganze Zahl"),
        ({"scale": 2.0}, "scale", "Wert 2,0 darf höchstens 1,0 sein"),
        ({"parameters": []}, "parameters", "zu wenige Einträge (mindestens 1)"),
        ({"unbekannt": 1}, "unbekannt", "unbekanntes Feld"),
    ],
)
def test_setup_content_errors_name_the_field(
    change: dict[str, Any], field: str, fragment: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, "setup.yaml", {**_setup_doc(), **change})
    with pytest.raises(ScenarioError) as info:
        load_setup(path)
    assert info.value.field == field and fragment in info.value.message
    assert info.value.line is not None


def test_setup_parameter_range_error_is_german(tmp_path: Path) -> None:
    doc = _setup_doc()
    doc["parameters"][1] = {**doc["parameters"][1], "low": 2.0, "high": 1.0}
    with pytest.raises(ScenarioError) as info:
        load_setup(_write(tmp_path, "setup.yaml", doc))
    assert info.value.field == "parameters.1"
    assert "low muss kleiner als high sein" in info.value.message


def test_missing_setup_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="nicht gefunden"):
        load_setup(tmp_path / "fehlt.yaml")


def test_targets_file_errors(tmp_path: Path) -> None:
    doc = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))
    doc["targets"][2]["year"] = 1990
    with pytest.raises(ScenarioError) as info:
        load_targets(_write(tmp_path, "ziele.yaml", doc))
    assert info.value.field is not None and info.value.field.endswith(".year")
    assert "mindestens 2000" in info.value.message
    with pytest.raises(ScenarioError, match="doppelter Schlüssel"):
        load_targets(_write(tmp_path, "ziele.yaml", "targets: []\ntargets: []\n"))
    with pytest.raises(ScenarioError, match="ungültige YAML-Syntax"):
        load_targets(_write(tmp_path, "ziele.yaml", "targets: [\n"))


@pytest.mark.parametrize("name", sorted(p.stem for p in SETUP_DIR.glob("*.yaml")))
def test_every_setup_file_fits_its_scenario(name: str) -> None:
    """Every shipped setup (also the draft lueneburg-v2) loads, and the values written in
    its scenario lie inside its priors (a prior that excludes the hand-set value would be
    a silent change of the model). On an edge only where the setup says why: a planned
    duration whose prior starts at the published duration of ended helps (realised
    durations are shorter than planned), and the §34 need threshold, whose prior only
    lowers it (the measured way to more §34 cases)."""
    from scenarios.loader import load_scenario

    setup = load_setup(name)
    scenario = load_scenario(setup.scenario, calibrated=False)
    edges = {
        "help_types.27_2.mean_duration_months",
        "help_types.31.mean_duration_months",
        "help_types.33.mean_duration_months",
        "help_types.35a.mean_duration_months",
        "help_types.34.need_min",
    }
    for p in (*setup.parameters, *setup.cost_parameters):
        value = float(scenario.value_at(p.path))
        if p.path in edges:
            assert p.low <= value <= p.high, p.path
        else:
            assert p.low < value < p.high, p.path


def test_draft_targets_v2_load_with_euros_and_durations_fitted() -> None:
    targets = load_targets(TARGETS_FILE.parent / "targets-v2.yaml")
    fit = {t.id for t in targets.by_role("fit")}
    assert {"ausgaben_hze_je_u21", "dauer_34", "dauer_35a"} <= fit
    assert all(
        t.tolerance is not None and t.tolerance <= 0.15
        for t in targets.targets
        if t.id in {"faelle_33", "faelle_34", "faelle_35a", "ausgaben_hze_je_u21"}
    )


def test_spfh_intensity_is_a_first_stage_parameter_with_a_sourced_prior() -> None:
    """Issue 14: the FLS per week of §31 is fitted to §31's spending, in the first stage.

    Not a second-stage cost parameter (those are daily rates only: FLS hours feed back
    through the ambulant providers' economics), with a prior that holds the value the
    public figures point to (about 3,8 FLS per week: Hamburg 2010/12, and the model's
    spending per counted SPFH at the national 8.620 € of 2022) and the starting value.
    """
    from calibration.fit import CostPrior
    from calibration.run import check_setup

    setup = load_setup("lueneburg")
    prior = next(p for p in setup.parameters if p.path == "help_types.31.fls_per_week")
    assert prior.unit == "FLS/week" and prior.source and "Destatis" in prior.source
    assert prior.low < 3.8 < prior.high and prior.low < 6.0 < prior.high
    assert "help_types.31.fls_per_week" not in {c.path for c in setup.cost_parameters}
    with pytest.raises(ValueError, match="nur Tagessätze"):
        CostPrior.model_validate({**prior.model_dump(), "scales": ["spent_help_31"]})
    # the scenario takes the value at the prior's edges and middle (no simulation)
    check_setup(setup, SETUP_DIR / "lueneburg.yaml")
    from scenarios.loader import load_scenario

    for value in (prior.low, prior.high):
        sc = load_scenario(setup.scenario, {prior.path: value}, calibrated=False)
        assert {h.code: h for h in sc.params.help_types}["31"].fls_per_week == value


def test_fls_per_week_only_for_fls_helps(tmp_path: Path) -> None:
    """A daily-rate help has no FLS per week to calibrate: a German error naming the field."""
    doc = _setup_doc()
    doc["parameters"].append(
        {"path": "help_types.34.fls_per_week", "label": "x", "low": 1.0, "high": 2.0, "unit": "x"}
    )
    from calibration.run import check_setup

    path = _write(tmp_path, "setup.yaml", doc)
    with pytest.raises(ScenarioError) as info:
        check_setup(load_setup(path), path)
    assert info.value.field == "help_types.34.fls_per_week"
    assert "Tagessatz" in info.value.message
