"""The code version every run records: package version plus a hash of the code.

A run's id includes the code version (see :mod:`experiments.recipe`), so results of
changed code are never mixed into a resumed batch: every ``.py`` file of the engine
(``model/``), the scenario language (``scenarios/``) and the experiments
(``experiments/``) goes into the hash, in subfolders too.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from pathlib import Path

SOURCE_PACKAGES: tuple[str, ...] = ("model", "scenarios", "experiments")
"""Packages whose code determines a run's results (hashed into :func:`code_version`)."""


@functools.cache
def code_version() -> str:
    """Package version plus a hash of the engine, scenario and experiment code.

    Returns:
        For example ``0.1.0+3f2a9c0d1e7b``; the same for the same code.
    """
    try:
        version = importlib.metadata.version("sozialraum-sim")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        version = "0"
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


__all__ = ["SOURCE_PACKAGES", "code_version"]
