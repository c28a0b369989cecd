"""The calibration reference: reading a calibration file and applying it to a scenario.

A scenario may name a calibration file (``calibration: {file: …, use: posterior}``,
written by ``sozialraum calibrate``). Loading the scenario replaces the calibrated
parameters by the file's point estimate (each marked as a calibrated assumption with
the posterior median and 90 % interval) and keeps the file's equally weighted
posterior draws for batches (``use: posterior``). The file is read with the bounded
reader, checked with :class:`CalibrationFile` before any value is used, and cached
by path, modification time and size; every draw is checked against the schema once,
so a draw a batch uses later never fails there.

A calibration file also records for which inputs it was fitted: the content hash of
the calibrated scenario as written (``scenario_sha256``, without its calibration) and
the hash of the engine's code (``model_code``). Both are optional, so that files
written before they existed still load; :class:`CalibrationSource` tells which file
a loaded scenario's calibration came from, so that the calibration's freshness can
be checked against them (:mod:`calibration.freshness`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from scenarios.documents import ScenarioDoc
from scenarios.errors import (
    FieldIssue,
    Loc,
    ScenarioError,
    from_validation_error,
    line_for,
    os_message,
)
from scenarios.formatting import fmt_value
from scenarios.overrides import apply_overrides, strict_adapter
from scenarios.paths import PathError, annotation_at, copy_tree, value_at_node
from scenarios.quantities import declared_unit, is_quantity_node
from scenarios.safe_yaml import (
    MAX_CALIBRATION_BYTES,
    MAX_CALIBRATION_ENTRIES,
    file_problem,
    load_yaml,
)

if TYPE_CHECKING:
    from scenarios.build import Scenario

CALIBRATION_FORMAT = "sozialraum-kalibrierung/1"
"""Value of ``format`` in every calibration file this code reads."""

_FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite number (an integer is fine; text, ``true``, ``.nan`` and ``.inf`` are not)."""

SCENARIO_HASH_PATTERN = r"^[0-9a-f]{64}$"
"""``scenario_sha256``: a scenario's content hash (:attr:`Scenario.sha256`), lower-case hex."""

CODE_HASH_PATTERN = r"^[0-9a-f]{12}$"
"""``model_code``: a code hash (:func:`experiments.model_code_hash`), lower-case hex."""

_ScenarioHash = Annotated[
    str, StringConstraints(strict=True, max_length=64, pattern=SCENARIO_HASH_PATTERN)
]
"""A scenario content hash (a longer text is refused before its spelling is checked)."""

_CodeHash = Annotated[str, StringConstraints(strict=True, max_length=12, pattern=CODE_HASH_PATTERN)]
"""A code hash (a longer text is refused before its spelling is checked)."""


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
    """Name of the scenario the calibration was fitted on."""
    scenario_sha256: _ScenarioHash | None = None
    """Content hash of that scenario as written, without its calibration, when it was
    fitted (``load_scenario(name, calibrated=False).sha256``); None: not recorded (a
    file written before it was recorded)."""
    model_code: _CodeHash | None = None
    """Hash of the engine's code when it was fitted (:func:`experiments.model_code_hash`,
    every ``.py`` file of ``model/``); None: not recorded."""
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


@dataclass(frozen=True)
class CalibrationSource:
    """Where a loaded scenario's calibration comes from.

    A variant takes its base's calibration (``extends``), so the scenario file that
    names the calibration file is the first file of the ``extends`` chain without
    ``extends`` of its own.

    Attributes:
        file: The calibration file.
        scenario: Name of the scenario file that names it.
        scenario_file: That scenario file.
    """

    file: Path
    scenario: str
    scenario_file: Path


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
    return copy_tree(dict(_load_calibration(Path(os.path.abspath(path))).data))


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


def apply_calibration(
    doc: dict[str, Any], path: Path, name: str, lines: Mapping[Loc, int]
) -> tuple[dict[str, Any], tuple[Mapping[str, float], ...], tuple[str, ...], CalibrationSource]:
    """Replace the calibrated parameters by the calibration file's point estimate.

    A missing calibration file is an error of the scenario (``calibration.file``);
    every problem inside the calibration file names that file and its field.

    Returns:
        The document, the file's posterior draws (for batches; none if the scenario
        uses the point estimate only), the calibrated paths and where the
        calibration comes from.
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
    return new_doc, draws, tuple(cal.model.point), CalibrationSource(file, name, path)


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
        annotation, _ = annotation_at(key.split("."), ScenarioDoc)
        adapters[key] = strict_adapter(annotation)
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
    if is_quantity_node(node):
        return str(node["unit"])
    try:
        annotation, _ = annotation_at(key.split("."), ScenarioDoc)
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


__all__ = [
    "CALIBRATION_FORMAT",
    "CODE_HASH_PATTERN",
    "SCENARIO_HASH_PATTERN",
    "CalibrationFile",
    "CalibrationParameter",
    "CalibrationSource",
    "apply_calibration",
    "calibration_overrides",
    "read_calibration",
    "read_calibration_data",
]
