"""Printing the briefing: German errors when Chromium is missing, hangs or fails."""

from __future__ import annotations

import time

import pytest

from dashboard import printing as P


def test_missing_chromium_is_a_german_error(monkeypatch, tmp_path):
    monkeypatch.setenv(P.CHROMIUM_ENV, str(tmp_path / "kein-chromium"))
    with pytest.raises(P.BriefingError, match="Chromium wurde unter dem in SOZIALRAUM_CHROMIUM"):
        P.briefing_pdf("<p>x</p>")
    monkeypatch.delenv(P.CHROMIUM_ENV)
    monkeypatch.setattr(P, "DEFAULT_CHROMIUM", str(tmp_path / "auch-nicht"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(P.BriefingError, match="nicht gefunden"):
        P.briefing_pdf("<p>x</p>")


def fake_chromium(tmp_path, body: str):
    exe = tmp_path / "chromium"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)
    return exe


def test_hanging_chromium_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setenv(P.CHROMIUM_ENV, str(fake_chromium(tmp_path, "sleep 30")))
    start = time.monotonic()
    with pytest.raises(P.BriefingError, match="nicht innerhalb von 1 Sekunden"):
        P.briefing_pdf("<p>x</p>", timeout=1)
    assert time.monotonic() - start < 10


def test_failing_chromium_is_a_german_error(monkeypatch, tmp_path):
    exe = fake_chromium(tmp_path, "echo 'Fontconfig warning' >&2; echo 'kaputt' >&2; exit 3")
    monkeypatch.setenv(P.CHROMIUM_ENV, str(exe))
    with pytest.raises(P.BriefingError, match=r"Exit-Code 3\): kaputt"):
        P.briefing_pdf("<p>x</p>")
