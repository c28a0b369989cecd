"""Schema sections of scenario and help-type files (pydantic v2).

The sections mirror :class:`model.params.ModelParams` (population, need,
recognition, counselling, provider, providers, projects, budget, incentive, regions,
help types); each field is a quantity with the unit it requires
(:mod:`scenarios.quantities`). Two sections have no engine counterpart: the
reference to a calibration file and the scenario's adjustments of help types.

Every section forbids unknown keys and checks what it can check alone (thresholds in
order, shares summing to 1, an incentive scheme with exactly its own parameters: the
schemes, their parameters and the parameters' types come from the registry in
:mod:`model.incentives`);
checks across sections live in :mod:`scenarios.documents`, checks that need files in
:mod:`scenarios.build`.
"""

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from model.allocation import INDICATORS
from model.incentives import SchemeParameter, parameters_by_name, scheme_class, scheme_names
from model.params import (
    POTS,
    IncentiveRecipients,
    Regional2Exhaustion,
    Regional2Payment,
    Regional2Scope,
)
from scenarios.errors import FieldIssue, FieldIssues, error_loc, german_message
from scenarios.formatting import fmt_value
from scenarios.limits import MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_PROVENANCE_CHARS
from scenarios.quantities import (
    SHARE_SUM_TOLERANCE,
    STRICT,
    Ages,
    AppointmentsMonth,
    CalendarYear,
    DegreesOfFreedom,
    Distribution,
    Eur,
    EurYear,
    Factor,
    FamiliesPer10k,
    FlsMonth,
    FlsWeek,
    Fte,
    GroupSize,
    GrowthYear,
    HalfLifeMonthsQuantity,
    HoursYear,
    MonthChoices,
    MonthRange,
    Months,
    NeedLevel,
    NeedPerMonth,
    NeedPerYear,
    NeedWeight,
    NumberQuantity,
    PlacesPer1000,
    PosEurDay,
    PosEurFls,
    PosEurMonth,
    PosEurYear,
    PosFactor,
    PositiveQuantity,
    PosMonths,
    PosMonthsFloat,
    ProbMonth,
    ProposalsYear,
    Quantity,
    RelChange,
    ScaleShare,
    Share,
    ShareMonth,
    ShareQuantity,
    SignedNeedPerMonth,
    q,
    strip_annotation,
    sum_text,
)

INDEX_INDICATORS = INDICATORS
"""Indicators a Sozialraumindex may weight (Ulm Anlage 3; HzE case numbers excluded)."""

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
"""A name or code (region, municipality, provider, help type, path): 1 to
:data:`limits.MAX_NAME_CHARS` characters."""


def code_to_str(v: Any) -> Any:
    """A help-type code as text: YAML reads an unquoted ``31`` as a number.

    >>> code_to_str(31), code_to_str("27_2"), code_to_str(True)
    ('31', '27_2', True)
    """
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


Code = Annotated[str, BeforeValidator(code_to_str), Field(min_length=1, max_length=MAX_NAME_CHARS)]
"""A help-type code, an unquoted number in YAML read as text (``31`` → ``"31"``)."""


# =========================================================================== sections


class Section(BaseModel):
    """Base of all sections: strict, frozen, no unknown keys."""

    model_config = STRICT


class PopulationSection(Section):
    """:class:`model.params.PopulationParams`."""

    under21_share: Share
    children_distribution: Distribution
    child_spacing_months: MonthRange
    sgb2_single_parent_ratio: PosFactor
    disability_share: Share
    growth_per_year: GrowthYear


