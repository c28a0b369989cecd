"""One German error type for everything that can be wrong with a scenario.

:class:`ScenarioError` names the file, the line where one is known and the field
(as a dotted path, the same syntax as ``overrides``), and prints as one German line
per problem (shown wrapped here)::

    Fehler in scenarios/library/x.yaml, Zeile 12, Feld budget.bound_share:
    Wert 1,3 liegt nicht zwischen 0 und 1

A file with several problems gives them all at once, one line each (at most
:data:`MAX_ERROR_LINES`, then a count of the rest).

Pydantic validation errors and YAML syntax errors are translated here.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scenarios.formatting import fmt_num, fmt_value

Loc = tuple[str | int, ...]


def display_path(path: str | os.PathLike[str]) -> str:
    """Path as shown to users: relative to the working directory when below it.

    Args:
        path: Any path.

    Returns:
        The path with forward slashes.
    """
    p = Path(path)
    try:
        p = p.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        pass
    return p.as_posix()


MAX_ERROR_LINES = 50
"""Most problems of one input shown one per line; more are counted in a last line.

Fifty lines fit a terminal page scrolled once and cover every realistic file (a
broken file usually has a handful of faults); a file with hundreds of faults (e.g.
the wrong file entirely) is better answered by a count than by a wall of text.
"""


class ScenarioError(Exception):
    """Problems in a scenario, data or help-type file, each described in one German line.

    The error itself is the first problem (:attr:`file`, :attr:`field`,
    :attr:`message`, :attr:`line`); :attr:`more` holds the further problems found in
    the same input, so that a user sees every fault of a file at once
    (:meth:`several`, :meth:`cli_lines`).

    Attributes:
        file: The file as shown to users.
        field: Dotted path of the field, or None.
        message: What is wrong, in German.
        line: 1-based line number in ``file``, or None.
        more: Further problems of the same input (each with its own file, line, field).
        hidden: Problems beyond :data:`MAX_ERROR_LINES`, counted but not shown.
    """

    def __init__(
        self,
        file: str | os.PathLike[str],
        field: str | None,
        message: str,
        line: int | None = None,
        *,
        more: Sequence[ScenarioError] = (),
        hidden: int = 0,
    ) -> None:
        self.file = display_path(file)
        self.field = field or None
        self.message = " ".join(str(message).split())
        self.line = line
        self.more: tuple[ScenarioError, ...] = tuple(more)
        self.hidden = hidden
        super().__init__(str(self))

    @classmethod
    def several(cls, errors: Sequence[ScenarioError]) -> ScenarioError:
        """One error holding several problems, at most :data:`MAX_ERROR_LINES` shown.

        Problems with the same file, line, field and message are given once.

        Args:
            errors: The problems, in the order found (at least one).

        Returns:
            The first problem, with the others in :attr:`more`.

        >>> e = ScenarioError.several([ScenarioError("x.yaml", "a", "falsch", 2),
        ...                            ScenarioError("x.yaml", "b", "fehlt", 5)])
        >>> print(e.cli_line())
        Fehler: Datei x.yaml, Zeile 2, Feld a: falsch
        Fehler: Datei x.yaml, Zeile 5, Feld b: fehlt
        """
        unique: list[ScenarioError] = []
        seen: set[tuple[str, int | None, str | None, str]] = set()
        for err in errors:
            for one in err.problems():
                key = (one.file, one.line, one.field, one.message)
                if key not in seen:
                    seen.add(key)
                    unique.append(one)
        hidden = max(len(unique) - MAX_ERROR_LINES, 0) + sum(e.hidden for e in errors)
        first, *rest = unique[:MAX_ERROR_LINES]
        return cls(first.file, first.field, first.message, first.line, more=rest, hidden=hidden)

    def problems(self) -> tuple[ScenarioError, ...]:
        """Every shown problem as an error of its own (the first is this one's)."""
        own = (
            self if not self.more else ScenarioError(self.file, self.field, self.message, self.line)
        )
        return (own, *(p for e in self.more for p in e.problems()))

    def _entries(self) -> list[tuple[str, str]]:
        """(location, message) of every shown problem."""
        return [(self.location(), self.message), *(x for e in self.more for x in e._entries())]

    def location(self) -> str:
        """File, line and field, e.g. ``x.yaml, Zeile 3, Feld budget.bound_share``."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"Zeile {self.line}")
        if self.field:
            parts.append(f"Feld {self.field}")
        return ", ".join(parts)

    def _hidden_text(self) -> str:
        return (
            f"{fmt_num(self.hidden)} weitere Fehler nicht gezeigt "
            f"(höchstens {MAX_ERROR_LINES} Zeilen)"
        )

    def cli_lines(self) -> list[str]:
        """The lines the command line prints, one per problem: ``Fehler: Datei …: …``."""
        lines = [f"Fehler: Datei {where}: {message}" for where, message in self._entries()]
        if self.hidden:
            lines.append(f"Fehler: Datei {self.file}: {self._hidden_text()}")
        return lines

    def cli_line(self) -> str:
        """:meth:`cli_lines` as text (one line for one problem)."""
        return "\n".join(self.cli_lines())

    def __str__(self) -> str:
        lines = [f"Fehler in {where}: {message}" for where, message in self._entries()]
        if self.hidden:
            lines.append(f"Fehler in {self.file}: {self._hidden_text()}")
        return "\n".join(lines)


class FieldIssue(ValueError):
    """Raised inside validators to point at a sub-field of the model being checked.

    Pydantic reports a model validator's error at the model's own location; the
    translation below appends :attr:`path` so that users see the exact field.
    """

    def __init__(self, path: Loc, message: str) -> None:
        self.path = tuple(path)
        self.message = message
        super().__init__(message)


class FieldIssues(ValueError):
    """Several :class:`FieldIssue` of one validator, raised together (each its own line)."""

    def __init__(self, issues: Sequence[FieldIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(i.message for i in self.issues))

    @staticmethod
    def raise_if_any(issues: Sequence[FieldIssue]) -> None:
        """Raise the one issue, or all of them, if there are any.

        Raises:
            FieldIssue: For exactly one issue.
            FieldIssues: For several.
        """
        if len(issues) == 1:
            raise issues[0]
        if issues:
            raise FieldIssues(issues)


# --------------------------------------------------------------------------- paths


def render_path(loc: Loc, doc: Any = None) -> str:
    """Dotted field path for a location; list items are named where they have a name.

    A trailing ``value`` (the number inside a quantity) is dropped; list positions
    inside a quantity's value are shown as ``[i]`` (counting from 0).

    Args:
        loc: Location tuple as pydantic reports it.
        doc: The raw document, to replace list positions by item names (``name`` or
            ``code``); optional.

    Returns:
        For example ``regions.Region 1.sgb2_share``.

    Examples:
        >>> render_path(("budget", "bound_share", "value"))
        'budget.bound_share'
        >>> render_path(("regions", 0, "name"), {"regions": [{"name": "Nord"}]})
        'regions.Nord.name'
        >>> render_path(("population", "child_spacing_months", "value", 1))
        'population.child_spacing_months[1]'
        >>> render_path(("budget", "index_weights", "migrant_share", "[key]"))
        'budget.index_weights.migrant_share'
    """
    parts: list[str] = []
    node = doc
    in_value = False
    for seg in loc:
        if seg == "[key]":  # pydantic's marker for a bad dict key: the key is the field
            continue
        if in_value:
            parts[-1] += f"[{seg}]"
            continue
        if seg == "value" and parts:
            in_value = True
            continue
        if isinstance(seg, int):
            label = str(seg)
            if isinstance(node, list) and 0 <= seg < len(node):
                item = node[seg]
                if isinstance(item, dict):
                    named = item.get("name", item.get("code"))
                    if isinstance(named, (str, int)) and not isinstance(named, bool):
                        label = str(named)
                node = item
            else:
                node = None
            parts.append(label)
        else:
            parts.append(str(seg))
            node = node.get(seg) if isinstance(node, dict) else None
    return ".".join(parts)


def line_for(loc: Loc, lines: Mapping[Loc, int] | None) -> int | None:
    """Line of the deepest known prefix of ``loc`` in a YAML line index."""
    if not lines:
        return None
    for end in range(len(loc), -1, -1):
        prefix = tuple(loc[:end])
        line = lines.get(prefix)
        if line is None and prefix and not isinstance(prefix[-1], str):
            # a key such as ``2024:`` is a number for pydantic, text in the line index
            line = lines.get((*prefix[:-1], str(prefix[-1])))
        if line is not None:
            return line
    return None


# --------------------------------------------------------------------------- pydantic

_QUANTITY_HINT = "erwartet eine Größe {value: …, unit: …, source: … oder assumption: …}"


_PATTERNS = {
    r"^[a-z0-9][a-z0-9_.-]*$": (
        "erlaubt sind Kleinbuchstaben ohne Umlaute, Ziffern, Bindestrich, Unterstrich und "
        "Punkt, am Anfang ein Buchstabe oder eine Ziffer"
    ),
    r"^[0-9a-f]{64}$": (
        "erwartet einen SHA-256-Hash aus genau 64 Hexadezimalziffern (0–9, a–f, klein)"
    ),
    r"^[0-9a-f]{12}$": "erwartet einen Code-Hash aus genau 12 Hexadezimalziffern (0–9, a–f, klein)",
}
"""German description of the text patterns the schema uses (the hashes: see
:mod:`scenarios.calibration_file`)."""


def _literal_choices(expected: str) -> str:
    """``'a', 'b' or 'c'`` → ``„a“, „b“ oder „c“``."""
    return re.sub(r"'([^']*)'", r"„\1“", expected.replace(" or ", " oder "))


def german_message(err: Mapping[str, Any]) -> str:
    """Translate one pydantic error dict into a German message.

    Args:
        err: One entry of ``ValidationError.errors()``.

    Returns:
        A German sentence without the field path.
    """
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    given = err.get("input")
    if kind in ("value_error", "assertion_error"):
        inner = ctx.get("error")
        if isinstance(inner, FieldIssue):
            return inner.message
        return str(inner) if inner is not None else "ungültiger Wert"
    if kind == "missing":
        return "Pflichtfeld fehlt"
    if kind == "extra_forbidden":
        return "unbekanntes Feld (Tippfehler?)"
    if kind in ("float_type", "float_parsing"):
        return f"Wert {fmt_value(given)} ist keine Zahl"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"Wert {fmt_value(given)} ist keine ganze Zahl"
    if kind in ("bool_type", "bool_parsing"):
        return f"Wert {fmt_value(given)} ist kein Wahrheitswert (true oder false)"
    if kind in ("string_type", "string_sub_type"):
        return f"Wert {fmt_value(given)} ist kein Text"
    if kind == "string_too_short":
        return "Text darf nicht leer sein"
    if kind == "string_too_long":
        size = f"{fmt_num(len(given), 0)} Zeichen; " if isinstance(given, str) else ""
        return f"Text ist zu lang ({size}höchstens {fmt_num(ctx.get('max_length', 0), 0)} Zeichen)"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        rule = _PATTERNS.get(pattern, "Schreibweise nicht erlaubt")
        return f"Wert {fmt_value(given)} ungültig: {rule}"
    if kind == "invalid_key":
        shown = "ohne Namen" if given is None else fmt_value(given)
        return f"Schlüssel {shown} ist kein Feldname (Schlüssel müssen Text sein)"
    if kind in ("list_type", "tuple_type"):
        return f"erwartet eine Liste, erhalten {fmt_value(given)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if str(ctx.get("class_name", "")).endswith("Quantity"):
            return f"{_QUANTITY_HINT}, erhalten {fmt_value(given)}"
        return f"erwartet einen Abschnitt mit Schlüsseln, erhalten {fmt_value(given)}"
    if kind == "literal_error":
        choices = _literal_choices(str(ctx.get("expected", "")))
        return f"Wert {fmt_value(given)} ist nicht erlaubt; erlaubt: {choices}"
    if kind == "finite_number":
        return "Wert muss eine endliche Zahl sein"
    if kind == "too_short":
        return f"zu wenige Einträge (mindestens {ctx.get('min_length')})"
    if kind == "too_long":
        return f"zu viele Einträge (höchstens {ctx.get('max_length')})"
    if kind == "greater_than_equal":
        return f"Wert {fmt_value(given)} muss mindestens {fmt_value(ctx.get('ge'))} sein"
    if kind == "greater_than":
        return f"Wert {fmt_value(given)} muss größer als {fmt_value(ctx.get('gt'))} sein"
    if kind == "less_than_equal":
        return f"Wert {fmt_value(given)} darf höchstens {fmt_value(ctx.get('le'))} sein"
    if kind == "less_than":
        return f"Wert {fmt_value(given)} muss kleiner als {fmt_value(ctx.get('lt'))} sein"
    if kind == "frozen_instance":
        return "Wert darf nicht geändert werden"
    return f"ungültiger Wert {fmt_value(given)} ({kind})"


def error_loc(err: Mapping[str, Any]) -> Loc:
    """Location of a pydantic error, extended by a :class:`FieldIssue`'s own path."""
    loc = tuple(err.get("loc", ()))
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, FieldIssue):
        loc = loc + inner.path
    return loc


