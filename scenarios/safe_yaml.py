"""Bounded, safe reading of every YAML file the toolkit reads.

Every YAML file (scenario, variant, sweep, help types, calibration file, calibration
setup, targets, ``whatif.yaml``) is read through :func:`load_yaml`:

* only regular files: a FIFO, a device such as ``/dev/zero``, a socket or a
  directory is refused before a single byte is read (a FIFO would otherwise block
  forever, ``/dev/zero`` never ends);
* at most :data:`MAX_YAML_BYTES` (or the caller's limit) are read, counted while
  reading, not only by ``stat`` (a file may grow, ``/proc`` files report size 0);
* UTF-8 only; safe types only (no Python objects);
* duplicate keys are refused (PyYAML silently keeps the last one);
* the nesting depth is limited (:data:`MAX_NESTING_DEPTH`) *while composing*, long
  before PyYAML's recursive composer or any later deep copy can reach Python's
  recursion limit;
* aliases are counted (:data:`MAX_ALIASES`) and the size of the document after
  alias expansion is computed during composing (:data:`MAX_EXPANDED_SIZE`), so a
  "billion laughs" file is refused after reading a few hundred bytes; an alias
  inside the section it names (a cycle) is refused too; files with no use for
  aliases (the calibration file) refuse every alias.

Large machine-written files (the calibration file) are parsed by libyaml's C parser
(``fast=True``); the composing, with its limits, is always done here in Python,
because libyaml's own composer recurses in C without a limit and crashes the
process on deep nesting.

Every refusal is a :class:`~scenarios.errors.ScenarioError` naming the file (and
the line where known) with a German message that states the limit.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from scenarios.errors import Loc, ScenarioError, from_yaml_error, os_message
from scenarios.formatting import fmt_num

try:  # libyaml is optional; without it the pure-Python parser is used everywhere
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    CParser = None  # type: ignore[assignment,misc]

MiB = 1024 * 1024

MAX_YAML_BYTES = 1 * MiB
"""Largest scenario, variant, sweep, help-type, setup, targets or settings file.

The largest shipped file (the Lüneburg status quo, 3 regions and 8 providers with
every source written out) has 24 KB; forty times that leaves room for a Kreis with
dozens of Sozialräume and hundreds of providers. A bigger file is not a scenario
but a mistake or an attack (a 50 MB description).
"""

MAX_YAML_ENTRIES = 50_000
"""Most entries (keys, values, list items, sections) in one such file, before aliases.

The Lüneburg status quo has 1,202, the help-type file 882; a Kreis with 300
providers adds about 9,000. The pure-Python parser needs about 1 KB of memory and
25 µs per entry (measured: 50,000 entries in 1.2 s and 47 MB), so a flat list of
half a million numbers (2 bytes each, still under 1 MiB) is refused early instead
of taking 20 seconds and 560 MB.
"""

MAX_CALIBRATION_BYTES = 4 * MiB
"""Largest calibration file (``sozialraum calibrate`` output).

The shipped file (200 particles, 13 parameters) has 163 KB; ten times the particles
and twice the parameters give 2.3 MB.
"""

MAX_CALIBRATION_ENTRIES = 250_000
"""Most entries in a calibration file.

The shipped file has 9,751; ten times the particles and twice the parameters give
124,000, read with libyaml's parser in under 3 s and 54 MB (measured on a busy
two-core machine). It is read once per process.
"""

MAX_NESTING_DEPTH = 32
"""Deepest nesting of sections and lists (each level of ``{…}``, ``[…]`` or indent).

The deepest shipped file nests 6 levels (a scenario's provider quantity with a
list value). 32 leaves room for any hand-written structure and stays far below
Python's recursion limit of 1,000 frames, of which composing and later deep copies
use two to four per level (1,000 levels used to end in a ``RecursionError``).
"""

MAX_ALIASES = 1_000
"""Most aliases (``*name``) in one file.

The Ulm status quo shares five regional values and two provider values by alias
(30 aliases in all); a Kreis with 100 Sozialräume doing the same uses 500.
"""

ENTRY_SIZE = 8
"""What each entry (key, value, list item, section) counts towards the expanded size.

Roughly the characters an entry costs besides its text (indentation, colon, line
break); it makes a bomb of many tiny entries as large as it really is in memory.
"""

MAX_EXPANDED_SIZE = 4 * MiB
"""Largest size of a document after alias expansion (text plus :data:`ENTRY_SIZE`
per entry).

