"""``sozialraum calibrate --nur-bericht``: the report for an existing calibration file."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from calibration.run import check_output_file, replacing
from cli.main import main
from tests.bad_days.harness import ROOT, Outcome, assert_clear_input_error


def test_report_only_for_the_shipped_calibration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bericht.html"
    assert main(["calibrate", "--nur-bericht", "--bericht", str(out)]) == 0
    assert "Bericht:" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "Kalibrierung lueneburg-v1" in page
    assert "Angepasste Zielgrößen" in page and "Zurückgehaltene Zielgrößen" in page


def _assert_one_error_line(capsys: pytest.CaptureFixture[str], fragment: str) -> None:
    """One German error line with ``fragment`` on standard error, nothing on standard output."""
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Fehler:") and fragment in err[0]
    assert captured.out == ""  # errors go to standard error, not to standard output


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ([], "--nur-bericht braucht --bericht"),
        (["--bericht", "b.html", "--out", "gibt-es-nicht.yaml"], "nicht gefunden"),
    ],
)
def test_report_only_input_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    fragment: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", "--nur-bericht", *extra]) == 2
    _assert_one_error_line(capsys, fragment)
    assert not (tmp_path / "b.html").exists()


# ------------------------------------------------------------------ atomic writes

_FILE_LIMIT = 2_000
"""Largest file the calibration process may write in the test (``RLIMIT_FSIZE``, bytes).

