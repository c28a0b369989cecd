"""Where a results store may live, and what its storage failures mean, in German.

:func:`check_store_path` refuses a path before DuckDB touches it (a directory, FIFO,
device, symlink loop, an empty file, an SQLite or other non-DuckDB file);
:func:`os_reason` and :func:`duckdb_reason` turn the system's and DuckDB's English
error texts into German reasons; :class:`StoreError` is the one error type of the store.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

import duckdb

from scenarios import ScenarioError

DUCKDB_MAGIC = b"DUCK"
"""Bytes 8 to 11 of every DuckDB database file (after the header's checksum)."""

DUCKDB_MAGIC_OFFSET = 8
"""Where :data:`DUCKDB_MAGIC` starts in the file."""

_SQLITE_MAGIC = b"SQLite format 3\x00"

WHAT_TO_DO_OLD = (
    "mit der Programmversion exportieren, die sie angelegt hat, oder mit --store eine "
    "neue Ergebnisdatei anlegen"
)
"""Advice for a store whose tables are older than this program's."""

WHAT_TO_DO_UPGRADE = (
    "einmal mit einem schreibenden Befehl öffnen, der sie ohne Verlust eines Laufs "
    "aktualisiert (z. B. sozialraum batch SZENARIO --store DATEI)"
)
"""Advice for a store of an older schema that this program can upgrade (read-only opening)."""

WHAT_TO_DO_BROKEN = (
    "aus einer Sicherung wiederherstellen oder mit --store eine neue Ergebnisdatei anlegen"
)
"""Advice for a store that is damaged."""


class StoreError(ScenarioError):
    """The store file cannot be used (locked, not a store, unreadable, damaged, full)."""


_ERRNO_GERMAN: dict[int, str] = {
    errno.ENOSPC: "Datenträger voll",
    errno.EFBIG: "Datei größer, als das System erlaubt (Dateigrößengrenze)",
    errno.EDQUOT: "Speicherkontingent erschöpft",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.EROFS: "Dateisystem ist schreibgeschützt",
    errno.ENOENT: "nicht gefunden",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Verzeichnis",
    errno.EISDIR: "ist ein Verzeichnis",
    errno.ELOOP: "Symlink-Schleife (der Pfad verweist im Kreis auf sich selbst)",
    errno.ENAMETOOLONG: "Name zu lang",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
    errno.EBUSY: "wird gerade benutzt",
    errno.EEXIST: "gibt es schon",
    errno.ENOTEMPTY: "Verzeichnis ist nicht leer",
    errno.EXDEV: "liegt auf einem anderen Dateisystem",
    errno.ETXTBSY: "wird gerade benutzt",
}

_DUCKDB_GERMAN: tuple[tuple[str, str], ...] = (
    ("no space left on device", _ERRNO_GERMAN[errno.ENOSPC]),
    ("file too large", _ERRNO_GERMAN[errno.EFBIG]),
    ("disk quota exceeded", _ERRNO_GERMAN[errno.EDQUOT]),
    ("read-only file system", _ERRNO_GERMAN[errno.EROFS]),
    ("permission denied", _ERRNO_GERMAN[errno.EACCES]),
    ("input/output error", _ERRNO_GERMAN[errno.EIO]),
    ("could not set lock", "wird gerade von einem anderen Prozess benutzt"),
    ("conflicting lock", "wird gerade von einem anderen Prozess benutzt"),
    ("corrupt database file", f"beschädigt (Prüfsumme stimmt nicht); {WHAT_TO_DO_BROKEN}"),
    ("checksum", f"beschädigt (Prüfsumme stimmt nicht); {WHAT_TO_DO_BROKEN}"),
    ("could not read enough bytes", f"unvollständig (abgeschnitten); {WHAT_TO_DO_BROKEN}"),
    ("not a valid duckdb database", "keine gültige Ergebnisdatei (kein DuckDB-Format)"),
    ("invalidated", f"nach einem früheren Fehler nicht mehr nutzbar; {WHAT_TO_DO_BROKEN}"),
    ("serialized", f"mit einer anderen DuckDB-Version angelegt; {WHAT_TO_DO_OLD}"),
    ("storage version", f"mit einer anderen DuckDB-Version angelegt; {WHAT_TO_DO_OLD}"),
)
"""DuckDB's English error texts (lower case) and what they mean for a user."""


def os_reason(exc: OSError) -> str:
    """A German reason for an operating-system error (never the English text).

    Args:
        exc: The error.

    Returns:
        For example ``Datenträger voll``.

    Examples:
        >>> os_reason(OSError(errno.ENOSPC, "No space left on device"))
        'Datenträger voll'
    """
    if exc.errno in _ERRNO_GERMAN:
        return _ERRNO_GERMAN[exc.errno]
    if exc.errno is not None:
        return f"Systemfehler {errno.errorcode.get(exc.errno, exc.errno)}"
    return duckdb_reason(exc) or "Systemfehler"


def duckdb_reason(exc: BaseException) -> str | None:
    """A German reason for a storage failure DuckDB reports, or None if it is none.

    Args:
        exc: An exception raised by DuckDB (or the file system under it).

    Returns:
        For example ``Datenträger voll``; None for errors that are not about the
        file (a wrong query, a value of the wrong type: programming errors).
    """
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_reason(exc)
    text = str(exc).lower()
    for fragment, german in _DUCKDB_GERMAN:
        if fragment in text:
            return german
    if isinstance(exc, (duckdb.IOException, OSError, duckdb.FatalException)):
        return "Fehler beim Lesen oder Schreiben der Datei"
    return None


def check_store_path(path: Path, *, read_only: bool) -> bool:
    """Check that ``path`` can be a store before DuckDB touches it.

    Args:
        path: The store path.
        read_only: Whether the store is only to be read (then it must exist).

    Returns:
        Whether a DuckDB file exists there (False: a new store will be created).

    Raises:
        StoreError: For a missing store to read, a missing folder, a symlink loop, a
            directory, FIFO, device or socket, an unreadable file, an empty file or
            one that is not in DuckDB's format (an SQLite file, for example).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise StoreError(path, None, "Symlink zeigt auf keine vorhandene Datei") from None
        if read_only:
            raise StoreError(path, None, "Ergebnisspeicher nicht gefunden") from None
        if not path.parent.is_dir():
            raise StoreError(path, None, "Verzeichnis des Ergebnisspeichers fehlt") from None
        return False
    except OSError as exc:
        raise StoreError(path, None, f"nicht nutzbar: {os_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(path, None, "ist ein Verzeichnis, keine Ergebnisdatei")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            path, None, "keine gewöhnliche Datei (Gerät, FIFO oder Socket), keine Ergebnisdatei"
        )
    if info.st_size == 0:
        raise StoreError(
            path,
            None,
            "leere Datei, keine Ergebnisdatei; löschen oder mit --store eine andere Datei angeben",
        )
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(path, None, f"nicht lesbar: {os_reason(exc)}") from None
    if head.startswith(_SQLITE_MAGIC):
        raise StoreError(
            path, None, "SQLite-Datenbank, keine Ergebnisdatei (DuckDB) dieses Werkzeugs"
        )
    end = DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC)
    if head[DUCKDB_MAGIC_OFFSET:end] != DUCKDB_MAGIC:
        raise StoreError(path, None, "keine gültige Ergebnisdatei (kein DuckDB-Format)")
    return True


__all__ = [
    "DUCKDB_MAGIC",
    "WHAT_TO_DO_BROKEN",
    "WHAT_TO_DO_OLD",
    "WHAT_TO_DO_UPGRADE",
    "StoreError",
    "check_store_path",
    "duckdb_reason",
    "os_reason",
]