def from_validation_error(
    exc: ValidationError,
    file: str | os.PathLike[str],
    *,
    doc: Any = None,
    lines: Mapping[Loc, int] | None = None,
    prefix: Loc = (),
    line_lookup: Callable[[Loc], int | None] | None = None,
    hint: Callable[[Loc], str | None] | None = None,
) -> ScenarioError:
    """Turn the first error of a pydantic ``ValidationError`` into a ScenarioError.

    Args:
        exc: The validation error.
        file: The file the validated data came from.
        doc: The raw document (to name list items).
        lines: YAML line index of the file (location tuple → line).
        prefix: Location of the validated data inside ``doc`` (e.g. for overrides).
        line_lookup: Alternative to ``lines`` for finding the line of a location.
        hint: Optional function adding a hint for a location (e.g. allowed fields).

    Returns:
        The error with every problem, one per line (see :meth:`ScenarioError.several`):
        unknown fields first, then in the order pydantic found them.
    """
    errors: list[dict[str, Any]] = []
    for err in exc.errors():
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, FieldIssues):  # several issues of one validator
            for issue in inner.issues:
                errors.append({**err, "ctx": {**err["ctx"], "error": issue}})
        else:
            errors.append(dict(err))
    # a list whose items are all wrong is also "too short": its items' errors say why
    item_locs = [error_loc(e) for e in errors]
    errors = [
        e
        for e in errors
        if e.get("type") not in ("too_short", "too_long")
        or not any(
            len(other) > len(error_loc(e)) and other[: len(error_loc(e))] == error_loc(e)
            for other in item_locs
        )
    ]
    # an unknown key usually explains a "missing" one next to it (a typo): unknown first
    errors.sort(key=lambda e: e.get("type") != "extra_forbidden")
    problems: list[ScenarioError] = []
    for err in errors:
        loc = prefix + error_loc(err)
        message = german_message(err)
        if err.get("type") == "extra_forbidden" and hint is not None:
            extra = hint(loc)
            if extra:
                message = f"{message}; {extra}"
        line = line_lookup(loc) if line_lookup is not None else line_for(loc, lines)
        problems.append(ScenarioError(file, render_path(loc, doc) or None, message, line))
    return ScenarioError.several(problems)


