"""The bad-input report (``python -m tests.bad_days.report``) cleans up after itself."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.bad_days.report import _release
from tests.bad_days.test_store_export import LOCKED, _locked_folder


def test_regression_report_cannot_remove_a_locked_case_folder(tmp_path: Path):
    """A case locks a folder (as root: ``chattr +i``); the report left it locked and
    crashed with a traceback while removing its temporary folder at the end."""
    workdir = tmp_path / "fall"
    workdir.mkdir()
    _locked_folder(workdir)
    assert (workdir / LOCKED).is_dir()
    _release(workdir)
    shutil.rmtree(workdir)
    assert not workdir.exists()