Aliases only avoid repeating a value; shipped files measure at most 38 KB this way
(the Lüneburg status quo; Ulm, with 30 aliases, 19 KB). Four times :data:`MAX_YAML_BYTES`
allows any honest use and stops a "billion laughs" file (1 KB growing to
gigabytes) at the first few hundred bytes.
"""


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file.

    Attributes:
        data: The constructed data (None for an empty file).
        lines: 1-based line of every key path (location tuple → line).
    """

    data: Any
    lines: dict[Loc, int]


def _mib(limit: int) -> str:
    """A byte limit as users read it: ``1 MiB`` or ``16 MiB`` (or bytes below 1 MiB)."""
    if limit % MiB == 0:
        return f"{limit // MiB} MiB"
    return f"{fmt_num(limit)} Byte"


# =========================================================================== reading bytes


def file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a data file (German), or None if it can.

    Follows symbolic links. Does not open the file.

    Args:
        path: Any path.

    Returns:
        None for a regular file, else a German reason (missing, a directory, not a
        regular file, a loop of symbolic links, …).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return os_message(exc)
    except ValueError:  # a NUL character in the path
        return "Pfad enthält ein Nullzeichen"
    return _mode_problem(st.st_mode)


NOT_FOUND = "nicht gefunden"
"""What :func:`path_problem` says about a path that names nothing."""


def path_problem(path: str | os.PathLike[str]) -> str | None:
    """Why a file named in a scenario cannot be read, or None if it can.

    Like :func:`file_problem`, but a path that names nothing (not even a broken
    symbolic link) is :data:`NOT_FOUND`, so the message reads „Datei … nicht gefunden“.
    """
    if not os.path.lexists(path):
        return NOT_FOUND
    return file_problem(path)


def _mode_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "ist ein Verzeichnis, keine Datei"
    if stat.S_ISFIFO(mode):
        kind = "eine benannte Pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "eine Gerätedatei"
    elif stat.S_ISSOCK(mode):
        kind = "ein Socket"
    else:
        kind = "keine gewöhnliche Datei"
    return f"ist keine normale Datei, sondern {kind}"


def read_limited(path: str | os.PathLike[str], limit: int, *, what: str = "Datei") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking (a FIFO cannot hang the process), checked to
    be a regular file on the opened descriptor, and read up to ``limit + 1`` bytes:
    the limit holds even where ``stat`` reports a wrong size.

    Args:
        path: The file.
        limit: Largest allowed size in bytes.
        what: German name of the kind of file for the message (``Kalibrierungsdatei``).

    Returns:
        The file's bytes.

    Raises:
        ScenarioError: Naming the file, for a missing, unreadable, non-regular or
            too large file.
    """
    problem = file_problem(path)
    if problem is not None:
        raise ScenarioError(path, None, problem)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ScenarioError(path, None, os_message(exc)) from None
    try:
        st = os.fstat(fd)
        problem = _mode_problem(st.st_mode)  # replaced between stat and open
        if problem is not None:
            raise ScenarioError(path, None, problem)
        too_large = (
            f"{what} ist größer als {_mib(limit)} (höchstens {_mib(limit)} erlaubt; "
            "so groß ist keine echte Datei dieser Art)"
        )
        if st.st_size > limit:
            raise ScenarioError(path, None, too_large)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, MiB))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ScenarioError(path, None, too_large)
        return b"".join(chunks)
    except OSError as exc:
        raise ScenarioError(path, None, os_message(exc)) from None
    finally:
        os.close(fd)


def decode_utf8(raw: bytes, path: str | os.PathLike[str], *, bom: bool = False) -> str:
    """Decode a file's bytes as UTF-8; a decoding error names the line.

    Args:
        raw: The bytes.
        path: The file (for the message).
        bom: Drop a leading byte order mark (spreadsheet programs write one).

    Raises:
        ScenarioError: If the bytes are not UTF-8.
    """
    try:
        return raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            path, None, "Datei ist nicht UTF-8-kodiert (als UTF-8 speichern)", line
        ) from None


# =========================================================================== composing


class _Refused(yaml.YAMLError):
    """A limit of the bounded reader was hit (German message, position)."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None