# --------------------------------------------------------------------------- YAML

_YAML_PROBLEMS: Sequence[tuple[str, str]] = (
    ("mapping values are not allowed", "Doppelpunkt an unerwarteter Stelle (Einrückung prüfen)"),
    ("could not find expected ':'", "erwarteter Doppelpunkt fehlt"),
    ("that cannot start any token", "Zeichen an dieser Stelle nicht erlaubt (Tabulator?)"),
    ("expected <block end>", "Einrückung passt nicht"),
    ("did not find expected key", "Einrückung passt nicht (Schlüssel erwartet)"),
    ("did not find expected '-'", "Einrückung passt nicht (Listeneintrag erwartet)"),
    (
        "found unexpected end of stream",
        "unerwartetes Dateiende (Anführungszeichen nicht geschlossen?)",
    ),
    ("found undefined alias", "unbekannter Alias"),
    ("found unhashable key", "ungültiger Schlüssel"),
    ("expected ',' or ']'", "Liste in eckigen Klammern nicht korrekt geschlossen"),
    ("expected ',' or '}'", "Abschnitt in geschweiften Klammern nicht korrekt geschlossen"),
    ("found duplicate anchor", "Anker doppelt definiert"),
    (
        "found unknown escape character",
        "unbekanntes Zeichen nach \\ in doppelten Anführungszeichen"
        " (Text in einfache Anführungszeichen setzen)",
    ),
    ("expected alphabetic or numeric character", "Name nach & oder * fehlt oder ist ungültig"),
    ("could not determine a constructor for the tag", "unbekannte Typangabe mit !"),
    ("expected a mapping or list of mappings for merging", "<< braucht einen Abschnitt"),
    ("found another document", "mehr als ein YAML-Dokument in der Datei (Trennlinie ---)"),
    ("expected '<document start>'", "Anweisung mit % oder zweites Dokument hier nicht erlaubt"),
    ("expected chomping or indentation indicators", "ungültiges Zeichen nach | oder >"),
    ("special characters are not allowed", "Steuerzeichen in der Datei nicht erlaubt"),
    # libyaml's wording (large files are parsed by libyaml)
    ("control characters are not allowed", "Steuerzeichen in der Datei nicht erlaubt"),
    ("did not find expected node content", "Wert fehlt oder ist an dieser Stelle ungültig"),
    (
        "block sequence entries are not allowed",
        "Listeneintrag (-) an unerwarteter Stelle (Einrückung prüfen)",
    ),
    ("found unexpected ':'", "Doppelpunkt an unerwarteter Stelle"),
    ("did not find expected <document start>", "zweites Dokument hier nicht erlaubt"),
    ("did not find expected ',' or ']'", "Liste in eckigen Klammern nicht korrekt geschlossen"),
    (
        "did not find expected ',' or '}'",
        "Abschnitt in geschweiften Klammern nicht korrekt geschlossen",
    ),
    ("did not find expected comment or line break", "unerwarteter Text am Zeilenende"),
    ("found a tab character", "Tabulator an dieser Stelle nicht erlaubt"),
)


