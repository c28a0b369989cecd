"""Dask worker preload: the worker process may open no scenario, data or calibration file.

Loaded with ``dask worker --preload tests.experiments.worker_without_files``: Dask
calls :func:`dask_setup` when the worker starts, which installs an audit hook that
refuses (``PermissionError``) and records every attempt to open a ``.yaml``,
``.yml`` or ``.csv`` file outside the Python installation (Dask's own configuration
files are read before, or lie inside it). Importing the module installs nothing (an
audit hook cannot be removed again), so the test process may import it.
"""

from __future__ import annotations

import os
import sys
import sysconfig

REFUSED: list[str] = []
"""Every path the worker tried to open and was refused, in order."""

_SUFFIXES = (".yaml", ".yml", ".csv")
_ALLOWED = tuple(
    {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"])}
)


def _hook(event: str, args: tuple) -> None:
    if event != "open" or not args or isinstance(args[0], int):
        return
    try:
        path = os.path.realpath(os.fsdecode(args[0]))
    except (TypeError, ValueError):
        return
    if path.lower().endswith(_SUFFIXES) and not path.startswith(_ALLOWED):
        REFUSED.append(path)
        raise PermissionError(f"dieser Worker darf keine Datei öffnen: {path}")


def install() -> None:
    """Install the hook in this process (for good: audit hooks cannot be removed)."""
    sys.addaudithook(_hook)


def dask_setup(worker: object) -> None:
    """Dask's preload entry point: install the hook in the worker process."""
    install()


def refused() -> list[str]:
    """The refused paths (called through ``client.run``)."""
    return list(REFUSED)


def try_open(path: str) -> str:
    """Try to open a file: ``refused``, or ``opened`` if the hook let it through."""
    try:
        with open(path, "rb"):
            return "opened"
    except PermissionError:
        return "refused"


def where() -> tuple[str, int]:
    """The worker's working directory and process id."""
    return os.getcwd(), os.getpid()
