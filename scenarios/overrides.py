"""Overrides: dotted-path changes to a scenario document, all checked before any is applied.

A variant's ``overrides``, one point of a sweep and the calibration file's point
estimate all change a scenario document the same way: every override is checked
against the schema (its path with :func:`~scenarios.paths.annotation_at`, its value
with the field's type, strictly) before the first one is applied, the changes are
applied to a copy (the base document is never changed), and a bare value where a
quantity is expected keeps the declared unit and is marked as an assumption of the
scenario that sets it.

References:
    PolicyEngine's ``Reform.from_dict`` and its regression test for reform
    isolation, as described in the project's STYLE notes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from scenarios.documents import FILE_FIELDS, ScenarioDoc
from scenarios.errors import Loc, ScenarioError, from_validation_error, render_path
from scenarios.paths import PathError, annotation_at, copy_tree, expand_path, item_position
from scenarios.quantities import declared_unit, is_quantity_type

_DELETE = object()


def strict_adapter(annotation: Any) -> TypeAdapter[Any]:
    """A validator for one field's annotation, strict where the type allows it.

    Strict mode refuses text for numbers and numbers for texts, as the file
    models do; an annotation strict mode cannot build falls back to lax.
    """
    try:
        return _cached_adapter(annotation)
    except TypeError:  # an annotation that cannot be a cache key
        return _adapter(annotation)


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return TypeAdapter(annotation, config=ConfigDict(strict=True))
    except Exception:
        return TypeAdapter(annotation)


_cached_adapter = functools.lru_cache(maxsize=512)(_adapter)
"""Building an adapter costs about half a millisecond; a what-if builds hundreds."""


def apply_overrides(
    base_doc: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    file: Path,
    scenario_name: str,
    lines: Mapping[Loc, int] | None = None,
) -> tuple[dict[str, Any], set[str]]:
    """Validate all overrides against the schema, then apply them to a copy.

    Args:
        base_doc: The base scenario document (raw YAML data); never changed.
        overrides: Dotted path → value or quantity (``null`` removes an optional field).
        file: The variant file (for error messages).
        scenario_name: The variant's name (for the assumption text of bare values).
        lines: Line index of the variant file.

    Returns:
        The new document and the set of top-level file fields that were overridden.

    Raises:
        ScenarioError: For an unknown path, an invalid value or a missing list item,
            before anything is applied.
    """
    lines = lines or {}
    planned: list[tuple[str, list[str], Any]] = []
    for key, raw in overrides.items():
        line = lines.get(("overrides", key))
        key = str(key)
        segs = key.split(".")
        if not all(s.strip() for s in segs):
            raise ScenarioError(file, key, "Pfad enthält einen leeren Abschnitt", line)
        if segs[0] in ("name", "description", "title"):
            raise ScenarioError(
                file, key, "Name, Titel und Beschreibung stehen direkt in der Variante", line
            )
        try:
            annotation, removable = annotation_at(segs, ScenarioDoc)
        except PathError as exc:
            raise ScenarioError(file, ".".join(segs[: exc.depth + 1]), exc.message, line) from None
        if raw is None:
            if not removable:
                raise ScenarioError(
                    file, key, "Pflichtfeld kann nicht entfernt werden (null)", line
                )
            planned.append((key, segs, _DELETE))
            continue
        value = raw
        if is_quantity_type(annotation) and not isinstance(raw, dict):
            value = {
                "value": raw,
                "unit": declared_unit(annotation),
                "assumption": f"in Szenario {scenario_name} gesetzt, ohne Quellenangabe",
            }
        try:
            strict_adapter(annotation).validate_python(value)
        except ValidationError as exc:
            raise from_validation_error(
                exc, file, prefix=tuple(segs), line_lookup=lambda _loc, _l=line: _l
            ) from None
        planned.append((key, segs, copy_tree(value)))

    doc = copy_tree(dict(base_doc))
    touched_files: set[str] = set()
    for key, segs, value in planned:
        line = lines.get(("overrides", key))
        parent: Any = doc
        for depth, seg in enumerate(segs[:-1]):
            parent = _child(parent, seg, file, ".".join(segs[: depth + 1]), line, create=True)
        leaf = segs[-1]
        if isinstance(parent, list):
            pos = _item_index(parent, leaf, file, key, line)
            if value is _DELETE:
                raise ScenarioError(file, key, "Listeneinträge können nicht entfernt werden", line)
            parent[pos] = value
        elif value is _DELETE:
            parent.pop(leaf, None)
        else:
            parent[leaf] = value
        if segs[0] in FILE_FIELDS:
            touched_files.add(segs[0])
    return doc, touched_files


def _item_index(items: list[Any], seg: str, file: Path, path: str, line: int | None) -> int:
    pos = item_position(items, seg)
    if pos is not None:
        return pos
    names = [str(it.get("name", it.get("code"))) for it in items if isinstance(it, dict)]
    known = ", ".join(n for n in names if n != "None") or f"Positionen 0 bis {len(items) - 1}"
    raise ScenarioError(file, path, f"kein Eintrag „{seg}“ (vorhanden: {known})", line)


def _child(parent: Any, seg: str, file: Path, path: str, line: int | None, create: bool) -> Any:
    if isinstance(parent, list):
        return parent[_item_index(parent, seg, file, path, line)]
    if isinstance(parent, dict):
        if seg not in parent or parent[seg] is None:
            if not create:
                raise ScenarioError(file, path, "Feld fehlt im Basisszenario", line)
            parent[seg] = {}
        return parent[seg]
    raise ScenarioError(file, path, "Feld hat keine Unterfelder", line)


def override_line_lookup(
    doc: Mapping[str, Any], overrides: Mapping[str, Any], lines: Mapping[Loc, int]
) -> Callable[[Loc], int | None]:
    """Line of the override that caused a validation error of the merged document.

    Args:
        doc: The merged document.
        overrides: The overrides, by dotted path.
        lines: Line index of the file holding the overrides.

    Returns:
        A line lookup: the line of the override sharing the longest leading part of
        the error's path (None if none shares any).
    """

    def lookup(loc: Loc) -> int | None:
        # The override sharing the longest leading part of the path caused the error.
        where = render_path(loc, doc).split(".")
        best, best_len = None, 0
        for key in overrides:
            segs = str(key).split(".")
            common = 0
            for a, b in zip(where, segs, strict=False):
                if a != b:
                    break
                common += 1
            if common > best_len:
                best, best_len = str(key), common
        return lines.get(("overrides", best)) if best is not None else None

    return lookup


def concrete_overrides(
    doc: Mapping[str, Any], overrides: Mapping[str, Any], file: Path
) -> dict[str, Any]:
    """Overrides with every ``*`` segment expanded to the document's items or keys.

    Used for overrides given on top of a loaded scenario (one point of a sweep),
    which cannot change the data files.

    Args:
        doc: The scenario document the overrides apply to.
        overrides: Dotted path (``*`` allowed) → value or quantity.
        file: The file the overrides come from (for errors).

    Returns:
        Concrete dotted path → value, in the order given.

    Raises:
        ScenarioError: For a data-file field or a path the document does not have.
    """
    concrete: dict[str, Any] = {}
    for key, value in overrides.items():
        if str(key).split(".")[0] in FILE_FIELDS:
            raise ScenarioError(file, str(key), "Datendateien können hier nicht geändert werden")
        try:
            paths = expand_path(doc, str(key))
        except KeyError:
            raise ScenarioError(file, str(key), "Pfad gibt es im Szenario nicht") from None
        for path in paths:
            concrete[path] = value
    return concrete


__all__ = ["apply_overrides", "concrete_overrides", "override_line_lookup", "strict_adapter"]
