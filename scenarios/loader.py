"""Load scenario files into :class:`~scenarios.build.Scenario`, once, at the boundary.

A scenario is either a complete file (see :mod:`scenarios.documents`) or a *variant*::

    name: lueneburg-rb2-20-rueckbehalt
    description: Reform mit …
    extends: lueneburg-status-quo          # library name, or a path relative to this file
    overrides:
      budget.regional2_share: {value: 0.2, unit: share, assumption: "Hebel der Variante"}
      incentive.scheme: retention
      regions.Region 1.sgb2_share: 0.12    # bare value: unit kept, marked as assumption

This module finds scenarios (in the library by name, or by path) and resolves them:
loading a variant loads its base first (cycles in ``extends`` are reported), then
checks *every* override against the schema (path and value) before applying any
(:mod:`scenarios.overrides`), applies them to a copy of the base document (the base
is never changed) and validates the merged document again. A scenario with a
calibration file gets the file's point estimate (:mod:`scenarios.calibration_file`).
Data files (municipalities, help types) are read relative to the file that names
them. :func:`load_scenario` then builds the frozen scenario (:mod:`scenarios.build`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scenarios.build import Resolved, Scenario, build
from scenarios.calibration_file import CalibrationSource, apply_calibration
from scenarios.documents import (
    FILE_FIELDS,
    ScenarioDoc,
    VariantDoc,
    read_mapping,
    validate_document,
)
from scenarios.errors import Loc, ScenarioError, display_path, line_for
from scenarios.overrides import apply_overrides, concrete_overrides, override_line_lookup
from scenarios.paths import copy_tree
from scenarios.safe_yaml import NOT_FOUND, path_problem

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
"""Folder of the shipped scenarios; any ``**/<name>.yaml`` below it is found by name."""

_YAML_SUFFIXES = (".yaml", ".yml")


# =========================================================================== locating files


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


def _looks_like_path(ref: str) -> bool:
    return ref.endswith(_YAML_SUFFIXES) or "/" in ref or os.sep in ref or ref.startswith(".")


def list_scenarios() -> list[str]:
    """Names of the scenarios in the library, sorted."""
    return sorted({_stem(p) for p in LIBRARY_DIR.rglob("*.yaml")})


def find_scenarios(name: str) -> list[Path]:
    """Every library file ``**/<name>.yaml`` (empty: none; several: ambiguous)."""
    if not name or "/" in name or os.sep in name or name.startswith("."):
        return []
    return sorted(LIBRARY_DIR.rglob(f"{name}.yaml"))


def _base_not_found(ref: str, file: Path) -> str:
    """German message for an ``extends`` that names no scenario: names or a path.

    Lists the library's names and says that a path relative to ``file`` works too,
    with an example path from ``file``'s folder to the Lüneburg status quo.
    """
    example = find_scenarios("lueneburg-status-quo")
    hint = ""
    if example:
        rel = Path(os.path.relpath(example[0], file.parent)).as_posix()
        hint = f", z. B. extends: {rel}"
    if _looks_like_path(ref):
        target = Path(ref) if Path(ref).is_absolute() else file.parent / ref
        what = f"Datei „{display_path(os.path.normpath(target))}“ nicht gefunden"
    else:
        what = f"Szenario „{ref}“ nicht gefunden"
    known = ", ".join(list_scenarios()) or "keine"
    return (
        f"Basisszenario: {what}. extends nennt ein Szenario der Bibliothek ({known}) oder "
        f"den Pfad einer Szenariodatei, relativ zu {file.name}{hint}"
    )


def find_scenario(name: str) -> Path:
    """Path of a library scenario by name.

    Args:
        name: Scenario name, e.g. ``lueneburg-status-quo``.

    Returns:
        The file ``scenarios/library/**/<name>.yaml``.

    Raises:
        ScenarioError: If there is no such scenario or more than one.
    """
    matches = find_scenarios(name)
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


# =========================================================================== resolving


def _resolve(path: Path, chain: tuple[Path, ...], calibrated: bool = True) -> Resolved:
    data, lines = read_mapping(path)
    if "extends" not in data:
        model = validate_document(ScenarioDoc, data, path, lambda loc: line_for(loc, lines))
        name = _check_name(model.name, path, lines)
        doc = copy_tree(data)
        doc["name"] = name
        if isinstance(doc.get("help_types"), dict):
            # codes are texts; YAML reads an unquoted 31 as a number
            doc["help_types"] = {str(k): v for k, v in doc["help_types"].items()}
        draws: tuple[Mapping[str, float], ...] = ()
        cal_paths: tuple[str, ...] = ()
        source: CalibrationSource | None = None
        if model.calibration is not None and calibrated:
            doc, draws, cal_paths, source = apply_calibration(doc, path, name, lines)
            model = validate_document(ScenarioDoc, doc, path, lambda loc: line_for(loc, lines))
        return Resolved(
            path=path,
            name=name,
            description=model.description,
            doc=doc,
            model=model,
            dirs={f: path.parent for f in FILE_FIELDS},
            extends=None,
            line_lookup=lambda loc: line_for(loc, lines),
            calibration_draws=draws,
            calibrated_paths=cal_paths,
            calibration_source=source,
        )

    variant: VariantDoc = validate_document(
        VariantDoc, data, path, lambda loc: line_for(loc, lines)
    )
    name = _check_name(variant.name, path, lines)
    ext_line = lines.get(("extends",))
    try:
        base_path = _scenario_path(variant.extends, relative_to=path.parent)
    except ScenarioError as exc:
        if len(find_scenarios(variant.extends)) > 1:  # ambiguous: the library's message
            raise ScenarioError(path, "extends", exc.message, ext_line) from None
        raise ScenarioError(
            path, "extends", _base_not_found(variant.extends, path), ext_line
        ) from None
    if base_path in (*chain, path):
        loop = (
            [*chain[chain.index(base_path) :], path, base_path]
            if base_path in chain
            else [path, path]
        )
        shown = " → ".join(p.name for p in loop)
        raise ScenarioError(path, "extends", f"Zyklus in extends: {shown}", ext_line)
    problem = path_problem(base_path)
    if problem == NOT_FOUND:
        raise ScenarioError(path, "extends", _base_not_found(variant.extends, path), ext_line)
    if problem is not None:
        raise ScenarioError(
            path, "extends", f"Basisszenario „{display_path(base_path)}“ {problem}", ext_line
        )
    base = _resolve(base_path, (*chain, path), calibrated)
    doc, touched = apply_overrides(
        base.doc, variant.overrides, file=path, scenario_name=name, lines=lines
    )
    doc["uncertainties"] = _variant_uncertainties(doc, data)
    doc["name"] = name
    doc["description"] = variant.description
    doc.pop("title", None)
    if variant.title is not None:
        doc["title"] = variant.title
    lookup = _added_lines(
        override_line_lookup(doc, variant.overrides, lines),
        len(doc["uncertainties"]) - len(variant.add_uncertainties),
        lines,
    )
    model = validate_document(ScenarioDoc, doc, path, lookup)
    dirs = dict(base.dirs)
    for f in touched:
        dirs[f] = path.parent
    return Resolved(
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
        calibration_source=base.calibration_source,
    )


def _variant_uncertainties(doc: Mapping[str, Any], data: Mapping[str, Any]) -> list[Any]:
    """The base's uncertainties followed by the variant's ``add_uncertainties``."""
    added = [copy_tree(u) for u in data.get("add_uncertainties") or []]
    return list(doc.get("uncertainties") or []) + added


def _added_lines(
    lookup: Callable[[Loc], int | None], first_added: int, lines: Mapping[Loc, int]
) -> Callable[[Loc], int | None]:
    """A line lookup that finds an added uncertainty in the variant's ``add_uncertainties``."""

    def find(loc: Loc) -> int | None:
        if len(loc) >= 2 and loc[0] == "uncertainties" and isinstance(loc[1], int):
            if loc[1] >= first_added:
                added: Loc = ("add_uncertainties", loc[1] - first_added, *loc[2:])
                return line_for(added, lines)
        return lookup(loc)

    return find


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
    problem = path_problem(path)
    if problem is not None:
        raise ScenarioError(path, None, "Datei nicht gefunden" if problem == NOT_FOUND else problem)
    res = _resolve(path, (), calibrated)
    if overrides:
        res = _with_overrides(res, overrides, Path(overrides_file) if overrides_file else path)
    return build(res)


