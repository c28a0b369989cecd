"""Documents: the models of whole files (scenario, variant, help types), read and validated.

A scenario file is either complete (:class:`ScenarioDoc`: every section of
:mod:`scenarios.sections`, the references to the municipality data
(``municipalities_file``) and the help types (``help_types_file``), relative to the
file, and the declarations of :mod:`scenarios.declarations`) or a *variant*
(:class:`VariantDoc`: ``extends`` a scenario name or a relative path, plus
``overrides``, dotted path → value or quantity; see :mod:`scenarios.loader`). A
help-type file is a :class:`HelpTypesDoc`.

:func:`read_mapping` reads such a file with the bounded YAML reader;
:func:`validate_document` validates it and turns every problem into one German
line of a :class:`~scenarios.errors.ScenarioError` with file, field, line and the
allowed fields.

References:
    PolicyEngine's ``Reform.from_dict`` (validate before apply), as described in the
    project's STYLE notes.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from scenarios.declarations import (
    LeverSection,
    OutcomeSection,
    UncertaintySection,
    check_declared_paths,
)
from scenarios.errors import FieldIssue, FieldIssues, Loc, ScenarioError, from_validation_error
from scenarios.limits import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS
from scenarios.paths import model_at
from scenarios.quantities import Months, PosMonths, PosYears, ScaleShare
from scenarios.safe_yaml import read_yaml
from scenarios.sections import (
    BudgetSection,
    CalibrationRefSection,
    CounsellingSection,
    HelpTypeAdjustmentSection,
    HelpTypeSection,
    IncentiveSection,
    Name,
    NeedSection,
    OfficeSection,
    PopulationSection,
    ProjectSection,
    ProviderSection,
    ProviderSpecSection,
    QuotaSection,
    RecognitionSection,
    RegionSection,
    Section,
    code_to_str,
)

FILE_FIELDS = ("municipalities_file", "help_types_file", "sozialraeume_file")
"""Fields of a scenario file that name data files (relative to the file naming them)."""


# =========================================================================== file models


class ScenarioDoc(Section):
    """A complete scenario file."""

    name: str | None = Field(
        default=None, max_length=MAX_NAME_CHARS, pattern=r"^[a-z0-9][a-z0-9_.-]*$"
    )
    """Scenario name; must equal the file name without ``.yaml`` (default)."""
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    """German description shown to users."""
    title: str | None = Field(default=None, min_length=1, max_length=90)
    """Short German title, one line for lists (``sozialraum scenarios``)."""
    years: PosYears
    scale: ScaleShare
    review_interval_months: PosMonths
    burn_in_months: Months | None = None
    """Optional; the engine's default applies when absent."""
    municipalities_file: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """CSV with region,municipality,population,area_km2,year,source (relative path)."""
    help_types_file: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """YAML with the help types (relative path)."""
    sozialraeume_file: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_CHARS)
    """CSV with the social burden indicators per Sozialraum (relative path; needed by
    ``sozialraum_quota``, see :mod:`scenarios.sozialraeume`)."""
    regions: list[RegionSection] = Field(min_length=1)
    population: PopulationSection
    need: NeedSection
    recognition: RecognitionSection
    counselling: CounsellingSection
    provider: ProviderSection
    providers: list[ProviderSpecSection] = Field(min_length=1)
    projects: ProjectSection
    budget: BudgetSection
    incentive: IncentiveSection
    offices: list[OfficeSection] = Field(default_factory=list)
    """The Sozialraumbüros (paid from the bound budget); none: counselling per region."""
    sozialraum_quota: QuotaSection | None = None
    """The distribution quota of the sozialraum funds by Sozialraum (needs offices)."""
    levers: list[LeverSection] = Field(default_factory=list)
    """What the Kreis decides (split, incentive, allocation key, FLS rate and content)."""
    uncertainties: list[UncertaintySection] = Field(default_factory=list)
    """Uncertain assumptions with ranges; batches sample them (Latin hypercube)."""
    outcomes: list[OutcomeSection] = Field(default_factory=list)
    """Outcomes compared between scenarios, each with the better direction."""
    calibration: CalibrationRefSection | None = None
    """Calibrated parameters: the file's point estimate replaces the file's values."""
    help_types: dict[str, HelpTypeAdjustmentSection] = Field(default_factory=dict)
    """Per help-type code (as in the help-type file), values replacing the file's."""

    @field_validator("help_types", mode="before")
    @classmethod
    def _codes_as_text(cls, v: Any) -> Any:
        # YAML reads an unquoted ``31`` as a number; codes are texts.
        if isinstance(v, dict):
            return {code_to_str(k): item for k, item in v.items()}
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> "ScenarioDoc":
        issues: list[FieldIssue] = []
        region_names: list[str] = []
        owner: dict[str, str] = {}
        for i, region in enumerate(self.regions):
            if region.name in region_names:
                issues.append(
                    FieldIssue(("regions", i, "name"), f"Regionsname „{region.name}“ ist doppelt")
                )
            region_names.append(region.name)
            for m in region.municipalities:
                if m in owner:
                    issues.append(
                        FieldIssue(
                            ("regions", i, "municipalities"),
                            f"Gemeinde „{m}“ gehört schon zu Region „{owner[m]}“",
                        )
                    )
                owner.setdefault(m, region.name)
        provider_names: set[str] = set()
        known = ", ".join(dict.fromkeys(region_names))
        for i, spec in enumerate(self.providers):
            if spec.name in provider_names:
                issues.append(
                    FieldIssue(("providers", i, "name"), f"Trägername „{spec.name}“ ist doppelt")
                )
            provider_names.add(spec.name)
            if spec.region is not None and spec.region not in region_names:
                issues.append(
                    FieldIssue(
                        ("providers", i, "region"),
                        f"unbekannte Region „{spec.region}“ (vorhanden: {known})",
                    )
                )
            for j, name in enumerate(spec.regions or ()):
                if name not in region_names:
                    issues.append(
                        FieldIssue(
                            ("providers", i, "regions", j),
                            f"unbekannte Region „{name}“ (vorhanden: {known})",
                        )
                    )
        FieldIssues.raise_if_any(issues)
        check_declared_paths(
            self.levers, self.uncertainties, self.outcomes, region_names, type(self)
        )
        return self


