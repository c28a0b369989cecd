"""``derive_scenario``: further overrides on a loaded scenario, in memory, as if loaded."""

from __future__ import annotations

import shutil

import pytest

from scenarios import (
    DATA_DIR,
    LIBRARY_DIR,
    ScenarioError,
    calibration_overrides,
    derive_scenario,
    list_scenarios,
    load_scenario,
)

SIZE = {"years": 2, "scale": 0.1}


@pytest.mark.parametrize("name", list_scenarios())
def test_derived_equals_loaded_with_the_overrides(name):
    base = load_scenario(name)
    overrides = {**calibration_overrides(base, 3), **SIZE, "budget.regional2_share": 0.2}
    derived = derive_scenario(base, overrides)
    loaded = load_scenario(name, overrides)
    assert derived.params == loaded.params
    assert derived.sha256 == loaded.sha256 and derived.content == loaded.content
    assert dict(derived.doc) == dict(loaded.doc)
    assert derive_scenario(base, {}) is base


def test_uncalibrated_base_stays_uncalibrated():
    base = load_scenario("lueneburg-status-quo", calibrated=False)
    derived = derive_scenario(base, SIZE)
    assert derived.params == load_scenario("lueneburg-status-quo", SIZE, calibrated=False).params
    assert derived.calibrated_paths == ()


def test_invalid_override_is_the_same_error(tmp_path):
    base = load_scenario("lueneburg-status-quo")
    sweep = tmp_path / "sweep.yaml"
    bad = {"budget.regional2_share": 1.5}
    with pytest.raises(ScenarioError) as derived:
        derive_scenario(base, bad, overrides_file=sweep)
    with pytest.raises(ScenarioError) as loaded:
        load_scenario("lueneburg-status-quo", bad, overrides_file=sweep)
    assert derived.value.cli_line() == loaded.value.cli_line()


def test_derived_scenario_reads_no_scenario_yaml_again(tmp_path):
    """The scenario file may be gone: the overrides are applied to what was read."""
    folder = tmp_path / "kopie"
    shutil.copytree(LIBRARY_DIR.parent, folder / "scenarios")
    shutil.copytree(
        LIBRARY_DIR.parent.parent / "calibration" / "posterior",
        folder / "calibration" / "posterior",
    )
    path = folder / "scenarios" / "library" / "lueneburg" / "lueneburg-status-quo.yaml"
    base = load_scenario(path)
    (path.parent / path.name).unlink()
    derived = derive_scenario(base, SIZE)
    assert derived.params == load_scenario("lueneburg-status-quo", SIZE).params


def test_changed_data_file_is_parsed_again(tmp_path):
    """Data files are parsed once per content: a changed file is never read stale."""
    shutil.copy(DATA_DIR / "help_types.yaml", tmp_path / "help_types.yaml")
    text = (LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml").read_text(encoding="utf-8")
    text = text.replace("../../data/help_types.yaml", "help_types.yaml")
    text = text.replace(
        "../../data/lueneburg_municipalities.csv",
        str(DATA_DIR / "lueneburg_municipalities.csv"),
    )
    text = text.replace(
        "../../data/lueneburg_sozialraeume.csv", str(DATA_DIR / "lueneburg_sozialraeume.csv")
    )
    text = text.replace(
        "../../../calibration/posterior/",
        str(LIBRARY_DIR.parent.parent / "calibration" / "posterior") + "/",
    )
    path = tmp_path / "lueneburg-status-quo.yaml"
    path.write_text(text, encoding="utf-8")
    first = load_scenario(path)
    help_file = tmp_path / "help_types.yaml"
    original = help_file.read_text(encoding="utf-8")
    label = first.params.help_types[0].label
    help_file.write_text(original.replace(label, label + " (geändert)", 1), encoding="utf-8")
    second = load_scenario(path)
    assert second.params.help_types[0].label == label + " (geändert)"
    assert second.sha256 != first.sha256
