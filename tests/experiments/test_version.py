"""The code hashes: the run's code version and the engine's hash a calibration records."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import code_version, model_code_hash
from experiments import version as V


def _tree(root: Path) -> Path:
    for package, text in {
        "model": "RATE = 0.1\n",
        "scenarios": "LIMIT = 5\n",
        "experiments": "SEEDS = 2\n",
        "dashboard": "TITLE = 'Vergleich'\n",
        "cli": "EXIT_OK = 0\n",
        "calibration": "QUANTILE = 0.5\n",
    }.items():
        (root / package).mkdir(parents=True)
        (root / package / "core.py").write_text(text, encoding="utf-8")
    return root


def _hashes() -> tuple[str, str]:
    return V._packages_digest(V.MODEL_PACKAGES), V._packages_digest(V.SOURCE_PACKAGES)


@pytest.mark.parametrize(
    ("package", "model_changes", "code_changes"),
    [
        ("model", True, True),
        ("scenarios", False, True),
        ("experiments", False, True),
        ("dashboard", False, False),
        ("cli", False, False),
        ("calibration", False, False),
    ],
)
def test_what_changes_which_hash(
    package: str,
    model_changes: bool,
    code_changes: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change of the engine makes a calibration stale; a dashboard refactoring does not."""
    monkeypatch.setattr(V, "_ROOT", _tree(tmp_path))
    model, code = _hashes()
    (tmp_path / package / "core.py").write_text("# umgebaut\n", encoding="utf-8")
    assert (_hashes()[0] != model, _hashes()[1] != code) == (model_changes, code_changes)


def test_a_new_module_in_a_subfolder_of_the_engine_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(V, "_ROOT", _tree(tmp_path))
    model, _ = _hashes()
    (tmp_path / "model" / "kernels").mkdir()
    (tmp_path / "model" / "kernels" / "ageing.py").write_text("STEP = 1\n", encoding="utf-8")
    assert _hashes()[0] != model


def test_the_project_hashes() -> None:
    assert len(model_code_hash()) == V.HASH_CHARS
    assert int(model_code_hash(), 16) >= 0
    version, _, digest = code_version().partition("+")
    assert version and len(digest) == V.HASH_CHARS and digest != model_code_hash()