class NeedSection(Section):
    """:class:`model.params.NeedParams`."""

    base: NeedLevel
    w_single_parent: NeedWeight
    w_sgb2: NeedWeight
    w_per_child: NeedWeight
    w_history: NeedWeight
    trait_sd: NeedLevel
    reversion: ShareMonth
    shock_sd: NeedLevel
    trend_per_year: NeedPerYear
    counselling_effect: NeedPerMonth
    threshold_counselling: NeedLevel
    threshold_help: NeedLevel
    threshold_crisis: NeedLevel
    threshold_success: NeedLevel
    history_half_life_months: q(HalfLifeMonthsQuantity, "months") | None = None
    """Optional; the engine's default applies when absent (0 = never fades)."""
    w_disability: NeedWeight | None = None
    """Optional; the engine's default applies when absent."""
    trait_df: DegreesOfFreedom | None = None
    """Optional; the engine's default applies when absent (0 = normal distribution)."""

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> "NeedSection":
        c, h, k = self.threshold_counselling, self.threshold_help, self.threshold_crisis
        if c.value > h.value:
            raise FieldIssue(
                ("threshold_counselling",),
                f"Beratungsschwelle {fmt_value(c.value)} liegt über der Hilfeschwelle "
                f"{fmt_value(h.value)}",
            )
        if h.value > k.value:
            raise FieldIssue(
                ("threshold_help",),
                f"Hilfeschwelle {fmt_value(h.value)} liegt über der Krisenschwelle "
                f"{fmt_value(k.value)}",
            )
        if self.threshold_success.value > h.value:
            raise FieldIssue(
                ("threshold_success",),
                f"Erfolgsschwelle {fmt_value(self.threshold_success.value)} liegt über der "
                f"Hilfeschwelle {fmt_value(h.value)}",
            )
        return self


class RecognitionSection(Section):
    """:class:`model.params.RecognitionParams`."""

    p_self_request: ProbMonth
    p_report: ProbMonth
    p_crisis: ProbMonth
    counselling_referral_factor: Factor
    report_rate_factor: Factor
    young_adult_factor: Factor | None = None
    """Optional; the engine's default applies when absent."""


class CounsellingSection(Section):
    """:class:`model.params.CounsellingParams`."""

    cost_per_fte_year: PosEurYear
    fixed_share: Share
    appointments_per_fte_month: AppointmentsMonth
    appointments_per_family_month: AppointmentsMonth
    p_seek: ProbMonth
    months: PosMonths


class ProviderSection(Section):
    """:class:`model.params.ProviderParams` (provider economics and behaviour)."""

    fls_rate: PosEurFls
    fls_per_fte_month: FlsMonth
    cost_per_fte_month: PosEurMonth
    hiring_lag_months: Months
    max_staff_change: ShareMonth
    target_utilisation: Share
    exit_after_months: PosMonths
    stationary_places_per_1000_u21: PlacesPer1000
    responsiveness: Share
    savings_duration_cut: Share
    savings_intensity_cut: Share
    per_hour_extension: RelChange
    intensity_spread: Share | None = None
    """Optional; the engine's default applies when absent."""
    effect_reference_contact_share: ScaleShare | None = None
    """Optional; the engine's default applies when absent."""
    pressure_full_overrun: q(PositiveQuantity, "share") | None = None
    """Optional; the engine's default applies when absent."""
    controlling_signal: Share | None = None
    """Optional; the engine's default (0, no pressure without a reward) applies when absent."""
    lead_referral_share: Share | None = None
    """Optional; the engine's default (0, free choice only) applies when absent."""


