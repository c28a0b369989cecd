"""A stale calibration is visible: the recorded hashes against the scenario and engine now."""

from __future__ import annotations

from pathlib import Path

import pytest

from calibration import freshness as F
from experiments import model_code_hash
from scenarios import display_path, load_scenario, read_calibration
from tests.fixtures.calibrations import (
    CALIBRATION_NAME,
    NAME,
    SHIPPED_CALIBRATION,
    FittedKreis,
    fitted_kreis,
)


@pytest.fixture
def kreis(tmp_path: Path) -> FittedKreis:
    return fitted_kreis(tmp_path / "kreis")


def _check(path: Path) -> F.CalibrationFreshness:
    result = F.calibration_freshness(load_scenario(path))
    assert result is not None
    return result


def test_recorded_hashes_that_match_give_no_warning(kreis: FittedKreis) -> None:
    result = _check(kreis.scenario)
    assert (result.scenario, result.model) == (F.FRESH, F.FRESH)
    assert result.warnings == () and result.note is None and result.fresh
    assert result.calibration == CALIBRATION_NAME and result.fitted == NAME
    # a variant takes its base's calibration and is judged by it
    reform = kreis.variant("reform", {"budget.regional2_share": 0.2})
    assert _check(reform).warnings == ()


def test_a_changed_scenario_makes_the_calibration_stale(kreis: FittedKreis) -> None:
    fitted = load_scenario(kreis.scenario, calibrated=False).sha256
    now = kreis.change_scenario()
    result = _check(kreis.scenario)
    assert (result.scenario, result.model) == (F.STALE, F.FRESH)
    (line,) = result.warnings
    assert line.startswith(
        f"Kalibrierung veraltet: Das Szenario „{NAME}“ wurde nach der Kalibrierung "
        f"„{CALIBRATION_NAME}“ geändert (Inhalts-Hash bei der Kalibrierung {fitted[:12]}, "
        f"jetzt {now[:12]})."
    )
    assert "Ergebnisse mit Vorsicht lesen; neu kalibrieren mit `sozialraum calibrate" in line
    assert result.note == (
        f"Kalibrierung veraltet: Das Szenario „{NAME}“ wurde seit der Kalibrierung "
        f"„{CALIBRATION_NAME}“ geändert."
    )


def test_variants_are_judged_by_the_scenario_the_calibration_was_fitted_on(
    kreis: FittedKreis,
) -> None:
    """A reform's own overrides are not what was calibrated; a change of its base is."""
    reform = kreis.variant("reform", {"budget.regional2_share": 0.2})
    kreis.variant("reform", {"budget.regional2_share": 0.3})  # the reform changed
    assert _check(reform).warnings == ()
    kreis.change_scenario()  # the fitted base changed
    result = _check(reform)
    assert result.scenario == F.STALE
    assert f"Das Szenario „{NAME}“ wurde nach der Kalibrierung" in result.warnings[0]


