"""Load scenario files into :class:`model.params.ModelParams`, once, at the boundary.

A scenario is either a complete file (see :mod:`scenarios.schema`) or a *variant*::

    name: lueneburg-rb2-20-rueckbehalt
    description: Reform mit …
    extends: lueneburg-status-quo          # library name, or a path relative to this file
    overrides:
      budget.regional2_share: {value: 0.2, unit: share, assumption: "Hebel der Variante"}
      incentive.scheme: retention
      regions.Region 1.sgb2_share: 0.12    # bare value: unit kept, marked as assumption

Loading a variant loads its base first (cycles in ``extends`` are reported), then
checks *every* override against the schema (path and value) before applying any,
applies them to a copy of the base document (the base is never changed) and
validates the merged document again. Data files (municipalities, help types) are
read relative to the file that names them. The result is a frozen
:class:`Scenario` with the parameters, the provenance of every quantity and a
sha256 of the resolved content.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from model.params import (
    BudgetParams,
    CounsellingParams,
    HelpType,
    IncentiveParams,
    ModelParams,
    Municipality,
    NeedParams,
    PopulationParams,
    ProjectParams,
    ProviderParams,
    ProviderSpec,
    RecognitionParams,
    Region,
)
from model.reporters import metric_names
from scenarios.errors import (
    Loc,
    ScenarioError,
    display_path,
    from_os_error,
    from_validation_error,
    from_yaml_error,
    line_for,
    os_message,
    render_path,
)
from scenarios.formatting import fmt_value
from scenarios.schema import (
    HelpTypesDoc,
    LeverSection,
    OutcomeSection,
    PathError,
    Quantity,
    ScenarioDoc,
    UncertaintySection,
    VariantDoc,
    annotation_at,
    declared_unit,
    is_quantity_type,
    model_at,
)

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
"""Folder of the shipped scenarios; any ``**/<name>.yaml`` below it is found by name."""

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Folder of the shipped data files."""

MUNICIPALITY_COLUMNS = ("region", "municipality", "population", "area_km2", "year", "source")
"""Columns of a municipality data file, in this order."""

_FILE_FIELDS = ("municipalities_file", "help_types_file")
_YAML_SUFFIXES = (".yaml", ".yml")


# =========================================================================== results