class ProviderSpecSection(Section):
    """:class:`model.params.ProviderSpec` (one provider at the start).

    Where a provider is active: ``region`` for one region, ``regions`` for some of
    them, neither for every region. A Sozialraumträger leads its ``region`` or all
    its ``regions``; ``lead_regions`` names the regions it leads instead (for a
    provider active in every region, or a subset of its ``regions``).
    """

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    region: Name | None = None
    """Region served; omit (or null) for providers active in every region."""
    regions: list[Name] | None = Field(default=None, min_length=1)
    """Regions served by a provider active in some but not all regions (instead of
    ``region``); omit both for a provider active in every region."""
    role: Literal["sozialraumtraeger", "ambulant", "stationaer"]
    staff_fte: Fte
    reserves: Eur
    attractiveness: PosFactor | None = None
    lead_regions: list[Name] | None = Field(default=None, min_length=1)
    """Regions a Sozialraumträger without ``region`` leads (receives their office and
    flat budgets): any regions for one active in every region, a subset of its
    ``regions`` otherwise; omit to lead its own ``region`` or all its ``regions``."""

    @model_validator(mode="after")
    def _where(self) -> "ProviderSpecSection":
        issues: list[FieldIssue] = []
        if self.regions is not None:
            if self.region is not None:
                issues.append(
                    FieldIssue(
                        ("regions",),
                        "region und regions schließen sich aus: region für eine Region, "
                        "regions für mehrere",
                    )
                )
            if len(set(self.regions)) != len(self.regions):
                issues.append(FieldIssue(("regions",), "eine Region ist doppelt aufgeführt"))
        if self.lead_regions is not None:
            if self.role != "sozialraumtraeger":
                issues.append(
                    FieldIssue(
                        ("lead_regions",),
                        "nur ein Sozialraumträger (role sozialraumtraeger) leitet Regionen",
                    )
                )
            if self.region is not None:
                issues.append(
                    FieldIssue(
                        ("lead_regions",),
                        "lead_regions nur für Träger ohne region (in allen Regionen oder in "
                        "den Regionen unter regions tätig); ein Träger mit region leitet "
                        "seine Region",
                    )
                )
            if len(set(self.lead_regions)) != len(self.lead_regions):
                issues.append(FieldIssue(("lead_regions",), "eine Region ist doppelt aufgeführt"))
            if self.regions is not None:
                outside = [n for n in self.lead_regions if n not in self.regions]
                if outside:
                    issues.append(
                        FieldIssue(
                            ("lead_regions",),
                            f"Region „{outside[0]}“ steht nicht unter regions; ein Träger "
                            f"leitet nur Regionen, in denen er tätig ist "
                            f"({', '.join(self.regions)})",
                        )
                    )
        FieldIssues.raise_if_any(issues)
        return self


class ProjectSection(Section):
    """:class:`model.params.ProjectParams`."""

    proposals_per_region: ProposalsYear
    cost_mean: PosEurYear
    cost_sd: EurYear
    families_per_10k_eur: FamiliesPer10k
    duration_months: MonthChoices
    effect_mean: SignedNeedPerMonth
    effect_sd: NeedPerMonth
    vote_min_score: FamiliesPer10k
    review_min_effect: SignedNeedPerMonth
    targeting: Factor
    cost_min_share: Share | None = None
    """Optional; the engine's default applies when absent."""
    reach_cv: Factor | None = None
    """Optional; the engine's default applies when absent."""


Indicator = Literal["sgb2_share", "single_parent_share", "migration_share", "unemployment_share"]
"""A social indicator of the Sozialraumindex and the quota (``model.allocation.INDICATORS``)."""


class BudgetSection(Section):
    """:class:`model.params.BudgetParams`."""

    start_year: CalendarYear
    sozialraum_funds: EurYear
    bound_share: Share
    ambulatory_funds: EurYear
    regional2_share: Share
    central_funds: EurYear
    yearly_increase: GrowthYear
    allocation_key: Literal["population", "sozialraumindex", "history"]
    index_weights: dict[Indicator, Share] = Field(default_factory=dict)
    coordination_hours: dict[Name, HoursYear] = Field(default_factory=dict)
    """Sozialraumkosten: hours per year and region by purpose (Ulm §6(2)), valued at
    the FLS rate and added to the bound budget."""
    regional2_help_types: list[Code] | None = Field(default=None, min_length=1)
    """Codes of the help types regional budget 2 covers; omit for the help-type
    file's ``regional2_eligible``."""
    regional2_scope: Regional2Scope = "running"
    """Which helps regional budget 2 carries: all running ones (handed over at the
    reform date), only new grants, or only those of the region's Sozialraumträger."""
    regional2_payment: Regional2Payment = "pro_rata"
    """How regional budget 2 pays its helps: its share of every bill, or whole bills
    until the money is used up."""
    regional2_group_share: Share | None = None
    """Share of each region's regional budget 2 put into places in the
    fallübergreifende group offer (omit for none)."""
    regional2_exhaustion: Regional2Exhaustion = "central"
    """When regional budget 2 is used up: the central budget pays, or the overrun is
    deducted from next year's regional budget 2."""
    incentive_recipients: IncentiveRecipients = "delivered_share"
    """Who receives bonus and malus: the providers by their delivered share, the
    Sozialraumträger alone, or the region's regional budget 1."""
    burn_in_rules: Literal["pre_reform", "scenario"] = "pre_reform"
    """Rules during the burn-in: before the reform, or the scenario's own."""

    @model_validator(mode="after")
    def _weights(self) -> "BudgetSection":
        if self.index_weights:
            total = math.fsum(w.value for w in self.index_weights.values())
            if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
                raise FieldIssue(
                    ("index_weights",),
                    f"Anteile ergeben nicht 100 % (Summe {sum_text(total)})",
                )
        elif self.allocation_key == "sozialraumindex":
            raise FieldIssue(
                ("index_weights",),
                "Schlüssel sozialraumindex braucht Gewichte (index_weights)",
            )
        return self


