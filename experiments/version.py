"""The code versions runs and calibrations record: hashes of the code that computed them.

A run's id includes the code version (see :mod:`experiments.recipe`), so results of
changed code are never mixed into a resumed batch: every ``.py`` file of the engine
(``model/``), the scenario language (``scenarios/``) and the experiments
(``experiments/``) goes into the hash, in subfolders too.

A calibration file records, besides that code version, the hash of the engine's code
alone (:func:`model_code_hash`): a calibration is fitted to what the engine computes,
so a change of the engine makes it stale, while a change of the dashboard, the command
line or an error message does not.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from collections.abc import Sequence
from pathlib import Path

SOURCE_PACKAGES: tuple[str, ...] = ("model", "scenarios", "experiments")
"""Packages whose code determines a run's results (hashed into :func:`code_version`)."""

MODEL_PACKAGES: tuple[str, ...] = ("model",)
"""The engine's packages (hashed into :func:`model_code_hash`)."""

HASH_CHARS = 12
"""Hexadecimal digits of the code hashes (48 bits: no two versions of one project collide)."""

_ROOT = Path(__file__).resolve().parent.parent
"""The project folder."""


def _packages_digest(packages: Sequence[str]) -> str:
    """The first :data:`HASH_CHARS` hex digits of the sha256 of the packages' code.

    Every ``.py`` file of each package, subfolders included, in sorted order, goes in
    with its path relative to the project folder and its bytes (comments too): a
    renamed, added or removed module changes the hash as much as a changed line.
    """
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted((_ROOT / package).rglob("*.py")):
            digest.update(path.relative_to(_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:HASH_CHARS]


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
    return f"{version}+{_packages_digest(SOURCE_PACKAGES)}"


@functools.cache
def model_code_hash() -> str:
    """Hash of the engine's code: every ``.py`` file of ``model/`` (subfolders too).

    What counts as "the model changed" for a calibration: the engine computes the
    statistics a calibration is fitted to, so any change of its code — a rule, a
    kernel, a default, also a comment or a pure refactoring, which cannot be told
    apart from a change of behaviour by looking at the files — changes this hash.
    The scenario language, the experiments, the calibration itself, the results
    store, the dashboard and the command line are not part of it (they are in
    :func:`code_version`, which a calibration file records for the record only).
    Computed once per process, like :func:`code_version`.

    Returns:
        :data:`HASH_CHARS` hexadecimal digits, for example ``3f2a9c0d1e7b``.
    """
    return _packages_digest(MODEL_PACKAGES)


__all__ = ["HASH_CHARS", "MODEL_PACKAGES", "SOURCE_PACKAGES", "code_version", "model_code_hash"]