@dataclass(frozen=True)
class MunicipalityRecord:
    """One row of a municipality data file."""

    region: str
    name: str
    population: int
    area_km2: float
    year: int
    source: str


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated scenario.

    Attributes:
        name: Scenario name (the file name without ``.yaml``).
        description: German description for users.
        path: The scenario file.
        sha256: Hash of the resolved content (merged document plus the contents of
            the data files); equal hashes mean equal inputs.
        params: The engine parameters, built once.
        extends: Name or path of the base scenario, for variants.
        content: The canonical JSON that :attr:`sha256` hashes.
        units: Unit of every quantity by dotted path.
        title: Short German title for lists (None: not given).
        levers: What the Kreis decides, as declared in the file.
        uncertainties: Uncertain assumptions with their ranges.
        outcomes: Outcomes compared between scenarios, with the better direction.
        doc: The resolved document (raw YAML data, after ``extends`` and overrides).
        calibration_draws: Posterior draws batches use (empty: none or point only).
        calibrated_paths: Parameters the calibration file sets (empty: uncalibrated).
    """

    name: str
    description: str
    path: Path
    sha256: str
    params: ModelParams
    extends: str | None = None
    content: str = field(default="", repr=False)
    units: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    title: str | None = None
    levers: tuple[LeverSection, ...] = ()
    uncertainties: tuple[UncertaintySection, ...] = ()
    outcomes: tuple[OutcomeSection, ...] = ()
    doc: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    calibration_draws: tuple[Mapping[str, float], ...] = field(default=(), repr=False)
    calibrated_paths: tuple[str, ...] = ()

    def value_at(self, path: str) -> Any:
        """The value of the parameter at a concrete dotted path (quantities unwrapped).

        >>> s = load_scenario("lueneburg-status-quo")
        >>> s.value_at("budget.regional2_share")
        0.0
        """
        return value_at(self.doc, path)

    @property
    def provenance(self) -> tuple[tuple[str, str], ...]:
        """(dotted path, ``Quelle: …`` or ``Annahme: …``) for every quantity."""
        return self.params.provenance


@dataclass
class _Resolved:
    path: Path
    name: str
    description: str
    doc: dict[str, Any]
    model: ScenarioDoc
    dirs: dict[str, Path]
    extends: str | None
    line_lookup: Callable[[Loc], int | None]
    calibration_draws: tuple[Mapping[str, float], ...] = ()
    calibrated_paths: tuple[str, ...] = ()


# =========================================================================== YAML reading


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"doppelter Schlüssel „{key}“", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


def _line_index(
    node: yaml.Node | None, path: Loc = (), index: dict[Loc, int] | None = None
) -> dict[Loc, int]:
    """Map every key path of a composed YAML document to its 1-based line."""
    index = {} if index is None else index
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                continue
            sub = (*path, key_node.value)
            index[sub] = key_node.start_mark.line + 1
            _line_index(value_node, sub, index)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = (*path, i)
            index[sub] = item.start_mark.line + 1
            _line_index(item, sub, index)
    return index


def read_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Read a YAML file; return the data and a line index of its keys.

    Args:
        path: The file.

    Returns:
        ``(data, lines)``.

    Raises:
        ScenarioError: If the file is missing, unreadable, not UTF-8 or not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(path, None, os_message(exc)) from None
    except UnicodeDecodeError:
        raise ScenarioError(path, None, "Datei ist nicht UTF-8-kodiert") from None
    try:
        loader = _Loader(text)  # rejects control characters already here
    except yaml.YAMLError as exc:
        raise from_yaml_error(exc, path, text) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise from_yaml_error(exc, path, text) from None
    finally:
        loader.dispose()
    return data, _line_index(node)


def _read_mapping(path: Path) -> tuple[dict[str, Any], dict[Loc, int]]:
    data, lines = read_yaml(path)
    if data is None:
        raise ScenarioError(path, None, "Datei ist leer")
    if not isinstance(data, dict):
        raise ScenarioError(
            path,
            None,
            "erwartet Schlüssel mit Werten (name: …, description: …) auf oberster Ebene",
            1,
        )
    return data, lines


# =========================================================================== validation helpers


def _hint_for(root: type[BaseModel]) -> Callable[[Loc], str | None]:
    def hint(loc: Loc) -> str | None:
        model = model_at(loc[:-1], root)
        if model is None:
            return None
        return "erlaubt: " + ", ".join(model.model_fields)

    return hint


def _validate(
    model_cls: type[BaseModel],
    data: Any,
    file: Path,
    line_lookup: Callable[[Loc], int | None],
) -> Any:
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, file, doc=data, line_lookup=line_lookup, hint=_hint_for(model_cls)
        ) from None


def _stem(path: Path) -> str:
    return path.name[: -len(path.suffix)] if path.suffix in _YAML_SUFFIXES else path.name


def _check_name(name: str | None, path: Path, lines: Mapping[Loc, int]) -> str:
    stem = _stem(path)
    if name is not None and name != stem:
        raise ScenarioError(
            path,
            "name",
            f"Name „{name}“ passt nicht zum Dateinamen „{path.name}“",
            lines.get(("name",)),
        )
    return stem


def _copy_tree(x: Any) -> Any:
    """Deep copy of a YAML tree that also splits YAML aliases into separate objects."""
    if isinstance(x, dict):
        return {k: _copy_tree(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_copy_tree(v) for v in x]
    return x


# =========================================================================== locating files


def _looks_like_path(ref: str) -> bool:
    return ref.endswith(_YAML_SUFFIXES) or "/" in ref or os.sep in ref or ref.startswith(".")


def list_scenarios() -> list[str]:
    """Names of the scenarios in the library, sorted."""
    return sorted({_stem(p) for p in LIBRARY_DIR.rglob("*.yaml")})


def find_scenario(name: str) -> Path:
    """Path of a library scenario by name.

    Args:
        name: Scenario name, e.g. ``lueneburg-status-quo``.

    Returns:
        The file ``scenarios/library/**/<name>.yaml``.

    Raises:
        ScenarioError: If there is no such scenario or more than one.
    """
    matches = sorted(LIBRARY_DIR.rglob(f"{name}.yaml"))
    if not matches:
        known = ", ".join(list_scenarios()) or "keine"
        raise ScenarioError(
            name, None, f"Szenario „{name}“ nicht gefunden; vorhandene Szenarien: {known}"
        )
    if len(matches) > 1:
        where = ", ".join(display_path(p) for p in matches)
        raise ScenarioError(name, None, f"Szenarioname „{name}“ ist mehrdeutig: {where}")
    return matches[0]


def _scenario_path(ref: str | os.PathLike[str], relative_to: Path | None = None) -> Path:
    if isinstance(ref, os.PathLike) or _looks_like_path(str(ref)):
        path = Path(ref)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        return Path(os.path.abspath(path))
    return find_scenario(str(ref))


# =========================================================================== overrides

_DELETE = object()


def _strict_adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return TypeAdapter(annotation, config=ConfigDict(strict=True))
    except Exception:
        return TypeAdapter(annotation)


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
            annotation, removable = annotation_at(segs)
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
            _strict_adapter(annotation).validate_python(value)
        except ValidationError as exc:
            raise from_validation_error(
                exc, file, prefix=tuple(segs), line_lookup=lambda _loc, _l=line: _l
            ) from None
        planned.append((key, segs, _copy_tree(value)))

    doc = _copy_tree(dict(base_doc))
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
        if segs[0] in ("municipalities_file", "help_types_file"):
            touched_files.add(segs[0])
    return doc, touched_files


def _item_index(items: list[Any], seg: str, file: Path, path: str, line: int | None) -> int:
    for i, item in enumerate(items):
        if isinstance(item, dict) and seg in (str(item.get("name")), str(item.get("code"))):
            return i
    if seg.isdigit() and int(seg) < len(items):
        return int(seg)
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


# =========================================================================== resolving


def _override_line_lookup(
    doc: Mapping[str, Any], overrides: Mapping[str, Any], lines: Mapping[Loc, int]
) -> Callable[[Loc], int | None]:
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


def _resolve(path: Path, chain: tuple[Path, ...], calibrated: bool = True) -> _Resolved:
    data, lines = _read_mapping(path)
    if "extends" not in data:
        model = _validate(ScenarioDoc, data, path, lambda loc: line_for(loc, lines))
        name = _check_name(model.name, path, lines)
        doc = _copy_tree(data)
        doc["name"] = name
        if isinstance(doc.get("help_types"), dict):
            # codes are texts; YAML reads an unquoted 31 as a number
            doc["help_types"] = {str(k): v for k, v in doc["help_types"].items()}
        draws: tuple[Mapping[str, float], ...] = ()
        cal_paths: tuple[str, ...] = ()
        if model.calibration is not None and calibrated:
            doc, draws, cal_paths = _apply_calibration(doc, path, name, lines)
            model = _validate(ScenarioDoc, doc, path, lambda loc: line_for(loc, lines))
        return _Resolved(
            path=path,
            name=name,
            description=model.description,
            doc=doc,
            model=model,
            dirs={f: path.parent for f in _FILE_FIELDS},
            extends=None,
            line_lookup=lambda loc: line_for(loc, lines),
            calibration_draws=draws,
            calibrated_paths=cal_paths,
        )

    variant: VariantDoc = _validate(VariantDoc, data, path, lambda loc: line_for(loc, lines))
    name = _check_name(variant.name, path, lines)
    ext_line = lines.get(("extends",))
    try:
        base_path = _scenario_path(variant.extends, relative_to=path.parent)
    except ScenarioError as exc:
        raise ScenarioError(path, "extends", exc.message, ext_line) from None
    if base_path in (*chain, path):
        loop = (
            [*chain[chain.index(base_path) :], path, base_path]
            if base_path in chain
            else [path, path]
        )
        shown = " → ".join(p.name for p in loop)
        raise ScenarioError(path, "extends", f"Zyklus in extends: {shown}", ext_line)
    if not base_path.is_file():
        raise ScenarioError(
            path, "extends", f"Basisszenario „{display_path(base_path)}“ nicht gefunden", ext_line
        )
    base = _resolve(base_path, (*chain, path), calibrated)
    doc, touched = apply_overrides(
        base.doc, variant.overrides, file=path, scenario_name=name, lines=lines
    )
    doc["name"] = name
    doc["description"] = variant.description
    doc.pop("title", None)
    if variant.title is not None:
        doc["title"] = variant.title
    lookup = _override_line_lookup(doc, variant.overrides, lines)
    model = _validate(ScenarioDoc, doc, path, lookup)
    dirs = dict(base.dirs)
    for f in touched:
        dirs[f] = path.parent
    return _Resolved(
        path=path,
        name=name,
        description=variant.description,
        doc=doc,
        model=model,
        dirs=dirs,
        extends=variant.extends,
        line_lookup=lookup,
        calibration_draws=base.calibration_draws,
        calibrated_paths=base.calibrated_paths,
    )


# =========================================================================== calibration

CALIBRATION_FORMAT = "sozialraum-kalibrierung/1"


def _apply_calibration(
    doc: dict[str, Any], path: Path, name: str, lines: Mapping[Loc, int]
) -> tuple[dict[str, Any], tuple[Mapping[str, float], ...], tuple[str, ...]]:
    """Replace the calibrated parameters by the calibration file's point estimate.

    Returns:
        The document, the file's posterior draws (for batches; none if the scenario
        uses the point estimate only) and the calibrated paths.
    """
    ref = doc["calibration"]
    line = lines.get(("calibration", "file"))
    file = (path.parent / str(ref["file"])).resolve()
    try:
        stat = file.stat()
        cal = _read_calibration_file(str(file), stat.st_mtime_ns, stat.st_size)
    except (OSError, yaml.YAMLError):
        raise ScenarioError(
            path, "calibration.file", f"Kalibrierungsdatei „{ref['file']}“ nicht lesbar", line
        ) from None
    if not isinstance(cal, dict) or cal.get("format") != CALIBRATION_FORMAT:
        raise ScenarioError(
            path, "calibration.file", f"keine Kalibrierungsdatei ({CALIBRATION_FORMAT})", line
        )
    summary = {p["path"]: p for p in cal.get("parameters", [])}
    overrides: dict[str, Any] = {}
    for key, value in cal["point"].items():
        try:
            unit = _quantity_unit(doc, key)
        except (KeyError, TypeError):
            raise ScenarioError(
                path, "calibration.file", f"kalibrierter Parameter {key} fehlt im Szenario", line
            ) from None
        s = summary.get(key, {})
        overrides[key] = {
            "value": float(value),
            "unit": unit,
            "assumption": (
                f"kalibriert ({cal.get('name')}, ABC-SMC an öffentliche HzE-Zahlen, "
                f"Datei {ref['file']}): Punktschätzung; Posteriori-Median {s.get('median')}, "
                f"90-%-Intervall {s.get('q05')} bis {s.get('q95')}"
            ),
        }
    new_doc, _ = apply_overrides(doc, overrides, file=path, scenario_name=name)
    draws: tuple[Mapping[str, float], ...] = ()
    if ref.get("use", "posterior") == "posterior":
        draws = tuple(MappingProxyType(dict(d)) for d in cal["draws"])
    return new_doc, draws, tuple(cal["point"])


@functools.lru_cache(maxsize=8)
def _read_calibration_file(path: str, mtime_ns: int, size: int) -> Any:
    """Parsed calibration file, cached by path, modification time and size.

    Batches load a calibrated scenario once per replicate; the file holds hundreds of
    particles, so it is parsed once (with libyaml where available). Callers must not
    change the result.
    """
    del mtime_ns, size  # cache key only: a rewritten file is read again
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


def _quantity_unit(doc: Mapping[str, Any], key: str) -> str:
    """Unit of the quantity at ``key``: the document's, else the schema's.

    A path the document does not hold (an optional field such as
    ``help_types.27_2.selection_weight``) takes the unit the schema requires.
    """
    try:
        node = value_at_node(doc, key)
    except KeyError:
        node = None
    if isinstance(node, dict) and "unit" in node:
        return str(node["unit"])
    try:
        annotation, _ = annotation_at(key.split("."))
    except PathError:
        raise KeyError(key) from None
    unit = declared_unit(annotation)
    if unit is None:
        raise KeyError(key)
    return unit


def calibration_overrides(scenario: Scenario, seed: int) -> dict[str, float]:
    """The posterior draw a batch replicate with this seed uses (empty: none).

    Replicate seeds ``s`` use draw ``(s − 1) mod n``: the same draw in every
    scenario of a batch, so paired differences stay paired.
    """
    draws = scenario.calibration_draws
    if not draws:
        return {}
    return dict(draws[(seed - 1) % len(draws)])


# =========================================================================== data files


def _data_path(res: _Resolved, field_name: str) -> Path:
    rel = Path(str(res.doc[field_name]))
    path = rel if rel.is_absolute() else res.dirs[field_name] / rel
    path = Path(os.path.normpath(path))
    if not path.is_file():
        problem = "ist ein Verzeichnis, keine Datei" if path.is_dir() else "nicht gefunden"
        raise ScenarioError(
            res.path,
            field_name,
            f"Datei „{display_path(path)}“ {problem}",
            res.line_lookup((field_name,)),
        )
    return path


def _csv_int(text: str, file: Path, line: int, column: str, label: str, *, minimum: int) -> int:
    if text == "":
        raise ScenarioError(file, column, f"{label} fehlt", line)
    try:
        value = int(text)
    except ValueError:
        raise ScenarioError(file, column, f"{label} „{text}“ ist keine ganze Zahl", line) from None
    if value < minimum:
        raise ScenarioError(file, column, f"{label} {value} ist kleiner als {minimum}", line)
    return value


def load_municipalities(path: str | os.PathLike[str]) -> dict[str, MunicipalityRecord]:
    """Read a municipality data file (CSV, UTF-8, comma-separated).

    Columns: ``region, municipality, population, area_km2, year, source``.
    ``population`` is a whole number >= 0; ``area_km2`` may be empty (unknown = 0).

    Args:
        path: The CSV file.

    Returns:
        Records by municipality name, in file order.

    Raises:
        ScenarioError: Naming the file, line and column of the first problem.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise from_os_error(exc, file) from None
    except UnicodeDecodeError:
        raise ScenarioError(file, None, "Datei ist nicht UTF-8-kodiert") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    for column in MUNICIPALITY_COLUMNS:
        if column not in header:
            raise ScenarioError(file, column, "Spalte fehlt in der Kopfzeile", 1)
    for column in header:
        if column not in MUNICIPALITY_COLUMNS:
            raise ScenarioError(
                file, column, f"unbekannte Spalte (erlaubt: {', '.join(MUNICIPALITY_COLUMNS)})", 1
            )
    reader.fieldnames = header
    records: dict[str, MunicipalityRecord] = {}
    rows: list[tuple[int, dict[str | None, Any]]] = []
    try:
        for row in reader:
            # line_num is the last physical line of the record (= its line, normally)
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ScenarioError(file, None, f"ungültiges CSV ({exc})", reader.line_num) from None
    for line, row in rows:
        if None in row:
            raise ScenarioError(file, None, "zu viele Werte in der Zeile", line)
        values = {k: (v or "").strip() for k, v in row.items()}
        name = values["municipality"]
        if not name:
            raise ScenarioError(file, "municipality", "Gemeindename fehlt", line)
        if name in records:
            raise ScenarioError(file, "municipality", f"Gemeinde „{name}“ ist doppelt", line)
        population = _csv_int(
            values["population"], file, line, "population", f"Einwohnerzahl von „{name}“", minimum=0
        )
        area_text = values["area_km2"]
        try:
            area = float(area_text) if area_text else 0.0
        except ValueError:
            raise ScenarioError(
                file, "area_km2", f"Fläche „{area_text}“ ist keine Zahl", line
            ) from None
        if not area >= 0.0 or area == float("inf"):
            raise ScenarioError(
                file, "area_km2", f"Fläche {area_text} ist ungültig (erwartet ≥ 0)", line
            )
        year = _csv_int(values["year"], file, line, "year", "Jahr", minimum=1900)
        if not values["source"]:
            raise ScenarioError(file, "source", f"Quelle für „{name}“ fehlt", line)
        records[name] = MunicipalityRecord(
            region=values["region"],
            name=name,
            population=population,
            area_km2=area,
            year=year,
            source=values["source"],
        )
    return records


