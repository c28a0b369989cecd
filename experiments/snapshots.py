"""Burn-ins kept on disk: a model at the end of its burn-in, reused by later runs.

A what-if on the dashboard runs the changed version of a scenario for 20 seeds while
its users wait; most of its parameters leave the burn-in unchanged (levers, the need
trend, the projects' effect: :func:`model.run.burn_in_key`). Each seed's burn-in is
simulated once and written here (:func:`model.run.snapshot`); every later what-if of
the same scenario and seed continues from it (bit-identical to a whole run, tested),
so only the reported years are computed.

**Only this program's own files are read.** A snapshot is a Python pickle, which
must never come from outside. The folder is created by the program with mode
``0700`` (the dashboard's private cache folder); it is refused (no snapshot is read
or written, runs simulate their burn-in) if it is a symbolic link, is not owned by
the user running the program, or can be written by anybody else. A snapshot's file
name is the SHA-256 of its burn-in parameters, seed and code version, computed here:
nothing a browser sends names a file.

The folder holds at most ``max_bytes``; the snapshots used longest ago are deleted
first. A snapshot that cannot be read back is deleted and its burn-in simulated
again. Files are written atomically (a temporary file, then renamed), so two
processes writing the same snapshot leave one whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from experiments.recipe import canonical_json, params_json
from experiments.version import code_version
from model.model import SozialraumModel
from model.params import ModelParams
from model.run import burn_in_key, burn_in_model, restore, snapshot

SUFFIX = ".einschwingen"
"""File ending of a snapshot."""


class BurnInCache:
    """Models at the end of their burn-in, in a private folder.

    Args:
        folder: The folder (created with mode ``0700`` if missing).
        max_bytes: Most bytes the snapshots may take together.
    """

    def __init__(self, folder: str | os.PathLike[str], max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        with contextlib.suppress(OSError):
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    @property
    def usable(self) -> bool:
        """Whether the folder is private to this user (see the module docstring)."""
        try:
            st = self.folder.lstat()
        except OSError:
            return False
        return (
            stat.S_ISDIR(st.st_mode)
            and st.st_uid == os.getuid()
            and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        )

    def key(self, params: ModelParams, seed: int) -> str | None:
        """The snapshot's name for a run (None: its burn-in cannot be shared)."""
        shared = burn_in_key(params)
        if shared is None:
            return None
        text = f"{canonical_json(params_json(shared))}|{seed}|{code_version()}"
        return hashlib.sha256(text.encode()).hexdigest()

    def model(self, params: ModelParams, seed: int) -> tuple[SozialraumModel, bool]:
        """The model of ``params`` and ``seed`` at the end of its burn-in.

        Read from the folder when it is there, else simulated (and written).

        Returns:
            The model (a fresh copy, to be continued with
            :func:`model.run.finish_run`) and whether it was read from the folder.

        Raises:
            ValueError: If the run's burn-in cannot be shared (no key).
        """
        name = self.key(params, seed)
        if name is None:
            raise ValueError("this run's burn-in cannot be shared")
        usable = self.usable
        path = self.folder / f"{name}{SUFFIX}"
        if usable:
            try:
                model = restore(path.read_bytes())
            except FileNotFoundError:
                pass
            except Exception:  # a damaged snapshot (a full disk, a killed writer)
                with contextlib.suppress(OSError):
                    path.unlink()
            else:
                with contextlib.suppress(OSError):
                    os.utime(path)
                return model, True
        model = burn_in_model(params, seed)
        if usable:
            self._write(path, snapshot(model))
        return model, False

    def _write(self, path: Path, data: bytes) -> None:
        """Write a snapshot atomically, then keep the folder within its size."""
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
            return
        self._trim()

    def _trim(self) -> None:
        """Delete the snapshots used longest ago while the folder is over its size."""
        files = []
        for p in self.folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError):
                st = p.stat()
                files.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in files)
        for _, size, p in sorted(files, key=lambda f: f[0]):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                p.unlink()
                total -= size


__all__ = ["SUFFIX", "BurnInCache"]