def from_yaml_error(
    exc: yaml.YAMLError, file: str | os.PathLike[str], text: str | None = None
) -> ScenarioError:
    """Turn a PyYAML error into a ScenarioError with the line number PyYAML reports.

    Args:
        exc: The YAML error.
        file: The file being read.
        text: The file's text, to find the line of a bad character (optional).

    Returns:
        The error, with ``line`` set when YAML gives a position.
    """
    line = None
    problem = str(exc)
    context = ""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line = mark.line + 1
        problem = exc.problem or exc.context or problem
        context = exc.context or ""
    elif isinstance(exc, yaml.reader.ReaderError):
        problem = str(exc.reason)
        if text is not None:
            line = text.count("\n", 0, exc.position) + 1
    for english, german in _YAML_PROBLEMS:
        if english in problem or english in context:
            message = f"ungültige YAML-Syntax: {german}"
            break
    else:
        if problem.startswith("doppelter Schlüssel"):
            message = f"ungültige YAML-Syntax: {problem}"
        else:
            message = f"ungültige YAML-Syntax (Parser-Meldung: {problem})"
    return ScenarioError(file, None, message, line)


def from_os_error(
    exc: OSError, file: str | os.PathLike[str], field: str | None = None
) -> ScenarioError:
    """Turn an OSError while reading or writing a file into a ScenarioError."""
    return ScenarioError(exc.filename or file, field, os_message(exc))


