"""``sozialraum calibrate --nur-bericht``: the report for an existing calibration file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main


def test_report_only_for_the_shipped_calibration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bericht.html"
    assert main(["calibrate", "--nur-bericht", "--bericht", str(out)]) == 0
    assert "Bericht:" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "Kalibrierung lueneburg-v1" in page
    assert "Angepasste Zielgrößen" in page and "Zurückgehaltene Zielgrößen" in page


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
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Fehler:") and fragment in out[0]
    assert not (tmp_path / "b.html").exists()