def load_help_types(
    path: str | os.PathLike[str],
) -> tuple[tuple[HelpType, ...], tuple[tuple[str, str], ...], dict[str, str]]:
    """Read a help-type file.

    Args:
        path: The YAML file.

    Returns:
        The help types in file order, their provenance (``help_types.<code>.<field>``)
        and units by the same paths.

    Raises:
        ScenarioError: Naming the file, line and field of the first problem.
    """
    file = Path(path)
    data, lines = _read_mapping(file)
    doc: HelpTypesDoc = _validate(HelpTypesDoc, data, file, lambda loc: line_for(loc, lines))
    types_: list[HelpType] = []
    for h in doc.help_types:
        kwargs: dict[str, Any] = {
            "code": h.code,
            "label": h.label,
            "setting": h.setting,
            "billing": h.billing,
            "fls_per_week": h.fls_per_week.value if h.fls_per_week else 0.0,
            "daily_rate": h.daily_rate.value if h.daily_rate else 0.0,
            "mean_duration_months": h.mean_duration_months.value,
            "need_min": h.need_min.value,
            "need_max": h.need_max.value,
            "age_min_years": h.age_min_years.value,
            "age_max_years": h.age_max_years.value,
            "selection_weight": h.selection_weight.value,
            "help_effect": h.help_effect.value,
            "escalates_to": h.escalates_to,
            "regional2_eligible": h.regional2_eligible,
            "trait": h.trait,
        }
        if h.group_size is not None:
            kwargs["group_size"] = h.group_size.value
        types_.append(HelpType(**kwargs))
    prov, units = _walk_quantities(doc, "")
    return tuple(types_), tuple(prov), units