class _BoundedComposer(Composer):
    """PyYAML's composer with limits on nesting, entries, aliases and expanded size.

    ``_total`` is the size of everything composed so far with aliases expanded (an
    alias adds the whole size of the section it repeats): it only grows, so a bomb
    is stopped at the first alias that makes it too large, not after expansion.
    """

    def _init_bounds(self, allow_aliases: bool, max_entries: int) -> None:
        self.allow_aliases = allow_aliases
        self.max_entries = max_entries
        self._depth = 0
        self._entries = 0
        self._aliases = 0
        self._total = 0
        self._sizes: dict[int, int] = {}
        Composer.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose one node, checking depth, entries, aliases and the expanded size."""
        if self.check_event(AliasEvent):
            return self._alias()
        start = self.peek_event().start_mark
        self._entries += 1
        if self._entries > self.max_entries:
            raise _Refused(
                f"mehr als {fmt_num(self.max_entries)} Einträge (Schlüssel, Werte, "
                f"Listeneinträge) in der Datei (höchstens {fmt_num(self.max_entries)} erlaubt)",
                start,
            )
        self._depth += 1
        if self._depth > MAX_NESTING_DEPTH:
            raise _Refused(
                f"zu tief verschachtelt: mehr als {MAX_NESTING_DEPTH} Ebenen "
                f"(höchstens {MAX_NESTING_DEPTH} erlaubt)",
                start,
            )
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, ScalarNode):
            size = ENTRY_SIZE + len(node.value)
            self._grow(size, start)
        elif isinstance(node, SequenceNode):
            size = ENTRY_SIZE + sum(self._sizes[id(item)] for item in node.value)
            self._grow(ENTRY_SIZE, start)
        else:
            size = ENTRY_SIZE + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
            self._grow(ENTRY_SIZE, start)
        self._sizes[id(node)] = size
        return node

    def _alias(self) -> Node:
        event = self.get_event()
        if not self.allow_aliases:
            raise _Refused(
                f"Aliase (*{event.anchor}) sind in dieser Datei nicht erlaubt (Werte ausschreiben)",
                event.start_mark,
            )
        self._aliases += 1
        if self._aliases > MAX_ALIASES:
            raise _Refused(
                f"mehr als {fmt_num(MAX_ALIASES)} Aliase (*name) in der Datei "
                f"(höchstens {fmt_num(MAX_ALIASES)} erlaubt)",
                event.start_mark,
            )
        node = self.anchors.get(event.anchor)
        if node is None:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        size = self._sizes.get(id(node))
        if size is None:
            raise _Refused(
                f"Alias *{event.anchor} steht in dem Abschnitt, den er wiederholt (Zyklus)",
                event.start_mark,
            )
        self._grow(size, event.start_mark)
        return node

    def _grow(self, size: int, mark: yaml.Mark) -> None:
        self._total += size
        # without aliases the size is bounded by the file size and the entries
        if self._aliases and self._total > MAX_EXPANDED_SIZE:
            raise _Refused(
                "Aliase (*name) vervielfachen den Inhalt: nach ihrer Auflösung wäre er "
                f"größer als {_mib(MAX_EXPANDED_SIZE)} (höchstens {_mib(MAX_EXPANDED_SIZE)} "
                "erlaubt)",
                mark,
            )


class _StrictConstructor(SafeConstructor):
    """Safe constructor that rejects duplicate keys (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping; a key given twice is a ConstructorError with its position."""
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue  # unhashable: the base class reports it
                if duplicate:
                    raise ConstructorError(
                        None, None, f"doppelter Schlüssel „{key}“", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


class _PyLoader(Reader, Scanner, Parser, _BoundedComposer, _StrictConstructor, Resolver):
    """Pure-Python bounded loader (exact line numbers, German-mapped messages)."""

    def __init__(self, text: str, allow_aliases: bool, max_entries: int) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        self._init_bounds(allow_aliases, max_entries)
        _StrictConstructor.__init__(self)
        Resolver.__init__(self)


if CParser is not None:

    class _FastLoader(  # type: ignore[misc,valid-type]
        _BoundedComposer, CParser, _StrictConstructor, Resolver
    ):
        """libyaml's parser with the bounded Python composer (for large files)."""

        def __init__(self, text: str, allow_aliases: bool, max_entries: int) -> None:
            CParser.__init__(self, text)
            self._init_bounds(allow_aliases, max_entries)
            _StrictConstructor.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - depends on how PyYAML was built
    _FastLoader = _PyLoader  # type: ignore[misc,assignment]


def line_index(node: Node | None) -> dict[Loc, int]:
    """Map every key path of a composed document to its 1-based line.

    An aliased section is indexed once, where it is defined: a path through an
    alias keeps the line of the alias itself (so the index stays as small as the
    file, whatever the aliases would expand to).
    """
    index: dict[Loc, int] = {}
    seen: set[int] = set()

    def visit(node: Node, path: Loc) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if (
                    not isinstance(key_node, ScalarNode)
                    or key_node.tag == "tag:yaml.org,2002:merge"
                ):
                    continue
                sub = (*path, key_node.value)
                index[sub] = key_node.start_mark.line + 1  # own key after merged ones
                visit(value_node, sub)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                sub = (*path, i)
                index[sub] = item.start_mark.line + 1
                visit(item, sub)

    if node is not None:
        visit(node, ())
    return index


def parse_yaml(
    text: str,
    path: str | os.PathLike[str],
    *,
    allow_aliases: bool = True,
    max_entries: int = MAX_YAML_ENTRIES,
    fast: bool = False,
    lines: bool = True,
) -> YamlDocument:
    """Parse YAML text with the limits of this module.

    Args:
        text: The YAML text.
        path: The file it came from (for messages).
        allow_aliases: False refuses every alias.
        max_entries: Most entries (keys, values, list items) in the file.
        fast: Use libyaml's parser (for large machine-written files).
        lines: Build the line index (skip for files whose lines are never shown).

    Returns:
        The data and its line index.

    Raises:
        ScenarioError: For invalid YAML or a limit, with the line where known.
    """
    loader_cls = _FastLoader if fast else _PyLoader
    try:  # the Python reader checks the characters here
        loader = loader_cls(text, allow_aliases, max_entries)
    except yaml.YAMLError as exc:
        raise from_yaml_error(exc, path, text) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise ScenarioError(path, None, exc.message, exc.line) from None
    except yaml.YAMLError as exc:
        raise from_yaml_error(exc, path, text) from None
    except RecursionError:  # last resort (e.g. long chains of << merges)
        raise ScenarioError(
            path, None, f"zu tief verschachtelt (höchstens {MAX_NESTING_DEPTH} Ebenen erlaubt)"
        ) from None
    finally:
        loader.dispose()
    return YamlDocument(data, line_index(node) if lines else {})


def load_yaml(
    path: str | os.PathLike[str],
    *,
    limit: int = MAX_YAML_BYTES,
    max_entries: int = MAX_YAML_ENTRIES,
    allow_aliases: bool = True,
    fast: bool = False,
    lines: bool = True,
    what: str = "Datei",
) -> YamlDocument:
    """Read and parse a YAML file with every limit of this module.

    Args:
        path: The file.
        limit: Largest allowed file size in bytes.
        max_entries: Most entries (keys, values, list items) in the file.
        allow_aliases: False refuses every alias (files that have no use for them).
        fast: Use libyaml's parser (large machine-written files).
        lines: Build the line index.
        what: German name of the kind of file, for the size message.

    Returns:
        The data and its line index.

    Raises:
        ScenarioError: Naming the file (and line) for every problem.
    """
    raw = read_limited(path, limit, what=what)
    text = decode_utf8(raw, path)
    return parse_yaml(
        text,
        path,
        allow_aliases=allow_aliases,
        max_entries=max_entries,
        fast=fast,
        lines=lines,
    )


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, dict[Loc, int]]:
    """Read a YAML file with every limit of this module; return the data and a line index.

    Regular files only, at most :data:`MAX_YAML_BYTES`, nesting depth, aliases and
    the size after alias expansion limited, no duplicate keys.

    Args:
        path: The file.

    Returns:
        ``(data, lines)``.

    Raises:
        ScenarioError: If the file is missing, not a regular file, too large,
            unreadable, not UTF-8, not valid YAML or over a limit.
    """
    doc = load_yaml(path)
    return doc.data, doc.lines


