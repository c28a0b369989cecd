"""Declarations: what a scenario says about its parameters (levers, uncertainties, outcomes).

EMA Workbench's vocabulary: **levers** are what the Kreis decides (the split of the
money, the incentive scheme, the allocation key, the FLS rate and content),
**uncertainties** what nobody controls (need trend, effect sizes, provider
behaviour), each with a range and a distribution a batch samples, and **outcomes**
the metrics users compare, each with the better direction. A parameter is a lever
only if its path matches :data:`LEVER_PATHS`; an uncertainty must be a single number
that is neither a lever nor a run setting (:data:`NOT_UNCERTAIN`).

:func:`check_declared_paths` checks the declarations against the schema while a
scenario file is validated; :func:`check_declared_values` checks them against the
built scenario (known metrics, ranges holding the scenario's values).

References:
    Kwakkel, J. H. (2017): The Exploratory Modeling Workbench. Environmental
    Modelling & Software 96, 239–250 (levers, uncertainties, outcomes).
"""

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from model.reporters import metric_names
from scenarios.errors import FieldIssue, Loc, ScenarioError
from scenarios.limits import MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_PROVENANCE_CHARS
from scenarios.paths import PathError, annotation_at, expand_path, value_with_help_types
from scenarios.quantities import NumberQuantity, declared_unit, strip_annotation
from scenarios.sections import Name, Section, allowed_values, choice_text

# =========================================================================== declarations

LEVER_PATHS: tuple[str, ...] = (
    "budget.sozialraum_funds",
    "budget.bound_share",
    "budget.ambulatory_funds",
    "budget.regional2_share",
    "budget.central_funds",
    "budget.yearly_increase",
    "budget.allocation_key",
    "budget.regional2_scope",
    "budget.regional2_payment",
    "budget.regional2_exhaustion",
    "budget.regional2_group_share",
    "budget.incentive_recipients",
    "budget.index_weights.*",
    "incentive.*",
    "provider.fls_rate",
    "regions.*.direct_contact_share",
)
"""What the Kreis decides (``*`` = any field, list item or key): the split of the
money, the incentive scheme, the allocation key, the FLS rate and what an FLS
contains (its direct-contact share)."""

NOT_UNCERTAIN: tuple[str, ...] = (
    "years",
    "scale",
    "review_interval_months",
    "burn_in_months",
    "budget.start_year",
)
"""Run settings that are neither levers nor uncertainties."""


def path_matches(path: str, pattern: str) -> bool:
    """Whether a dotted path matches a pattern whose ``*`` stands for one segment.

    >>> path_matches("regions.Region 1.direct_contact_share", "regions.*.direct_contact_share")
    True
    >>> path_matches("incentive.retention_share", "incentive.*")
    True
    >>> path_matches("need.base", "incentive.*")
    False
    """
    segs, pats = path.split("."), pattern.split(".")
    return len(segs) == len(pats) and all(p in ("*", s) for s, p in zip(segs, pats, strict=True))


def is_lever_path(path: str) -> bool:
    """Whether a dotted path (``*`` allowed) names a lever (see :data:`LEVER_PATHS`)."""
    return any(path_matches(path, pattern) for pattern in LEVER_PATHS)


class LeverSection(Section):
    """A lever: a parameter the Kreis decides, with the range a sweep or slider may use.

    The lever's value in a scenario is the parameter's own value there; this entry
    only declares it as a lever and names it for users.
    """

    parameter: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """Dotted path (``budget.regional2_share``; ``regions.*.direct_contact_share`` for
    every region)."""
    label: str = Field(min_length=1, max_length=MAX_LABEL_CHARS)
    """German name shown to users."""
    low: float | None = None
    """Smallest sensible value (numeric levers)."""
    high: float | None = None
    """Largest sensible value (numeric levers)."""
    choices: list[Name] | None = Field(default=None, min_length=2)
    """Possible values of a lever that is a choice, each one the parameter allows; omit
    for every allowed value (for ``incentive.scheme``: every registered scheme)."""

    @model_validator(mode="after")
    def _range(self) -> "LeverSection":
        if (self.low is None) != (self.high is None):
            missing = "high" if self.high is None else "low"
            raise FieldIssue((missing,), "low und high gehören zusammen")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise FieldIssue(("high",), f"high ({self.high}) muss größer als low ({self.low}) sein")
        if self.choices is not None and self.low is not None:
            raise FieldIssue(("choices",), "entweder low/high oder choices angeben")
        return self