@dataclass(frozen=True)
class Choices:
    """Annotation metadata of a text field whose allowed values are known only at run time.

    ``allowed`` returns them (the incentive schemes registered in
    :mod:`model.incentives`); a lever's ``choices`` must be among them.
    """

    allowed: Callable[[], tuple[str, ...]]


SchemeName = Annotated[str, Choices(scheme_names)]
"""The name of a registered incentive scheme (checked by :class:`IncentiveSection`)."""


def allowed_values(annotation: Any) -> tuple[str, ...] | None:
    """The values a choice field allows (a ``Literal`` or :class:`Choices`), else None.

    >>> allowed_values(Literal["a", "b"]), allowed_values(int)
    (('a', 'b'), None)
    """
    bare, meta, _ = strip_annotation(annotation)
    for m in meta:
        if isinstance(m, Choices):
            return m.allowed()
    if get_origin(bare) is Literal:
        return tuple(str(a) for a in get_args(bare))
    return None


def choice_text(names: Sequence[str]) -> str:
    """``„a“, „b“ oder „c“``: allowed values in a message.

    >>> choice_text(["none", "flat"])
    '„none“ oder „flat“'
    """
    quoted = [f"„{n}“" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} oder {quoted[-1]}"


class _RangeQuantity(NumberQuantity):
    """A number in ``[low, high]`` (a subclass per range: :func:`_ranged`)."""

    low: ClassVar[float] = 0.0
    high: ClassVar[float] = 1.0

    @classmethod
    def problem(cls, v: float) -> str | None:
        if cls.low <= v <= cls.high:
            return None
        lo, hi = (f"{x:g}".replace(".", ",") for x in (cls.low, cls.high))
        return f"Wert {fmt_value(v)} liegt nicht zwischen {lo} und {hi}"


@functools.cache
def _ranged(low: float, high: float) -> type[NumberQuantity]:
    if (low, high) == (0.0, 1.0):
        return ShareQuantity
    return type("RangeQuantity", (_RangeQuantity,), {"low": low, "high": high})


@functools.cache
def parameter_annotation(p: SchemeParameter) -> Any:
    """The field type of a scheme parameter in a scenario file (from its metadata)."""
    if p.kind == "pots":
        return Annotated[list[Literal[POTS]], Field(min_length=1)]  # type: ignore[valid-type]
    return q(_ranged(p.low, p.high), p.unit)


@functools.cache
def _adapter(p: SchemeParameter) -> TypeAdapter[Any]:
    """A strict validator of one parameter (a quantity model is strict by its own config)."""
    annotation = parameter_annotation(p)
    if p.kind == "pots":
        return TypeAdapter(annotation, config=ConfigDict(strict=True))
    return TypeAdapter(annotation)


