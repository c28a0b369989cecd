"""Atomic writing: a file or a folder is replaced whole, or left as it was.

Every file is written under a temporary name in the target directory and renamed
when complete (:func:`atomic_file`); a folder is written completely beside the old
one and then swapped with it (:func:`atomic_folder`), so the folder is always one
whole result, old or new. A failure (full disk, no permission) leaves no temporary
file and the earlier file or folder untouched. Temporary names carry the writing
process's id (``.NAME.sozialraum-export-PID-…``); those of a writer that was killed
are removed by the next writer into the same directory once their process is gone
(:func:`remove_leftovers`). The exports and ``sozialraum vorlage`` write this way.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from results.store import os_reason
from scenarios import ScenarioError

TEMP_MARK = ".sozialraum-export-"
"""Part of every temporary file or folder name of a writer (followed by the pid)."""

_TEMP_RE = re.compile(r"^\..*" + re.escape(TEMP_MARK) + r"(\d+)-[^/]*$")


def check_parent(path: Path, field: str = "--out") -> None:
    """Refuse a file whose folder does not exist.

    Raises:
        ScenarioError: Naming ``path`` and ``field``.
    """
    if not path.parent.is_dir():
        raise ScenarioError(path, field, "Verzeichnis gibt es nicht")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync(path: Path) -> None:
    """Flush a written file to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_prefix(target: Path) -> str:
    return f".{target.name}{TEMP_MARK}{os.getpid()}-"


def _process_gone(pid: int) -> bool:
    """Whether no (living) process has this id; a zombie counts as gone."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    except (OverflowError, ValueError, OSError):
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files and folders of writers whose process is gone.

    Args:
        folder: The directory a writer writes into.

    Returns:
        What was removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_RE.match(entry.name)
        if match is None or not _process_gone(int(match.group(1))):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def atomic_file(path: Path, write: Callable[[Path], None], field: str = "--out") -> None:
    """Write via a temporary file in the same directory, then rename.

    Args:
        path: The file to write (its folder must exist).
        write: Writes the content into the temporary file it is given.
        field: The option that named ``path``, for the message.

    Raises:
        ScenarioError: If the directory or file cannot be written; no temporary file
            is left and an earlier file at ``path`` is unchanged.
    """
    check_parent(path, field)
    remove_leftovers(path.parent)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        write(tmp)
        fsync(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a result file is shared
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ScenarioError(
            path, field, f"kann nicht geschrieben werden: {os_reason(exc)}"
        ) from None
    finally:
        if tmp is not None:
            remove_path(tmp)


def atomic_folder(folder: Path, write: Callable[[Path], None], field: str = "--out") -> None:
    """Write a complete new folder beside ``folder``, then swap it in.

    Args:
        folder: The folder to write (created, or replaced as a whole).
        write: Writes every file into the new folder it is given.
        field: The option that named ``folder``, for the message.

    Raises:
        ScenarioError: If anything cannot be written; no temporary folder is left
            and an earlier export in ``folder`` is unchanged.
    """
    fresh: Path | None = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(folder.parent)
        fresh = Path(
            tempfile.mkdtemp(prefix=_temp_prefix(folder), suffix=".neu", dir=folder.parent)
        )
        write(fresh)
        mask = _umask()
        for child in fresh.iterdir():
            os.chmod(child, 0o666 & ~mask)
        os.chmod(fresh, 0o777 & ~mask)  # mkdtemp makes 0700
        if folder.is_dir():
            _exchange(fresh, folder)  # ``fresh`` now names the old export
            remove_path(fresh)
        else:
            os.rename(fresh, folder)
        fresh = None
    except OSError as exc:
        raise ScenarioError(
            folder, field, f"kann nicht geschrieben werden: {os_reason(exc)}"
        ) from None
    finally:
        if fresh is not None:
            remove_path(fresh)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Any:
    """The C library's ``renameat2`` (Linux), or None where there is none."""
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories: atomically where the system can, else by two renames."""
    renameat2 = _renameat2()
    if renameat2 is not None:
        done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if done == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(b))
    # Without an atomic exchange: move the old folder aside, then the new one in.
    aside = Path(tempfile.mkdtemp(prefix=_temp_prefix(b), suffix=".alt", dir=b.parent))
    os.rmdir(aside)
    os.rename(b, aside)
    try:
        os.rename(a, b)
    except OSError:
        os.rename(aside, b)
        raise
    os.rename(aside, a)


def remove_path(path: Path) -> None:
    """Remove a file or folder if it is there (errors are ignored)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


__all__ = [
    "TEMP_MARK",
    "atomic_file",
    "atomic_folder",
    "check_parent",
    "fsync",
    "remove_leftovers",
    "remove_path",
]