class UncertaintySection(Section):
    """An uncertain assumption with the distribution a batch samples it from.

    Distributions: ``uniform`` on [low, high]; ``triangular`` with ``mode``;
    ``normal`` with the scenario's value as mean and ``sd``, cut to [low, high].
    """

    parameter: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """Dotted path of a numeric parameter that is not a lever."""
    label: str = Field(min_length=1, max_length=MAX_LABEL_CHARS)
    """German name shown to users."""
    distribution: Literal["uniform", "triangular", "normal"]
    low: float
    high: float
    mode: float | None = None
    """Most likely value (``triangular`` only)."""
    sd: float | None = Field(default=None, gt=0)
    """Standard deviation (``normal`` only)."""
    unit: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """Must equal the unit of the parameter."""
    source: str | None = Field(default=None, max_length=MAX_PROVENANCE_CHARS)
    """Where the range comes from."""
    assumption: str | None = Field(default=None, max_length=MAX_PROVENANCE_CHARS)
    """Why this range was chosen where no figure exists."""

    @model_validator(mode="after")
    def _consistent(self) -> "UncertaintySection":
        if bool(self.source and self.source.strip()) == bool(
            self.assumption and self.assumption.strip()
        ):
            raise FieldIssue(
                ("assumption",),
                "Herkunft der Spanne: genau eines von source (Quelle) oder assumption (Annahme)",
            )
        if not self.low < self.high:
            raise FieldIssue(("high",), f"high ({self.high}) muss größer als low ({self.low}) sein")
        need = {"triangular": "mode", "normal": "sd"}.get(self.distribution)
        for name in ("mode", "sd"):
            given = getattr(self, name) is not None
            if given and name != need:
                raise FieldIssue((name,), f"gehört nicht zur Verteilung „{self.distribution}“")
            if not given and name == need:
                raise FieldIssue((name,), f"Verteilung „{self.distribution}“ braucht {name}")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise FieldIssue(("mode",), f"mode ({self.mode}) liegt nicht zwischen low und high")
        return self


class OutcomeSection(Section):
    """An outcome users compare, with the direction that is better."""

    metric: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """Name of a metric of the results table (e.g. ``total_spent``)."""
    label: str = Field(min_length=1, max_length=MAX_LABEL_CHARS)
    """German name shown to users."""
    better: Literal["lower", "higher"]
    """Which direction is better."""
    over_years: Literal["sum", "mean", "last"]
    """How the yearly values of a run form one figure (sum for money and counts,
    mean for states and rates, last for stocks at the end)."""


# =========================================================================== checks


def _check_parameter_path(
    path: str, loc: tuple[str | int, ...], region_names: Sequence[str], root: type[BaseModel]
) -> Any:
    """Annotation at a lever/uncertainty path; list items by name, ``*`` for all."""
    segs = path.split(".")
    for k, seg in enumerate(segs):
        if segs[0] == "regions" and k == 1 and seg != "*" and seg not in region_names:
            raise FieldIssue(
                loc, f"unbekannte Region „{seg}“ (vorhanden: {', '.join(region_names)})"
            )
    try:
        tp, _ = annotation_at(segs, root)
    except PathError as exc:
        raise FieldIssue(loc, f"{path}: {exc.message}") from None
    return tp


def _check_choices(choices: Sequence[str], tp: Any, loc: tuple[str | int, ...], path: str) -> None:
    """A lever's choices must be values its parameter allows (a scheme: a registered one)."""
    allowed = allowed_values(tp)
    if allowed is None:
        raise FieldIssue(loc, f"„{path}“ ist keine Auswahl; choices nur für Auswahl-Hebel")
    for k, choice in enumerate(choices):
        if choice not in allowed:
            raise FieldIssue(
                (*loc, k),
                f"Wert „{choice}“ ist nicht erlaubt; erlaubt: {choice_text(allowed)}",
            )