The tiny calibration below writes a file of about 4 KB, so its final write fails
halfway (``EFBIG``), as on a full disk.
"""


def _tiny_setup_file(folder: Path) -> Path:
    setup = _setup_doc()
    first = setup["parameters"][0]
    setup.update(
        name="test-atomar",
        seed=5,
        scale=0.1,
        years=1,
        burn_in_months=12,
        population=6,
        generations=1,
        draws=4,
        sims_per_minute=120,
        parameters=[first],
        cost_parameters=[],  # one stage: the small test targets files have no spending
    )
    path = folder / "setup.yaml"
    path.write_text(yaml.safe_dump(setup, allow_unicode=True), encoding="utf-8")
    return path


def _setup_doc() -> dict[str, object]:
    from calibration.fit import SETUP_DIR

    return yaml.safe_load((SETUP_DIR / "lueneburg.yaml").read_text(encoding="utf-8"))


def _limit_file_size() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_FSIZE, (_FILE_LIMIT, _FILE_LIMIT))


def test_regression_failed_final_write_left_traceback_and_half_file(tmp_path: Path) -> None:
    """A calibration whose final write failed ended in a traceback with a half file.

    Now the file is written to a temporary file next to it and renamed: when the
    write fails (here: the file-size limit, as on a full disk) the earlier
    calibration file is unchanged, no temporary file is left, and the one German
    line names the file and ``--out``.
    """
    setup = _tiny_setup_file(tmp_path)
    out = tmp_path / "kal.yaml"
    out.write_text("# die frühere Kalibrierungsdatei\n", encoding="utf-8")
    before = out.read_bytes()
    args = ["calibrate", "--setup", str(setup), "--out", str(out), "--minutes", "0.05"]
    proc = subprocess.run(
        [sys.executable, "-m", "cli", *args, "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert "Generation 0" in proc.stdout  # it did calibrate; the failure is at the end
    line = assert_clear_input_error(Outcome(proc.returncode, proc.stdout, proc.stderr))
    assert "kal.yaml" in line and "Feld --out" in line
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kal.yaml", "setup.yaml"]


def test_replacing_keeps_the_old_file_on_failure_and_sets_normal_permissions(
    tmp_path: Path,
) -> None:
    target = tmp_path / "datei.yaml"
    target.write_text("alt\n", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target, "--out") as tmp:
        tmp.write_text("halb", encoding="utf-8")
        raise RuntimeError("Abbruch mitten im Schreiben")
    assert target.read_text(encoding="utf-8") == "alt\n"
    assert [p.name for p in tmp_path.iterdir()] == ["datei.yaml"]

    with replacing(target, "--out") as tmp:
        tmp.write_text("neu\n", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "neu\n"
    assert [p.name for p in tmp_path.iterdir()] == ["datei.yaml"]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_check_output_file_follows_a_symlink_and_leaves_no_probe(tmp_path: Path) -> None:
    real = tmp_path / "echt" / "kal.yaml"
    real.parent.mkdir()
    real.write_text("alt\n", encoding="utf-8")
    link = tmp_path / "verweis.yaml"
    link.symlink_to(real)
    assert check_output_file(link, "--out") == real.resolve()
    assert sorted(p.name for p in real.parent.iterdir()) == ["kal.yaml"]
    assert link.is_symlink()


# ------------------------------------------------------------------ --ziele


def _targets_subset(folder: Path, keep: set[str]) -> Path:
    """A targets file with the shipped targets ``keep`` only (all other fields as shipped)."""
    from calibration.targets import TARGETS_FILE

    doc = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))
    doc["targets"] = [t for t in doc["targets"] if t["id"] in keep]
    path = folder / "ziele.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_calibrate_fits_the_targets_file_named_by_ziele(tmp_path: Path) -> None:
    from calibration.targets import targets_sha256

    setup = _tiny_setup_file(tmp_path)
    targets = _targets_subset(tmp_path, {"faelle_31", "faelle_34", "dauer_34"})
    out = tmp_path / "kal.yaml"
    args = ["calibrate", "--setup", str(setup), "--out", str(out), "--minutes", "0.05"]
    assert main([*args, "--ziele", str(targets), "--workers", "1"]) == 0
    cal = yaml.safe_load(out.read_text(encoding="utf-8"))
    shipped = {t["id"] for t in yaml.safe_load(targets.read_text(encoding="utf-8"))["targets"]}
    assert set(cal["fit_targets"]) | set(cal["holdout_targets"]) == shipped
    assert cal["targets_sha256"] == targets_sha256(targets)


def test_calibrate_refuses_a_broken_ziele_file_before_simulating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = _tiny_setup_file(tmp_path)
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("targets:\n  - id: faelle_34\n    value: viel\n", encoding="utf-8")
    out = tmp_path / "kal.yaml"
    args = ["calibrate", "--setup", str(setup), "--out", str(out), "--ziele", str(broken)]
    assert main(args) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Fehler:") and "kaputt.yaml" in err[0]
    assert "Feld targets.0" in err[0]
    assert "Generation 0" not in captured.out
    assert not out.exists()


# ------------------------------------------------------------------ --szenario


def test_report_only_checks_another_system_against_its_local_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ulm.html"
    local = ROOT / "calibration" / "targets" / "local" / "ulm.yaml"
    args = ["calibrate", "--nur-bericht", "--bericht", str(out), "--szenario", "ulm-status-quo"]
    assert main([*args, "--ziele", str(local)]) == 0
    assert "Bericht:" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "Prüfung von ulm-status-quo mit der Kalibrierung lueneburg-v1" in page
    assert "Ulm: mittlere Dauer einer HzE" in page and "Zurückgehaltene Zielgrößen" in page
    assert "Angepasste Zielgrößen" not in page  # nothing is fitted to Ulm's figures
    assert "faelle_34" not in page  # the Lüneburg targets are not checked


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--szenario", "ulm-status-quo"], "--szenario gilt nur mit --nur-bericht"),
        (
            ["--nur-bericht", "--bericht", "b.html", "--szenario", "gibt-es-nicht"],
            "--szenario",
        ),
        (
            ["--nur-bericht", "--bericht", "b.html", "--szenario", "../etc/passwd"],
            "--szenario",
        ),
    ],
)
def test_szenario_input_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    fragment: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", *extra]) == 2
    _assert_one_error_line(capsys, fragment)
    assert not (tmp_path / "b.html").exists()
