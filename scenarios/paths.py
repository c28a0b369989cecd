"""Dotted paths: into the schema (which field a path names) and into a document (its value).

A dotted path names a field of a scenario file: ``budget.bound_share``,
``regions.Region 1.sgb2_share`` (a list item by its ``name`` or ``code``, or by its
position), ``budget.index_weights.migration_share`` (a dict entry by its key).
Overrides, levers, uncertainties, sweeps and calibration files all address
parameters this way.

:func:`annotation_at` and :func:`model_at` walk a schema (a pydantic model class);
:func:`value_at`, :func:`value_at_node` and :func:`expand_path` walk a document (the
raw YAML data). Both walks find list items with :func:`item_position`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from scenarios.quantities import Quantity, is_quantity_node, strip_annotation

# =========================================================================== schema paths


class PathError(Exception):
    """A dotted path does not name a field of the schema."""

    def __init__(self, depth: int, message: str) -> None:
        self.depth = depth
        self.message = message
        super().__init__(message)


def document_fields(model: type[BaseModel]) -> dict[str, tuple[Any, bool]]:
    """Annotation and removability of each key a file may write in a section.

    The model's fields, unless the model says otherwise with a ``document_fields``
    class method (the incentive section: ``scheme`` and the registered schemes'
    parameters, which a file writes beside it).
    """
    own = getattr(model, "document_fields", None)
    if callable(own):
        return dict(own())
    return dict(_model_fields(model))


@functools.cache
def _model_fields(model: type[BaseModel]) -> dict[str, tuple[Any, bool]]:
    """:func:`document_fields` from a model's fields (fixed once the class exists)."""
    return {
        name: (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation,
            not info.is_required(),
        )
        for name, info in model.model_fields.items()
    }


def allowed_fields(model: type[BaseModel]) -> list[str]:
    """Keys a file may write in a section, in declaration order."""
    return list(document_fields(model))


def annotation_at(path: Sequence[str], root: type[BaseModel]) -> tuple[Any, bool]:
    """Annotation of the field a dotted path names, and whether it may be removed.

    List items are addressed by position or name (``regions.Region 1``), dict
    entries by key. The path must end at a field, a list item or a dict entry;
    it cannot go inside a quantity.

    Args:
        path: The path's segments.
        root: The model the path starts at (a scenario file: ``ScenarioDoc``).

    Returns:
        ``(annotation, removable)``; ``removable`` is True for optional fields.

    Raises:
        PathError: With the depth of the first segment that does not fit.
    """
    tp: Any = root
    removable = False
    for depth, seg in enumerate(path):
        bare, _, _ = strip_annotation(tp)
        origin = get_origin(bare)
        if isinstance(bare, type) and issubclass(bare, Quantity):
            raise PathError(depth, "Pfad führt in eine Größe hinein; die ganze Größe überschreiben")
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            fields = document_fields(bare)
            if seg not in fields:
                raise PathError(
                    depth,
                    f"unbekanntes Feld „{seg}“ (erlaubt: {', '.join(fields)})",
                )
            tp, removable = fields[seg]
            continue
        if origin is list:
            (tp,) = get_args(bare)
            removable = False
            continue
        if origin is dict:
            key_tp, tp = get_args(bare)
            keys = get_args(key_tp) if get_origin(key_tp) is Literal else ()
            if keys and seg not in keys and seg != "*":
                raise PathError(
                    depth, f"unbekannter Schlüssel „{seg}“ (erlaubt: {', '.join(keys)})"
                )
            removable = True
            continue
        raise PathError(depth, f"Feld hat keine Unterfelder („{seg}“)")
    return tp, removable


def model_at(loc: Sequence[str | int], root: type[BaseModel]) -> type[BaseModel] | None:
    """The section model at a pydantic location (for listing allowed fields).

    Args:
        loc: The location (field names, list positions, dict keys).
        root: The model the location starts at.

    Returns:
        The model class there (the item model for a list), or None if the
        location names no section.
    """
    try:
        tp, _ = annotation_at([str(s) for s in loc], root)
    except PathError:
        return None
    bare, _, _ = strip_annotation(tp)
    if get_origin(bare) is list:
        (bare,) = get_args(bare)
        bare, _, _ = strip_annotation(bare)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return bare
    return None