class IncentiveSection(Section):
    """:class:`model.params.IncentiveParams`: a registered scheme and only its own parameters.

    In a file the parameters stand beside ``scheme`` (``incentive.retention_share``);
    which names and values are allowed comes from the scheme's class in
    :mod:`model.incentives`. Validated, they are :attr:`values`, as in the engine.
    """

    scheme: SchemeName
    values: dict[str, Any] = Field(default_factory=dict)
    """The scheme's parameters as given in the file (quantities or pot lists)."""

    @model_validator(mode="before")
    @classmethod
    def _scheme_params(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        scheme = data.get("scheme")
        given = {k: v for k, v in data.items() if k != "scheme"}
        out: dict[str, Any] = {"scheme": scheme} if "scheme" in data else {}
        if not isinstance(scheme, str):
            return out  # pydantic reports the missing or mistyped scheme
        names = scheme_names()
        if scheme not in names:
            raise FieldIssue(
                ("scheme",),
                f"Wert {fmt_value(scheme)} ist nicht erlaubt; erlaubt: {choice_text(names)}",
            )
        own = {p.name: p for p in scheme_class(scheme).parameters}
        for name in given:
            if name not in own:
                raise FieldIssue(
                    (str(name),),
                    f"Parameter gehört nicht zum Anreizsystem „{scheme}“ "
                    f"(erlaubt: {', '.join(own) or 'keine Parameter'})",
                )
        for name, p in own.items():
            if p.required and name not in given:
                raise FieldIssue((name,), f"Anreizsystem „{scheme}“ braucht diesen Parameter")
        values = {}
        for name in (n for n in own if n in given):  # the scheme's order, as in the engine
            try:
                values[name] = _adapter(own[name]).validate_python(given[name])
            except ValidationError as exc:
                first = exc.errors()[0]
                raise FieldIssue((name, *error_loc(first)), german_message(first)) from None
        out["values"] = values
        return out

    @classmethod
    def document_fields(cls) -> dict[str, tuple[Any, bool]]:
        """Field type and removability of each key a file may write (for dotted paths).

        ``scheme`` and every parameter of every registered scheme, not ``values``.
        """
        fields: dict[str, tuple[Any, bool]] = {"scheme": (SchemeName, False)}
        for name, p in parameters_by_name().items():
            fields[name] = (parameter_annotation(p), True)
        return fields

    def document_items(self) -> list[tuple[str, Any]]:
        """The section's keys and validated values as the file writes them."""
        return [("scheme", self.scheme), *self.values.items()]


class RegionSection(Section):
    """:class:`model.params.Region`; municipalities are names in the municipality file."""

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    municipalities: list[Name] = Field(min_length=1)
    sgb2_share: Share
    single_parent_share: Share
    migration_share: Share
    unemployment_share: Share
    direct_contact_share: ScaleShare
    indirect_hours_per_fls: Share
    """Hours of travel and documentation one billed FLS needs besides direct contact."""

    @field_validator("municipalities")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in v:
            if name in seen:
                raise ValueError(f"Gemeinde „{name}“ ist doppelt aufgeführt")
            seen.add(name)
        return v


# =========================================================================== offices, quota


class SharePathQuantity(Quantity):
    """A non-empty list of shares (0..1), one per year (a phase-out path)."""

    value: list[float] = Field(min_length=1, max_length=100)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[float]) -> list[float]:
        for i, x in enumerate(v):
            if not math.isfinite(x) or not 0.0 <= x <= 1.0:
                raise ValueError(
                    f"Eintrag {i + 1}: Wert {fmt_value(x)} liegt nicht zwischen 0 und 1"
                )
        return v


SharePath = q(SharePathQuantity, "share")
"""Shares per year, e.g. the compensation path of Vorlage 2025/124."""