# =========================================================================== building params


def _walk_quantities(model: BaseModel, prefix: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(path, provenance) and units of every quantity below a model, in field order."""
    prov: list[tuple[str, str]] = []
    units: dict[str, str] = {}

    def visit(obj: Any, path: str) -> None:
        if isinstance(obj, Quantity):
            prov.append((path, obj.provenance))
            units[path] = obj.unit
        elif isinstance(obj, BaseModel):
            for fname in type(obj).model_fields:
                visit(getattr(obj, fname), f"{path}.{fname}" if path else fname)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                label = getattr(item, "name", None) or getattr(item, "code", None) or str(i)
                visit(item, f"{path}.{label}")
        elif isinstance(obj, dict):
            for k, v in obj.items():
                visit(v, f"{path}.{k}")

    visit(model, prefix)
    return prov, units


def _plain(x: Any) -> Any:
    if isinstance(x, Quantity):
        return _plain(x.value)
    if isinstance(x, list):
        return tuple(_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _section(model: BaseModel, cls: type[Any], **extra: Any) -> Any:
    """Build a params dataclass from a section; absent optional fields keep their default."""
    required = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    kwargs = {
        name: _plain(getattr(model, name))
        for name in type(model).model_fields
        if getattr(model, name) is not None or name in required
    }
    kwargs.update(extra)
    return cls(**kwargs)


def _adjust_help_types(
    res: _Resolved,
    m: ScenarioDoc,
    help_types: tuple[HelpType, ...],
    help_prov: tuple[tuple[str, str], ...],
) -> tuple[tuple[HelpType, ...], tuple[tuple[str, str], ...]]:
    """Apply the scenario's ``help_types`` values to the help types from the file.

    The scenario's provenance of a replaced value (collected with the scenario's
    own quantities) supersedes the file's.

    Raises:
        ScenarioError: For a code the help-type file does not have.
    """
    codes = [h.code for h in help_types]
    replaced: set[str] = set()
    by_code = {h.code: h for h in help_types}
    for code, adj in m.help_types.items():
        if code not in by_code:
            raise ScenarioError(
                res.path,
                f"help_types.{code}",
                f"unbekannte Hilfeart „{code}“ (vorhanden: {', '.join(codes)}; Codes mit "
                'Unterstrich in Anführungszeichen schreiben, z. B. "27_2")',
                res.line_lookup(("help_types", code)),
            )
        changes = {
            f: getattr(adj, f).value for f in type(adj).model_fields if getattr(adj, f) is not None
        }
        adjusted_type = dataclasses.replace(by_code[code], **changes)
        if adjusted_type.need_min >= adjusted_type.need_max:
            field_name = "need_min" if "need_min" in changes else "need_max"
            raise ScenarioError(
                res.path,
                f"help_types.{code}.{field_name}",
                f"need_min ({fmt_value(adjusted_type.need_min)}) muss kleiner als need_max "
                f"({fmt_value(adjusted_type.need_max)}) der Hilfeart sein",
                res.line_lookup(("help_types", code, field_name)),
            )
        by_code[code] = adjusted_type
        replaced.update(f"help_types.{code}.{f}" for f in changes)
    adjusted = tuple(by_code[c] for c in codes)
    return adjusted, tuple((k, v) for k, v in help_prov if k not in replaced)


def _check_references(res: _Resolved, m: ScenarioDoc, help_types: tuple[HelpType, ...]) -> None:
    """Check names the schema cannot check alone.

    The help-type codes of regional budget 2 must exist; the regions a
    Sozialraumträger leads must exist, each led by at most one.

    Raises:
        ScenarioError: Naming the field and, where known, its line.
    """
    codes = [h.code for h in help_types]
    for j, code in enumerate(m.budget.regional2_help_types or ()):
        if code not in codes:
            raise ScenarioError(
                res.path,
                "budget.regional2_help_types",
                f"unbekannte Hilfeart „{code}“ (vorhanden: {', '.join(codes)})",
                res.line_lookup(("budget", "regional2_help_types", j)),
            )
    region_names = [r.name for r in m.regions]
    leader: dict[str, tuple[str, bool]] = {}
    for i, spec in enumerate(m.providers):
        if spec.role != "sozialraumtraeger":
            continue
        explicit = spec.lead_regions is not None
        led = spec.lead_regions or ([spec.region] if spec.region is not None else [])
        for j, name in enumerate(led):
            loc = ("providers", i, "lead_regions", j) if explicit else ("providers", i)
            if name not in region_names:
                raise ScenarioError(
                    res.path,
                    f"providers.{spec.name}.lead_regions",
                    f"unbekannte Region „{name}“ (vorhanden: {', '.join(region_names)})",
                    res.line_lookup(loc),
                )
            # two Sozialraumträger with the same region: the first leads (engine rule);
            # a region named in lead_regions must have no other leader
            if name in leader and (explicit or leader[name][1]):
                raise ScenarioError(
                    res.path,
                    f"providers.{spec.name}.{'lead_regions' if explicit else 'region'}",
                    f"Region „{name}“ wird schon von „{leader[name][0]}“ geleitet",
                    res.line_lookup(loc),
                )
            leader.setdefault(name, (spec.name, explicit))


def _build(res: _Resolved) -> Scenario:
    m = res.model
    mun_path = _data_path(res, "municipalities_file")
    help_path = _data_path(res, "help_types_file")
    records = load_municipalities(mun_path)
    for i, region in enumerate(m.regions):
        for j, mun in enumerate(region.municipalities):
            if mun not in records:
                raise ScenarioError(
                    res.path,
                    f"regions.{region.name}.municipalities",
                    f"Gemeinde „{mun}“ fehlt in der Gemeindedatei {display_path(mun_path)}",
                    res.line_lookup(("regions", i, "municipalities", j)),
                )
    help_types, help_prov, help_units = load_help_types(help_path)
    help_types, help_prov = _adjust_help_types(res, m, help_types, help_prov)
    _check_references(res, m, help_types)

    regions = tuple(
        Region(
            name=r.name,
            municipalities=tuple(
                Municipality(name=n, population=records[n].population, area_km2=records[n].area_km2)
                for n in r.municipalities
            ),
            sgb2_share=r.sgb2_share.value,
            single_parent_share=r.single_parent_share.value,
            migration_share=r.migration_share.value,
            unemployment_share=r.unemployment_share.value,
            direct_contact_share=r.direct_contact_share.value,
        )
        for r in m.regions
    )
    prov, units = _walk_quantities(m, "")
    mun_prov: list[tuple[str, str]] = []
    for r in m.regions:
        for n in r.municipalities:
            rec = records[n]
            stand = "" if str(rec.year) in rec.source else f" (Stand 31.12.{rec.year})"
            # a row may give an assumption instead of a source ("Annahme: …")
            assumed = rec.source.startswith("Annahme")
            text = f"{rec.source}{stand}" if assumed else f"Quelle: {rec.source}{stand}"
            mun_prov.append((f"municipalities.{n}.population", text))
            units[f"municipalities.{n}.population"] = "persons"
            if rec.area_km2:
                mun_prov.append((f"municipalities.{n}.area_km2", text))
                units[f"municipalities.{n}.area_km2"] = "km2"
    units.update(help_units)
    provenance = (*prov, *help_prov, *mun_prov)

    budget = m.budget
    params = ModelParams(
        name=res.name,
        regions=regions,
        help_types=help_types,
        population=_section(m.population, PopulationParams),
        need=_section(m.need, NeedParams),
        recognition=_section(m.recognition, RecognitionParams),
        counselling=_section(m.counselling, CounsellingParams),
        providers=tuple(_section(p, ProviderSpec) for p in m.providers),
        provider=_section(m.provider, ProviderParams),
        projects=_section(m.projects, ProjectParams),
        budget=_section(budget, BudgetParams, index_weights=_plain(budget.index_weights)),
        incentive=_section(m.incentive, IncentiveParams),
        years=m.years.value,
        scale=m.scale.value,
        review_interval_months=m.review_interval_months.value,
        provenance=provenance,
        **({"burn_in_months": m.burn_in_months.value} if m.burn_in_months is not None else {}),
    )

    _check_declarations(res, m, params)

    content_doc = {k: v for k, v in res.doc.items() if k not in _FILE_FIELDS}
    content = json.dumps(
        {
            "scenario": content_doc,
            "municipalities_sha256": _file_sha(mun_path),
            "help_types_sha256": _file_sha(help_path),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return Scenario(
        name=res.name,
        description=" ".join(res.description.split()),
        path=res.path,
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        params=params,
        extends=res.extends,
        content=content,
        units=MappingProxyType(units),
        title=m.title,
        levers=tuple(m.levers),
        uncertainties=tuple(m.uncertainties),
        outcomes=tuple(m.outcomes),
        doc=MappingProxyType(_copy_tree(res.doc)),
        calibration_draws=res.calibration_draws,
        calibrated_paths=res.calibrated_paths,
    )


def value_at(doc: Mapping[str, Any], path: str) -> Any:
    """Value at a concrete dotted path of a scenario document (quantities unwrapped).

    List items are addressed by name (``regions.Region 1.sgb2_share``) or position.

    Raises:
        KeyError: If the path does not exist in the document.
    """
    node = value_at_node(doc, path)
    if isinstance(node, Mapping) and "value" in node and "unit" in node:
        return node["value"]
    return node


def value_at_node(doc: Mapping[str, Any], path: str) -> Any:
    """The raw node at a concrete dotted path (a quantity stays a mapping).

    Raises:
        KeyError: If the path does not exist in the document.
    """
    node: Any = doc
    for seg in path.split("."):
        if isinstance(node, list):
            match = [
                it
                for it in node
                if isinstance(it, dict) and seg in (str(it.get("name")), str(it.get("code")))
            ]
            if match:
                node = match[0]
            elif seg.isdigit() and int(seg) < len(node):
                node = node[int(seg)]
            else:
                raise KeyError(path)
        elif isinstance(node, Mapping) and seg in node:
            node = node[seg]
        else:
            raise KeyError(path)
    return node


def expand_path(doc: Mapping[str, Any], path: str) -> list[str]:
    """Concrete paths for a path whose ``*`` segments mean every list item or key.

    >>> expand_path({"regions": [{"name": "A"}, {"name": "B"}]}, "regions.*.x")
    ['regions.A.x', 'regions.B.x']
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