# =========================================================================== document paths


def item_position(items: Sequence[Any], seg: str) -> int | None:
    """Position of the list item a path segment names: by ``name`` or ``code``, else by index.

    >>> item_position([{"name": "A"}, {"code": "31"}], "31")
    1
    >>> item_position([{"name": "A"}], "0"), item_position([{"name": "A"}], "B")
    (0, None)
    """
    for i, item in enumerate(items):
        if isinstance(item, dict) and seg in (str(item.get("name")), str(item.get("code"))):
            return i
    if seg.isdigit() and int(seg) < len(items):
        return int(seg)
    return None


def value_at(doc: Mapping[str, Any], path: str) -> Any:
    """Value at a concrete dotted path of a scenario document (quantities unwrapped).

    List items are addressed by name (``regions.Region 1.sgb2_share``) or position.

    >>> value_at({"budget": {"bound_share": {"value": 0.7, "unit": "share"}}},
    ...          "budget.bound_share")
    0.7

    Raises:
        KeyError: If the path does not exist in the document.
    """
    node = value_at_node(doc, path)
    if is_quantity_node(node):
        return node["value"]
    return node


def value_with_help_types(doc: Mapping[str, Any], help_types: Sequence[Any], path: str) -> Any:
    """Like :func:`value_at`, with the help-type file's values as a fallback.

    A help-type path the document does not set (``help_types.31.help_effect``) is
    the value of that help type as read from its file.

    Args:
        doc: The resolved scenario document.
        help_types: The scenario's help types (``model.params.HelpType``).
        path: A concrete dotted path.

    Raises:
        KeyError: If the path is neither in the document nor a numeric field of a
            help type.
    """
    try:
        return value_at(doc, path)
    except KeyError:
        segs = path.split(".")
        if len(segs) == 3 and segs[0] == "help_types":
            for h in help_types:
                if h.code == segs[1]:
                    value = getattr(h, segs[2], None)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        return value
        raise


def value_at_node(doc: Mapping[str, Any], path: str) -> Any:
    """The raw node at a concrete dotted path (a quantity stays a mapping).

    Raises:
        KeyError: If the path does not exist in the document.
    """
    node: Any = doc
    for seg in path.split("."):
        if isinstance(node, list):
            pos = item_position(node, seg)
            if pos is None:
                raise KeyError(path)
            node = node[pos]
        elif isinstance(node, Mapping) and seg in node:
            node = node[seg]
        else:
            raise KeyError(path)
    return node


def expand_path(doc: Mapping[str, Any], path: str) -> list[str]:
    """Concrete paths for a path whose ``*`` segments mean every list item or key.

    >>> expand_path({"regions": [{"name": "A"}, {"name": "B"}]}, "regions.*.x")
    ['regions.A.x', 'regions.B.x']

    Raises:
        KeyError: If the part before a ``*`` does not exist or has no items.
    """
    segs = path.split(".")
    if "*" not in segs:
        return [path]
    k = segs.index("*")
    head = ".".join(segs[:k])
    node = value_at(doc, head) if head else doc
    if isinstance(node, list):
        keys = [
            str(it.get("name", i)) if isinstance(it, dict) else str(i) for i, it in enumerate(node)
        ]
    elif isinstance(node, Mapping):
        keys = [str(key) for key in node]
    else:
        raise KeyError(path)
    out: list[str] = []
    for key in keys:
        out.extend(expand_path(doc, ".".join([*segs[:k], key, *segs[k + 1 :]])))
    return out


def copy_tree(x: Any) -> Any:
    """Deep copy of a YAML tree that also splits YAML aliases into separate objects.

    >>> shared = {"value": 1}
    >>> tree = copy_tree({"a": shared, "b": shared})
    >>> tree["a"] is tree["b"]
    False
    """
    if isinstance(x, dict):
        return {k: copy_tree(v) for k, v in x.items()}
    if isinstance(x, list):
        return [copy_tree(v) for v in x]
    return x


__all__ = [
    "PathError",
    "allowed_fields",
    "annotation_at",
    "copy_tree",
    "document_fields",
    "expand_path",
    "item_position",
    "model_at",
    "value_at",
    "value_at_node",
    "value_with_help_types",
]