class OfficeSection(Section):
    """:class:`model.params.OfficeSpec`: one Sozialraumbüro.

    ``source`` or ``assumption`` (exactly one) says who runs it: where the Träger is
    named publicly, or why a name is assumed.
    """

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    sozialraum: Name
    """The municipality (Sozialraum) it serves; its region is the municipality's."""
    provider: Name
    """The Sozialraumträger that runs it (a provider with role sozialraumtraeger)."""
    source: str | None = Field(default=None, min_length=1, max_length=MAX_PROVENANCE_CHARS)
    """Where the Träger of the office is named (publication, year, address)."""
    assumption: str | None = Field(default=None, min_length=1, max_length=MAX_PROVENANCE_CHARS)
    """Why the Träger is assumed where no publication names it."""
    budget_before: EurYear
    """EUR per year before the quota (its share is the old quota)."""
    rent: EurYear
    travel: EurYear
    overhead: EurYear

    @model_validator(mode="after")
    def _one_provenance(self) -> "OfficeSection":
        if (self.source is None) == (self.assumption is None):
            raise FieldIssue(
                ("source",),
                "Träger des Büros: entweder source (Quelle) oder assumption (Annahme) angeben",
            )
        return self

    @property
    def provenance(self) -> str:
        """``Quelle: …`` or ``Annahme: …`` of the office's Träger."""
        if self.source is not None:
            return f"Quelle: {' '.join(self.source.split())}"
        return f"Annahme: {' '.join(str(self.assumption).split())}"


class QuotaSection(Section):
    """:class:`model.params.QuotaParams` (the indicators come from ``sozialraeume_file``)."""

    start_year: CalendarYear
    index_weights: dict[Indicator, Share] = Field(min_length=1)
    compensated: list[Name] = Field(default_factory=list)
    """Sozialräume (municipalities with an office) whose deficit is compensated."""
    compensation_path: SharePath | None = None
    """Share of the deficit compensated in the first quota year, the next, …"""

    @model_validator(mode="after")
    def _consistent(self) -> "QuotaSection":
        total = math.fsum(w.value for w in self.index_weights.values())
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise FieldIssue(
                ("index_weights",), f"Anteile ergeben nicht 100 % (Summe {sum_text(total)})"
            )
        if len(set(self.compensated)) != len(self.compensated):
            raise FieldIssue(("compensated",), "ein Sozialraum ist doppelt aufgeführt")
        if self.compensated and self.compensation_path is None:
            raise FieldIssue(
                ("compensation_path",),
                "ausgeglichene Sozialräume (compensated) brauchen einen Ausgleichspfad",
            )
        return self


# =========================================================================== file sections


class CalibrationRefSection(Section):
    """Reference to a calibration file (``sozialraum calibrate``)."""

    file: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    """Calibration file, relative to the scenario file."""
    use: Literal["posterior", "point"] = "posterior"
    """``posterior``: batch replicate with seed s uses draw (s − 1) mod n of the file;
    ``point``: every run uses the point estimate. Single runs always use the point."""


class HelpTypeAdjustmentSection(Section):
    """Scenario values that replace a help type's values from the help-type file.

    Only the values the calibration fits or a batch draws as uncertainties: the
    behavioural assumptions without a published figure (how often a help is chosen,
    for which need, how fast it reduces need, and for the group offer how many
    families share an FLS and how often a group fits), and the figures published only
    as ranges (the daily rate of a day-rate help, the planned mean duration) or
    only indirectly (the FLS per week of an FLS help, which the calibration fits to
    the help type's published spending).
    """

    daily_rate: PosEurDay | None = None
    """Replaces ``daily_rate`` (only for a help type billed by the day)."""
    fls_per_week: FlsWeek | None = None
    """Replaces ``fls_per_week`` (only for a help type billed by FLS)."""
    mean_duration_months: PosMonthsFloat | None = None
    """Replaces ``mean_duration_months`` (the planned mean duration)."""

    selection_weight: Factor | None = None
    """Replaces ``selection_weight`` of the help type."""
    need_min: NeedLevel | None = None
    """Replaces ``need_min`` (must stay below the help type's ``need_max``)."""
    need_max: NeedLevel | None = None
    """Replaces ``need_max`` (must stay above the help type's ``need_min``)."""
    help_effect: NeedPerMonth | None = None
    """Replaces ``help_effect`` of the help type."""
    group_size: GroupSize | None = None
    """Replaces ``group_size`` (families sharing one FLS, at least 1)."""
    group_offer_fit: Share | None = None
    """Replaces ``group_offer_fit`` of the group offer."""


