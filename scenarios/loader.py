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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

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
    FieldIssue,
    Loc,
    ScenarioError,
    display_path,
    from_validation_error,
    line_for,
    os_message,
    render_path,
)
from scenarios.formatting import fmt_num, fmt_value
from scenarios.limits import check_scenario_size
from scenarios.safe_yaml import (
    MAX_CALIBRATION_BYTES,
    MAX_CALIBRATION_ENTRIES,
    MAX_YAML_BYTES,
    decode_utf8,
    file_problem,
    load_yaml,
    read_limited,
)
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


def read_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Read a YAML file with the bounded reader; return the data and a line index.

    Every limit of :mod:`scenarios.safe_yaml` applies (regular files only, at most
    :data:`~scenarios.safe_yaml.MAX_YAML_BYTES`, nesting depth, aliases and the size
    after alias expansion, no duplicate keys).

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


_MISSING = "nicht gefunden"


def _path_problem(path: Path) -> str | None:
    """Why a named file cannot be read (``nicht gefunden``, not a regular file, …)."""
    if not os.path.lexists(path):
        return _MISSING
    return file_problem(path)


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
    problem = _path_problem(base_path)
    if problem is not None:
        raise ScenarioError(
            path, "extends", f"Basisszenario „{display_path(base_path)}“ {problem}", ext_line
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
"""Value of ``format`` in every calibration file this code reads."""

_FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite number (an integer is fine; text, ``true``, ``.nan`` and ``.inf`` are not)."""


class CalibrationParameter(BaseModel):
    """One entry of a calibration file's ``parameters`` (the posterior summary)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    path: str = Field(min_length=1)
    median: _FiniteNumber | None = None
    q05: _FiniteNumber | None = None
    q95: _FiniteNumber | None = None


class CalibrationFile(BaseModel):
    """The parts of a calibration file the loader uses, checked before any is used.

    Other entries (``settings``, ``generations``, ``particles``, …) are kept as they
    are; they are for people and the report.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    format: Literal["sozialraum-kalibrierung/1"]
    name: str | None = None
    scenario: str | None = None
    parameters: tuple[CalibrationParameter, ...] = ()
    point: dict[str, _FiniteNumber] = Field(min_length=1)
    """Calibrated parameter (dotted path) → point estimate."""
    draws: tuple[dict[str, _FiniteNumber], ...] | None = Field(default=None, min_length=1)
    """Equally weighted posterior draws, each with exactly the parameters of ``point``."""

    @model_validator(mode="after")
    def _consistent(self) -> CalibrationFile:
        calibrated = set(self.point)
        for i, draw in enumerate(self.draws or ()):
            for key in self.point:
                if key not in draw:
                    raise FieldIssue(
                        ("draws", i),
                        f"kalibrierter Parameter {key} fehlt in Ziehung {i} "
                        f"(jede Ziehung nennt alle Parameter aus point)",
                    )
            for key in draw:
                if key not in calibrated:
                    raise FieldIssue(
                        ("draws", i, key), "Parameter steht nicht in point (nicht kalibriert)"
                    )
        seen: set[str] = set()
        for i, p in enumerate(self.parameters):
            if p.path in seen:
                raise FieldIssue(("parameters", i, "path"), f"Parameter {p.path} steht doppelt")
            seen.add(p.path)
        return self


@dataclass(frozen=True, eq=False)
class _Calibration:
    """A read and checked calibration file (cached; never changed)."""

    path: Path
    model: CalibrationFile
    data: Mapping[str, Any]
    lines: Mapping[Loc, int]

    def line(self, *loc: str | int) -> int | None:
        return line_for(loc, self.lines)


def read_calibration(path: str | os.PathLike[str]) -> CalibrationFile:
    """Read and check a calibration file with the bounded reader.

    The file is read with libyaml (it is large), without aliases, at most
    :data:`~scenarios.safe_yaml.MAX_CALIBRATION_BYTES`, and checked with
    :class:`CalibrationFile`. The result is cached by path, modification time and
    size; callers must not change it.

    Args:
        path: The calibration file.

    Returns:
        The checked file (unknown entries are kept as extra fields).

    Raises:
        ScenarioError: Naming the calibration file, the field and, where known, the
            line of the first problem.
    """
    return _load_calibration(Path(os.path.abspath(path))).model


def read_calibration_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw data of a checked calibration file (a copy; see :func:`read_calibration`).

    Raises:
        ScenarioError: Naming the calibration file and field of the first problem.
    """
    return _copy_tree(dict(_load_calibration(Path(os.path.abspath(path))).data))


def _load_calibration(file: Path) -> _Calibration:
    problem = file_problem(file)
    if problem is not None:
        raise ScenarioError(file, None, problem)
    try:
        st = file.stat()
    except OSError as exc:
        raise ScenarioError(file, None, os_message(exc)) from None
    return _read_calibration_file(str(file), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _read_calibration_file(path: str, mtime_ns: int, size: int) -> _Calibration:
    """Read and check a calibration file once per path, modification time and size.

    Batches load a calibrated scenario once per replicate; the file holds hundreds of
    particles, so it is parsed once (with libyaml's parser where available).
    """
    del mtime_ns, size  # cache key only: a rewritten file is read again
    doc = load_yaml(
        path,
        limit=MAX_CALIBRATION_BYTES,
        max_entries=MAX_CALIBRATION_ENTRIES,
        allow_aliases=False,
        fast=True,
        what="Kalibrierungsdatei",
    )
    data = doc.data
    kind = f"keine Kalibrierungsdatei ({CALIBRATION_FORMAT})"
    if data is None:
        raise ScenarioError(path, None, f"Datei ist leer, {kind}")
    if not isinstance(data, dict):
        raise ScenarioError(path, None, f"{kind}: erwartet Schlüssel mit Werten", 1)
    if data.get("format") != CALIBRATION_FORMAT:
        given = "fehlt" if "format" not in data else f"ist {fmt_value(data.get('format'))}"
        raise ScenarioError(
            path, "format", f"{kind}: format {given}", doc.lines.get(("format",), 1)
        )
    try:
        model = CalibrationFile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, path, doc=data, line_lookup=lambda loc: line_for(loc, doc.lines)
        ) from None
    return _Calibration(Path(path), model, MappingProxyType(data), MappingProxyType(doc.lines))


def _apply_calibration(
    doc: dict[str, Any], path: Path, name: str, lines: Mapping[Loc, int]
) -> tuple[dict[str, Any], tuple[Mapping[str, float], ...], tuple[str, ...]]:
    """Replace the calibrated parameters by the calibration file's point estimate.

    A missing calibration file is an error of the scenario (``calibration.file``);
    every problem inside the calibration file names that file and its field.

    Returns:
        The document, the file's posterior draws (for batches; none if the scenario
        uses the point estimate only) and the calibrated paths.
    """
    ref = doc["calibration"]
    line = lines.get(("calibration", "file"))
    file = Path(os.path.abspath(path.parent / str(ref["file"])))
    if not os.path.lexists(file):
        raise ScenarioError(
            path, "calibration.file", f"Kalibrierungsdatei „{ref['file']}“ nicht gefunden", line
        )
    cal = _load_calibration(file)
    use_draws = ref.get("use", "posterior") == "posterior"
    if use_draws and cal.model.draws is None:
        raise ScenarioError(
            file,
            "draws",
            f"Pflichtfeld fehlt (Szenario {name} nutzt die Ziehungen: use: posterior)",
        )
    summary = {p.path: p for p in cal.model.parameters}
    units: dict[str, str] = {}
    overrides: dict[str, Any] = {}
    for key, value in cal.model.point.items():
        try:
            units[key] = _quantity_unit(doc, key)
        except (KeyError, TypeError):
            raise ScenarioError(
                file,
                f"point.{key}",
                f"kalibrierter Parameter {key} ist kein Parameter des Szenarios {name}",
                cal.line("point", key),
            ) from None
        s = summary.get(key)
        overrides[key] = {
            "value": float(value),
            "unit": units[key],
            "assumption": (
                f"kalibriert ({cal.model.name}, ABC-SMC an öffentliche HzE-Zahlen, "
                f"Datei {ref['file']}): Punktschätzung; Posteriori-Median "
                f"{s.median if s else None}, 90-%-Intervall {s.q05 if s else None} bis "
                f"{s.q95 if s else None}"
            ),
        }
    try:
        new_doc, _ = apply_overrides(doc, overrides, file=file, scenario_name=name)
    except ScenarioError as exc:
        key = next((k for k in overrides if exc.field and exc.field.startswith(k)), None)
        raise ScenarioError(
            file, f"point.{exc.field}", exc.message, cal.line("point", key) if key else None
        ) from None
    draws: tuple[Mapping[str, float], ...] = ()
    if use_draws:
        _check_draws(cal, tuple(sorted(units.items())))
        draws = tuple(MappingProxyType(dict(d)) for d in cal.model.draws or ())
    return new_doc, draws, tuple(cal.model.point)


@functools.lru_cache(maxsize=8)
def _check_draws(cal: _Calibration, units: tuple[tuple[str, str], ...]) -> None:
    """Check every posterior draw's values against the schema (once per file and units).

    A draw a batch would use later must not fail there, naming the scenario: a bad
    value is reported here with the calibration file, ``draws.<i>.<path>`` and line.

    Raises:
        ScenarioError: For the first draw value the schema does not allow.
    """
    adapters: dict[str, TypeAdapter[Any]] = {}
    for key, _unit in units:
        annotation, _ = annotation_at(key.split("."))
        adapters[key] = _strict_adapter(annotation)
    assert cal.model.draws is not None
    for i, draw in enumerate(cal.model.draws):
        for key, unit in units:
            value = {"value": draw[key], "unit": unit, "assumption": "Ziehung"}
            try:
                adapters[key].validate_python(value)
            except ValidationError as exc:
                err = from_validation_error(exc, cal.path)
                raise ScenarioError(
                    cal.path, f"draws.{i}.{key}", err.message, cal.line("draws", i, key)
                ) from None


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
    problem = _path_problem(path)
    if problem is not None:
        raise ScenarioError(
            res.path,
            field_name,
            f"Datei „{display_path(path)}“ {problem}",
            res.line_lookup((field_name,)),
        )
    return path


MAX_CSV_BYTES = 8 * 1024 * 1024
"""Largest municipality data file (8 MiB).

A row takes about 150 bytes (the shipped files have 1.6 to 4 KB); even
:data:`MAX_CSV_ROWS` rows with long source texts stay below 4 MB.
"""

MAX_CSV_ROWS = 11_000
"""Most rows (municipalities or Sozialräume) in a municipality data file.

Germany has about 10,800 municipalities in all; the Landkreis with the most
(Eifelkreis Bitburg-Prüm) has 235, the biggest city about 550 planning areas. A
file with more rows than Germany has municipalities cannot describe one Kreis.
"""

MAX_MUNICIPALITY_POPULATION = 4_000_000
"""Largest population of one row of a municipality data file.

Berlin, the largest German municipality, has about 3.9 million inhabitants; a
larger number is a typing error (and would make the engine allocate gigabytes).
"""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters a text data file never holds (tab, line feed, return are fine)."""

_CSV_PROBLEMS = (
    ("field larger than field limit", "ein Feld ist länger als {limit} Zeichen"),
    ("line contains NUL", "Nullzeichen in der Zeile (keine Textdatei?)"),
    (
        "new-line character seen in unquoted field",
        "Zeilenumbruch in einem Feld ohne Anführungszeichen",
    ),
    ("unexpected end of data", "Anführungszeichen nicht geschlossen"),
    ("',' expected after '\"'", "nach einem schließenden Anführungszeichen fehlt das Komma"),
)
"""Python's csv messages (English) → German."""


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    for english, german in _CSV_PROBLEMS:
        if english in text:
            return "ungültiges CSV: " + german.format(limit=fmt_num(csv.field_size_limit()))
    return "ungültiges CSV (Anführungszeichen oder Trennzeichen prüfen)"


def _csv_int(
    text: str,
    file: Path,
    line: int,
    column: str,
    label: str,
    *,
    minimum: int,
    maximum: int | None = None,
    why: str = "",
) -> int:
    if text == "":
        raise ScenarioError(file, column, f"{label} fehlt", line)
    try:
        value = int(text)
    except ValueError:
        raise ScenarioError(file, column, f"{label} „{text}“ ist keine ganze Zahl", line) from None
    if value < minimum:
        raise ScenarioError(file, column, f"{label} {value} ist kleiner als {minimum}", line)
    if maximum is not None and value > maximum:
        raise ScenarioError(
            file,
            column,
            f"{label} {fmt_num(value)} ist größer als {fmt_num(maximum)} (höchstens "
            f"{fmt_num(maximum)} erlaubt{why})",
            line,
        )
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
    text = decode_utf8(read_limited(file, MAX_CSV_BYTES, what="Gemeindedatei"), file, bom=True)
    control = _CONTROL.search(text)
    if control is not None:
        raise ScenarioError(
            file,
            None,
            f"Steuerzeichen (U+{ord(control.group()):04X}) in der Datei nicht erlaubt "
            "(keine Textdatei?)",
            text.count("\n", 0, control.start()) + 1,
        )
    # strict: an unclosed quote is an error, not a field running to the end of the file
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ScenarioError(file, None, _csv_message(exc), 1) from None
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
            if len(rows) > MAX_CSV_ROWS:
                raise ScenarioError(
                    file,
                    None,
                    f"mehr als {fmt_num(MAX_CSV_ROWS)} Zeilen (höchstens {fmt_num(MAX_CSV_ROWS)} "
                    "erlaubt; so viele Gemeinden hat ganz Deutschland nicht)",
                    reader.line_num,
                )
    except csv.Error as exc:
        # the broken record starts after the last complete one (the reader's own
        # count depends on where in the record it failed)
        line = (rows[-1][0] if rows else 1) + 1
        raise ScenarioError(file, None, _csv_message(exc), line) from None
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
            values["population"],
            file,
            line,
            "population",
            f"Einwohnerzahl von „{name}“",
            minimum=0,
            maximum=MAX_MUNICIPALITY_POPULATION,
            why="; Berlin, die größte Gemeinde, hat rund 3,9 Mio.",
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
    check_scenario_size(params, res.path, data_file=mun_path, line_of=res.line_lookup)

    content_doc = {k: v for k, v in res.doc.items() if k not in _FILE_FIELDS}
    content = json.dumps(
        {
            "scenario": content_doc,
            "municipalities_sha256": _file_sha(mun_path, MAX_CSV_BYTES),
            "help_types_sha256": _file_sha(help_path, MAX_YAML_BYTES),
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


def _file_sha(path: Path, limit: int) -> str:
    """sha256 of a data file already read and checked (read again within its limit)."""
    return hashlib.sha256(read_limited(path, limit)).hexdigest()


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
    problem = _path_problem(path)
    if problem is not None:
        raise ScenarioError(path, None, "Datei nicht gefunden" if problem == _MISSING else problem)
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
    "CALIBRATION_FORMAT",
    "DATA_DIR",
    "LIBRARY_DIR",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "MAX_MUNICIPALITY_POPULATION",
    "CalibrationFile",
    "CalibrationParameter",
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
    "read_calibration",
    "read_calibration_data",
    "read_yaml",
    "value_at",
]