class VariantDoc(Section):
    """A scenario that changes another: ``extends`` plus dotted-path ``overrides``."""

    name: str | None = Field(
        default=None, max_length=MAX_NAME_CHARS, pattern=r"^[a-z0-9][a-z0-9_.-]*$"
    )
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    title: str | None = Field(default=None, min_length=1, max_length=90)
    """Short German title of the variant (not inherited from the base)."""
    extends: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """Name of a library scenario, or a path relative to this file."""
    overrides: dict[Name, Any] = Field(default_factory=dict)
    """Dotted path (``budget.bound_share``, ``regions.Region 1.sgb2_share``) → value
    or quantity. A bare value keeps the declared unit; ``null`` removes an optional
    field."""
    add_uncertainties: list[UncertaintySection] = Field(default_factory=list)
    """Uncertainties of this variant's own assumptions, drawn after the base's (e.g.
    those of a lever the base does not use)."""


class HelpTypesDoc(Section):
    """A help-type file."""

    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    help_types: list[HelpTypeSection] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "HelpTypesDoc":
        codes = [h.code for h in self.help_types]
        for i, h in enumerate(self.help_types):
            if codes.index(h.code) != i:
                raise FieldIssue(("help_types", i, "code"), f"Code „{h.code}“ ist doppelt")
            if h.escalates_to is not None and h.escalates_to not in codes:
                raise FieldIssue(
                    ("help_types", i, "escalates_to"),
                    f"unbekannte Hilfeart „{h.escalates_to}“",
                )
            for j, code in enumerate(h.group_offer_replaces or ()):
                if code not in codes:
                    raise FieldIssue(
                        ("help_types", i, "group_offer_replaces", j),
                        f"unbekannte Hilfeart „{code}“",
                    )
        offers = [i for i, h in enumerate(self.help_types) if h.group_offer_replaces]
        if len(offers) > 1:
            raise FieldIssue(
                ("help_types", offers[1], "group_offer_replaces"),
                "höchstens eine Hilfeart kann das Gruppenangebot des regionalen Budgets 2 sein",
            )
        return self


# =========================================================================== reading, validating


def read_mapping(path: Path) -> tuple[dict[str, Any], dict[Loc, int]]:
    """Read a scenario or help-type file whose top level must be keys with values.

    Args:
        path: The file.

    Returns:
        ``(data, lines)``: the YAML data and its line index.

    Raises:
        ScenarioError: For every problem of :func:`~scenarios.safe_yaml.read_yaml`,
            an empty file or a top level that is not a mapping.
    """
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


def _hint_for(root: type[BaseModel]) -> Callable[[Loc], str | None]:
    def hint(loc: Loc) -> str | None:
        model = model_at(loc[:-1], root)
        if model is None:
            return None
        return "erlaubt: " + ", ".join(model.model_fields)

    return hint


def validate_document(
    model_cls: type[BaseModel],
    data: Any,
    file: Path,
    line_lookup: Callable[[Loc], int | None],
) -> Any:
    """Validate data against a document model; every problem as one German line.

    Args:
        model_cls: The document model (:class:`ScenarioDoc`, :class:`VariantDoc`,
            :class:`HelpTypesDoc`).
        data: The data.
        file: The file the data comes from (named in the error).
        line_lookup: Line of a location in ``file``.

    Returns:
        The validated model.

    Raises:
        ScenarioError: Naming the file, the field, its line and, for an unknown
            field, the allowed ones.
    """
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, file, doc=data, line_lookup=line_lookup, hint=_hint_for(model_cls)
        ) from None


__all__ = [
    "FILE_FIELDS",
    "HelpTypesDoc",
    "ScenarioDoc",
    "VariantDoc",
    "read_mapping",
    "validate_document",
]