# =========================================================================== help types


class HelpTypeSection(Section):
    """:class:`model.params.HelpType`."""

    code: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    label: str = Field(min_length=1, max_length=MAX_LABEL_CHARS)
    setting: Literal["ambulant", "teilstationaer", "stationaer", "krise"]
    billing: Literal["fls", "daily"]
    fls_per_week: FlsWeek | None = None
    """Only for billing ``fls``."""
    daily_rate: PosEurDay | None = None
    """Only for billing ``daily``."""
    mean_duration_months: PosMonthsFloat
    need_min: NeedLevel
    need_max: NeedLevel
    age_min_years: Ages
    age_max_years: Ages
    selection_weight: Factor
    help_effect: NeedPerMonth
    escalates_to: Name | None = None
    regional2_eligible: bool
    group_size: GroupSize | None = None
    trait: Literal["none", "disability", "young_adult", "crisis"] = "none"
    group_offer_replaces: list[Code] | None = Field(default=None, min_length=1)
    """Codes of the individual helps a place in this group offer can replace; makes
    the type the group offer regional budget 2 can fund."""
    group_offer_fit: Share | None = None
    """Only with ``group_offer_replaces``: share of replaceable grants for which the
    Hilfeplan finds the group fitting."""

    @field_validator("code", "escalates_to", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> Any:
        return code_to_str(v)

    @model_validator(mode="after")
    def _consistent(self) -> "HelpTypeSection":
        if self.billing == "fls":
            if self.fls_per_week is None:
                raise FieldIssue(("fls_per_week",), "Abrechnung fls braucht fls_per_week")
            if self.daily_rate is not None:
                raise FieldIssue(("daily_rate",), "Abrechnung fls hat keinen Tagessatz")
        else:
            if self.daily_rate is None:
                raise FieldIssue(("daily_rate",), "Abrechnung daily braucht daily_rate")
            if self.fls_per_week is not None:
                raise FieldIssue(("fls_per_week",), "Abrechnung daily hat keine FLS je Woche")
        if self.need_min.value >= self.need_max.value:
            raise FieldIssue(("need_max",), "need_max muss größer als need_min sein")
        if self.age_min_years.value >= self.age_max_years.value:
            raise FieldIssue(("age_max_years",), "age_max_years muss größer als age_min_years sein")
        if self.escalates_to == self.code:
            raise FieldIssue(("escalates_to",), "eine Hilfe kann nicht in sich selbst eskalieren")
        if (self.group_offer_replaces is None) != (self.group_offer_fit is None):
            raise FieldIssue(
                ("group_offer_fit",),
                "ein Gruppenangebot braucht group_offer_replaces und group_offer_fit",
            )
        if self.group_offer_replaces is not None:
            if self.selection_weight.value != 0:
                raise FieldIssue(
                    ("selection_weight",),
                    "ein Gruppenangebot wird nur statt einer Einzelhilfe vergeben: "
                    "selection_weight muss 0 sein",
                )
            if self.code in self.group_offer_replaces or self.billing != "fls":
                raise FieldIssue(
                    ("group_offer_replaces",),
                    "ein Gruppenangebot wird per FLS abgerechnet und ersetzt andere Hilfen",
                )
        return self


__all__ = [
    "INDEX_INDICATORS",
    "BudgetSection",
    "CalibrationRefSection",
    "Choices",
    "CounsellingSection",
    "HelpTypeAdjustmentSection",
    "HelpTypeSection",
    "IncentiveSection",
    "Name",
    "NeedSection",
    "OfficeSection",
    "PopulationSection",
    "ProjectSection",
    "ProviderSection",
    "ProviderSpecSection",
    "QuotaSection",
    "RecognitionSection",
    "RegionSection",
    "SchemeName",
    "Section",
    "SharePath",
    "SharePathQuantity",
    "allowed_values",
    "choice_text",
    "code_to_str",
    "parameter_annotation",
]