def derive_scenario(
    base: Scenario,
    overrides: Mapping[str, Any],
    *,
    overrides_file: str | os.PathLike[str] | None = None,
) -> Scenario:
    """``base`` with further overrides, built in memory: no scenario YAML is read again.

    Equal to ``load_scenario(base.path, overrides, overrides_file=…)`` with the
    calibration setting ``base`` was loaded with — same parameters, hash and errors —
    but applied to ``base``'s resolved document (a sweep point or a posterior draw
    on a loaded scenario; about 10 ms instead of reading and parsing every YAML file
    again). The data files are only hashed, to find their parse from the first load
    (see :mod:`scenarios.build`).

    Args:
        base: A scenario from :func:`load_scenario` (or from this function).
        overrides: Dotted-path overrides, validated like :func:`load_scenario`'s.
        overrides_file: The file the overrides come from (named in errors);
            defaults to the scenario file.

    Returns:
        The new scenario (``base`` itself for no overrides).

    Raises:
        ScenarioError: For an invalid override, with file and field.
        ValueError: If ``base`` was not built by this module (no resolved document).
    """
    if not overrides:
        return base
    if base.resolved is None:
        raise ValueError("derive_scenario needs a scenario from load_scenario")
    file = Path(overrides_file) if overrides_file else base.resolved.path
    return build(_with_overrides(base.resolved, overrides, file))


def _with_overrides(res: Resolved, overrides: Mapping[str, Any], file: Path) -> Resolved:
    concrete = concrete_overrides(res.doc, overrides, file)
    doc, _ = apply_overrides(res.doc, concrete, file=file, scenario_name=res.name)
    doc["name"] = res.name
    model = validate_document(ScenarioDoc, doc, file, lambda _loc: None)
    return dataclasses.replace(res, doc=doc, model=model, path=res.path)


__all__ = ["LIBRARY_DIR", "derive_scenario", "find_scenario", "list_scenarios", "load_scenario"]