_ERRNO_MESSAGES: Mapping[int, str] = {
    errno.ENOENT: "Datei oder Verzeichnis nicht gefunden",
    errno.EISDIR: "ist ein Verzeichnis, keine Datei",
    errno.ENOTDIR: "ein Teil des Pfades ist kein Verzeichnis",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.EEXIST: "existiert bereits",
    errno.ENOSPC: "kein Speicherplatz mehr frei",
    errno.EDQUOT: "Speicherkontingent (Quota) erschöpft",
    errno.EFBIG: "Datei zu groß für das Dateisystem",
    errno.EROFS: "Dateisystem ist schreibgeschützt",
    errno.ELOOP: "symbolische Verweise (Links) bilden eine Schleife",
    errno.ENAMETOOLONG: "Pfad oder Dateiname ist zu lang",
    errno.ENXIO: "ist keine normale Datei (Gerät oder Socket ohne Gegenstelle)",
    errno.ENODEV: "ist keine normale Datei (Gerät)",
    errno.ETXTBSY: "Datei wird gerade von einem Programm benutzt",
    errno.EBUSY: "Datei oder Gerät ist belegt",
    errno.EMFILE: "zu viele offene Dateien",
    errno.ENFILE: "zu viele offene Dateien im System",
    errno.EIO: "Lesefehler des Datenträgers (Ein-/Ausgabefehler)",
    errno.EAGAIN: "Datei ist gerade nicht lesbar (blockiert)",
    errno.EINVAL: "ungültiger Pfad oder ungültige Dateiart",
}
"""German text by errno (the system's own text is English)."""


def os_message(exc: OSError) -> str:
    """German description of an OSError (the system's text is often English)."""
    known = _ERRNO_MESSAGES.get(exc.errno) if exc.errno is not None else None
    if known is not None:
        return known
    if isinstance(exc, FileNotFoundError):
        return "Datei oder Verzeichnis nicht gefunden"
    if isinstance(exc, IsADirectoryError):
        return "ist ein Verzeichnis, keine Datei"
    if isinstance(exc, NotADirectoryError):
        return "ein Teil des Pfades ist kein Verzeichnis"
    if isinstance(exc, PermissionError):
        return "keine Berechtigung"
    if isinstance(exc, FileExistsError):
        return "existiert bereits"
    code = errno.errorcode.get(exc.errno, "") if exc.errno is not None else ""
    return f"Ein-/Ausgabefehler des Systems ({code or exc.__class__.__name__})"