def check_declared_paths(
    levers: Sequence[LeverSection],
    uncertainties: Sequence[UncertaintySection],
    outcomes: Sequence[OutcomeSection],
    region_names: Sequence[str],
    root: type[BaseModel],
) -> None:
    """Check a scenario file's declarations against its schema (during validation).

    Levers must name lever paths, uncertainties single numbers that are no lever and
    no run setting, with the parameter's unit and a range the parameter allows;
    no parameter is declared twice, no outcome named twice.

    Args:
        levers: The file's ``levers``.
        uncertainties: The file's ``uncertainties``.
        outcomes: The file's ``outcomes``.
        region_names: Names of the file's regions (``regions.<name>.…`` paths).
        root: The document model the paths start at.

    Raises:
        FieldIssue: At the location of the first problem (inside validation).
    """
    seen: dict[str, str] = {}
    for i, lever in enumerate(levers):
        path = lever.parameter
        if not is_lever_path(path):
            raise FieldIssue(
                ("levers", i, "parameter"),
                f"„{path}“ ist kein Hebel; Hebel sind {', '.join(LEVER_PATHS)}",
            )
        tp = _check_parameter_path(path, ("levers", i, "parameter"), region_names, root)
        if lever.choices is not None:
            _check_choices(lever.choices, tp, ("levers", i, "choices"), path)
        if path in seen:
            raise FieldIssue(("levers", i, "parameter"), f"„{path}“ ist doppelt aufgeführt")
        seen[path] = "Hebel"
    for i, unc in enumerate(uncertainties):
        path = unc.parameter
        loc: tuple[str | int, ...] = ("uncertainties", i, "parameter")
        if is_lever_path(path):
            raise FieldIssue(loc, f"„{path}“ ist ein Hebel, keine Unsicherheit")
        if any(path_matches(path, p) for p in NOT_UNCERTAIN):
            raise FieldIssue(loc, f"„{path}“ ist eine Laufeinstellung, keine Unsicherheit")
        tp = _check_parameter_path(path, loc, region_names, root)
        bare, _, _ = strip_annotation(tp)
        if not (isinstance(bare, type) and issubclass(bare, NumberQuantity)):
            raise FieldIssue(loc, f"„{path}“ ist keine einzelne Zahl")
        unit = declared_unit(tp)
        if unit is not None and unc.unit != unit:
            raise FieldIssue(
                ("uncertainties", i, "unit"),
                f"Einheit „{unc.unit}“ passt nicht zu {path}; erwartet „{unit}“",
            )
        for name in ("low", "high"):
            problem = bare.problem(getattr(unc, name))
            if problem:
                raise FieldIssue(("uncertainties", i, name), problem)
        if path in seen:
            raise FieldIssue(loc, f"„{path}“ ist doppelt aufgeführt")
        seen[path] = "Unsicherheit"
    metrics: set[str] = set()
    for i, outcome in enumerate(outcomes):
        if outcome.metric in metrics:
            raise FieldIssue(("outcomes", i, "metric"), f"„{outcome.metric}“ ist doppelt")
        metrics.add(outcome.metric)


def check_declared_values(
    doc: Mapping[str, Any],
    outcomes: Sequence[OutcomeSection],
    uncertainties: Sequence[UncertaintySection],
    help_types: Sequence[Any],
    file: Path,
    line_lookup: Callable[[Loc], int | None],
) -> None:
    """Check a built scenario's declarations: outcomes name reported metrics, ranges hold values.

    A declared path into a help type (``help_types.31.help_effect``) that the scenario
    does not set is checked against the help-type file's value.

    Args:
        doc: The resolved document (after ``extends``, overrides and calibration).
        outcomes: Its outcomes.
        uncertainties: Its uncertainties.
        help_types: Its help types (``model.params.HelpType``: metrics per help type,
            values of help-type paths the document does not set).
        file: The scenario file (for errors).
        line_lookup: Line of a location in ``file``.

    Raises:
        ScenarioError: For an unknown metric or a value outside its declared range.
    """
    known = metric_names(tuple(h.code for h in help_types))

    def declared_value(i: int, path: str) -> Any:
        try:
            return value_with_help_types(doc, help_types, path)
        except KeyError:
            raise ScenarioError(
                file,
                f"uncertainties.{i}.parameter",
                f"Parameter {path} gibt es in diesem Szenario nicht",
                line_lookup(("uncertainties", i, "parameter")),
            ) from None

    for i, outcome in enumerate(outcomes):
        if outcome.metric not in known:
            raise ScenarioError(
                file,
                f"outcomes.{i}.metric",
                f"unbekannte Kennzahl „{outcome.metric}“ (z. B. total_spent, "
                "unmet_need_families, cases_per_10k_31)",
                line_lookup(("outcomes", i, "metric")),
            )
    for i, unc in enumerate(uncertainties):
        for path in expand_path(doc, unc.parameter):
            value = declared_value(i, path)
            if not unc.low <= value <= unc.high:
                raise ScenarioError(
                    file,
                    f"uncertainties.{i}",
                    f"Wert von {path} ({value}) liegt nicht in der Spanne {unc.low} bis {unc.high}",
                    line_lookup(("uncertainties", i, "low")),
                )


__all__ = [
    "LEVER_PATHS",
    "NOT_UNCERTAIN",
    "LeverSection",
    "OutcomeSection",
    "UncertaintySection",
    "check_declared_paths",
    "check_declared_values",
    "is_lever_path",
    "path_matches",
]