def _check_declarations(res: _Resolved, m: ScenarioDoc, params: ModelParams) -> None:
    """Outcomes name reported metrics; each uncertainty's range holds its value."""
    known = metric_names(params.help_codes)
    for i, outcome in enumerate(m.outcomes):
        if outcome.metric not in known:
            raise ScenarioError(
                res.path,
                f"outcomes.{i}.metric",
                f"unbekannte Kennzahl „{outcome.metric}“ (z. B. total_spent, "
                "unmet_need_families, cases_per_10k_31)",
                res.line_lookup(("outcomes", i, "metric")),
            )
    for i, unc in enumerate(m.uncertainties):
        for path in expand_path(res.doc, unc.parameter):
            value = value_at(res.doc, path)
            if not unc.low <= value <= unc.high:
                raise ScenarioError(
                    res.path,
                    f"uncertainties.{i}",
                    f"Wert von {path} ({value}) liegt nicht in der Spanne {unc.low} bis {unc.high}",
                    res.line_lookup(("uncertainties", i, "low")),
                )


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# =========================================================================== public entry


def load_scenario(
    path_or_name: str | os.PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    *,
    overrides_file: str | os.PathLike[str] | None = None,
    calibrated: bool = True,
) -> Scenario:
    """Load, validate and convert a scenario into engine parameters.

    Args:
        path_or_name: A library name (``lueneburg-status-quo``) or a path to a YAML
            file (anything ending in ``.yaml``/``.yml`` or containing a ``/``).
        overrides: Further dotted-path overrides applied on top (e.g. one point of a
            sweep), validated like a variant's; ``*`` segments expand to every list
            item or key. Data-file fields cannot be overridden here.
        overrides_file: The file the overrides come from (named in errors);
            defaults to the scenario file.
        calibrated: Apply the scenario's calibration file (``calibration:``); False
            gives the values written in the scenario files (before calibration).

    Returns:
        The frozen scenario with :attr:`Scenario.params`.

    Raises:
        ScenarioError: For every problem in the scenario, its bases or data files,
            with file, line (where known) and field.
    """
    path = _scenario_path(path_or_name)
    if not path.is_file():
        message = "ist ein Verzeichnis, keine Datei" if path.is_dir() else "Datei nicht gefunden"
        raise ScenarioError(path, None, message)
    res = _resolve(path, (), calibrated)
    if overrides:
        res = _with_overrides(res, overrides, Path(overrides_file) if overrides_file else path)
    return _build(res)


def _with_overrides(res: _Resolved, overrides: Mapping[str, Any], file: Path) -> _Resolved:
    concrete: dict[str, Any] = {}
    for key, value in overrides.items():
        if str(key).split(".")[0] in _FILE_FIELDS:
            raise ScenarioError(file, str(key), "Datendateien können hier nicht geändert werden")
        try:
            paths = expand_path(res.doc, str(key))
        except KeyError:
            raise ScenarioError(file, str(key), "Pfad gibt es im Szenario nicht") from None
        for path in paths:
            concrete[path] = value
    doc, _ = apply_overrides(res.doc, concrete, file=file, scenario_name=res.name)
    doc["name"] = res.name
    model = _validate(ScenarioDoc, doc, file, lambda _loc: None)
    return dataclasses.replace(res, doc=doc, model=model, path=res.path)


__all__ = [
    "DATA_DIR",
    "LIBRARY_DIR",
    "MunicipalityRecord",
    "Scenario",
    "apply_overrides",
    "calibration_overrides",
    "expand_path",
    "find_scenario",
    "list_scenarios",
    "load_help_types",
    "load_municipalities",
    "load_scenario",
    "read_yaml",
    "value_at",
]