def load_yaml_data(path: str | os.PathLike[str], **options: Any) -> Any:
    """Like :func:`load_yaml`, the data only."""
    return load_yaml(path, **options).data


def load_yaml_mapping(
    path: str | os.PathLike[str], *, what: str = "Datei", **options: Any
) -> YamlDocument:
    """Like :func:`load_yaml`, for files whose top level must be keys with values.

    Raises:
        ScenarioError: Also for an empty file or a top level that is not a mapping.
    """
    doc = load_yaml(path, what=what, **options)
    if doc.data is None:
        raise ScenarioError(path, None, "Datei ist leer")
    if not isinstance(doc.data, dict):
        raise ScenarioError(path, None, "erwartet Schlüssel mit Werten auf oberster Ebene", 1)
    return doc


__all__ = [
    "ENTRY_SIZE",
    "MAX_ALIASES",
    "MAX_CALIBRATION_BYTES",
    "MAX_CALIBRATION_ENTRIES",
    "MAX_EXPANDED_SIZE",
    "MAX_NESTING_DEPTH",
    "MAX_YAML_BYTES",
    "MAX_YAML_ENTRIES",
    "NOT_FOUND",
    "YamlDocument",
    "decode_utf8",
    "file_problem",
    "line_index",
    "load_yaml",
    "load_yaml_data",
    "load_yaml_mapping",
    "parse_yaml",
    "path_problem",
    "read_limited",
    "read_yaml",
]