def test_a_changed_engine_makes_the_calibration_stale(
    kreis: FittedKreis, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = model_code_hash()
    monkeypatch.setattr(F, "model_code_hash", lambda: "0123456789ab")
    result = _check(kreis.scenario)
    assert (result.scenario, result.model) == (F.FRESH, F.STALE)
    (line,) = result.warnings
    assert line.startswith(
        "Kalibrierung veraltet: Der Modellcode (model/) wurde nach der Kalibrierung "
        f"„{CALIBRATION_NAME}“ geändert (Code-Hash bei der Kalibrierung {recorded}, "
        "jetzt 0123456789ab)."
    )
    assert result.note == (
        f"Kalibrierung veraltet: Das Modell wurde seit der Kalibrierung „{CALIBRATION_NAME}“ "
        "geändert."
    )


def test_both_changed_give_both_warnings(
    kreis: FittedKreis, monkeypatch: pytest.MonkeyPatch
) -> None:
    kreis.change_scenario()
    monkeypatch.setattr(F, "model_code_hash", lambda: "0123456789ab")
    result = _check(kreis.scenario)
    warnings = result.warnings
    assert [w.split(":")[0] for w in warnings] == ["Kalibrierung veraltet"] * 2
    assert "Das Szenario" in warnings[0] and "Der Modellcode" in warnings[1]
    assert result.note == (
        f"Kalibrierung veraltet: Szenario „{NAME}“ und Modell wurden seit der Kalibrierung "
        f"„{CALIBRATION_NAME}“ geändert."
    )
    assert F.calibration_warnings([load_scenario(kreis.scenario)], brief=True) == [result.note]


def test_an_old_file_without_the_hashes_has_unknown_freshness(kreis: FittedKreis) -> None:
    kreis.write_calibration()  # as written before the hashes were recorded
    assert read_calibration(kreis.calibration).scenario_sha256 is None
    result = _check(kreis.scenario)
    assert (result.scenario, result.model) == (F.UNKNOWN, F.UNKNOWN)
    assert result.warnings == (
        f"Aktualität der Kalibrierung unbekannt: Die Kalibrierungsdatei „{CALIBRATION_NAME}“ "
        f"verzeichnet nicht, für welchen Stand des Szenarios „{NAME}“ und des Modellcodes "
        "sie erstellt wurde; ob sie noch passt, lässt sich nicht prüfen (ältere Datei ohne "
        "scenario_sha256 und model_code). Ergebnisse mit Vorsicht lesen; neu kalibrieren mit "
        f"`sozialraum calibrate --setup … --out {display_path(kreis.calibration)}`.",
    )
    assert result.note == (
        f"Aktualität der Kalibrierung unbekannt: „{CALIBRATION_NAME}“ vermerkt nicht, für "
        "welchen Stand von Szenario und Modell sie gilt."
    )


def test_one_missing_hash_names_only_that_one(kreis: FittedKreis) -> None:
    kreis.write_calibration(model_code=model_code_hash())
    result = _check(kreis.scenario)
    assert (result.scenario, result.model) == (F.UNKNOWN, F.FRESH)
    (line,) = result.warnings
    assert f"Stand des Szenarios „{NAME}“ sie erstellt wurde" in line
    assert "ohne scenario_sha256)" in line and "Modellcode" not in line


def test_a_calibration_fitted_on_another_scenario_says_so(kreis: FittedKreis) -> None:
    kreis.fit()
    doc = kreis.scenario_doc()
    cal = read_calibration(kreis.calibration)
    kreis.write_calibration(
        scenario="anderer-kreis", scenario_sha256=cal.scenario_sha256, model_code=cal.model_code
    )
    result = _check(kreis.scenario)
    assert result.scenario == F.OTHER and result.model == F.FRESH
    assert result.warnings == (
        f"Kalibrierung übernommen: Die Kalibrierung „{CALIBRATION_NAME}“ wurde für das "
        f"Szenario „anderer-kreis“ erstellt, „{doc['name']}“ ist weder dieses Szenario noch "
        "eine Variante davon; ob sie dazu passt, ist nicht geprüft. Ergebnisse mit Vorsicht "
        f"lesen; für „{NAME}“ kalibrieren mit `sozialraum calibrate --setup …` (Einstellungen "
        f"mit scenario: {NAME}).",
    )
    assert result.note == (
        f"Kalibrierung übernommen: „{CALIBRATION_NAME}“ wurde für „anderer-kreis“ erstellt, "
        f"nicht für „{NAME}“."
    )


def test_an_uncalibrated_load_has_nothing_to_check(kreis: FittedKreis) -> None:
    assert F.calibration_freshness(load_scenario(kreis.scenario, calibrated=False)) is None
    assert F.calibration_warnings([load_scenario(kreis.scenario, calibrated=False), None]) == []


def test_warnings_of_several_scenarios_come_once(
    kreis: FittedKreis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(F, "model_code_hash", lambda: "0123456789ab")
    base = load_scenario(kreis.scenario)
    reform = load_scenario(kreis.variant("reform", {"budget.regional2_share": 0.2}))
    assert F.calibration_warnings([base, reform, base]) == list(
        F.calibration_freshness(base).warnings
    )


def test_the_hint_names_the_setup_and_the_file() -> None:
    shipped = read_calibration(SHIPPED_CALIBRATION)
    hint = F.recalibrate_command(shipped, SHIPPED_CALIBRATION)
    assert hint == "`sozialraum calibrate --setup lueneburg`"  # the default file: no --out


def test_the_hint_for_a_file_of_its_own(kreis: FittedKreis) -> None:
    hint = F.recalibrate_command(read_calibration(kreis.calibration), kreis.calibration)
    assert hint.startswith("`sozialraum calibrate --setup … --out ")
    assert hint.endswith("kal.yaml`")


def test_a_calibration_file_broken_since_loading_is_reported_not_raised(
    kreis: FittedKreis,
) -> None:
    scenario = load_scenario(kreis.scenario)
    kreis.calibration.write_text("format: anders\n", encoding="utf-8")
    result = F.calibration_freshness(scenario)
    assert result is not None and result.scenario == F.UNKNOWN
    (line,) = result.warnings
    assert line.startswith("Aktualität der Kalibrierung nicht prüfbar: die Kalibrierungsdatei")


def test_a_long_name_in_the_file_is_shortened(kreis: FittedKreis) -> None:
    kreis.write_calibration(name="x" * 500)
    (line,) = _check(kreis.scenario).warnings
    assert "x" * (F.MAX_SHOWN_NAME - 1) + "…" in line and "x" * F.MAX_SHOWN_NAME not in line
