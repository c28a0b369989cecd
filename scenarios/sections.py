"""Schema sections of scenario and help-type files (pydantic v2).

The sections mirror :class:`model.params.ModelParams` (population, need,
recognition, counselling, provider, providers, projects, budget, incentive, regions,
help types); each field is a quantity with the unit it requires
(:mod:`scenarios.quantities`). Two sections have no engine counterpart: the
reference to a calibration file and the scenario's adjustments of help types.

Every section forbids unknown keys and checks what it can check alone (thresholds in
order, shares summing to 1, an incentive scheme with exactly its own parameters);
checks across sections live in :mod:`scenarios.documents`, checks that need files in
:mod:`scenarios.build`.
"""

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from model.allocation import INDICATORS
from scenarios.errors import FieldIssue
from scenarios.formatting import fmt_value
from scenarios.limits import MAX_LABEL_CHARS, MAX_NAME_CHARS
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
    RelChange,
    ScaleShare,
    Share,
    ShareMonth,
    SignedNeedPerMonth,
    q,
    sum_text,
)

INDEX_INDICATORS = INDICATORS
"""Indicators a Sozialraumindex may weight (Ulm Anlage 3; HzE case numbers excluded)."""

SCHEME_PARAMS: dict[str, tuple[str, ...]] = {
    "none": (),
    "retention": ("retention_share",),
    "bonus_malus": ("corridor", "bonus_share", "malus_share"),
    "flat": (),
    "balancing": ("balancing_pots",),
}
"""Parameters that belong to each incentive scheme (required unless they have a default)."""

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
"""A name or code (region, municipality, provider, help type, path): 1 to
:data:`limits.MAX_NAME_CHARS` characters."""


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


class ProviderSpecSection(Section):
    """:class:`model.params.ProviderSpec` (one provider at the start)."""

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    region: Name | None = None
    """Region served; omit (or null) for providers active in every region."""
    role: Literal["sozialraumtraeger", "ambulant", "stationaer"]
    staff_fte: Fte
    reserves: Eur
    attractiveness: PosFactor | None = None
    lead_regions: list[Name] | None = Field(default=None, min_length=1)
    """Regions a Sozialraumträger active in every region leads (receives their
    office and flat budgets); omit to lead its own ``region``."""

    @model_validator(mode="after")
    def _lead_regions(self) -> "ProviderSpecSection":
        if self.lead_regions is None:
            return self
        if self.role != "sozialraumtraeger":
            raise FieldIssue(
                ("lead_regions",),
                "nur ein Sozialraumträger (role sozialraumtraeger) leitet Regionen",
            )
        if self.region is not None:
            raise FieldIssue(
                ("lead_regions",),
                "lead_regions nur für Träger, die in allen Regionen tätig sind (ohne region); "
                "ein Träger mit region leitet seine Region",
            )
        if len(set(self.lead_regions)) != len(self.lead_regions):
            raise FieldIssue(("lead_regions",), "eine Region ist doppelt aufgeführt")
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
    index_weights: dict[
        Literal[
            "sgb2_share",
            "single_parent_share",
            "migration_share",
            "unemployment_share",
        ],
        Share,
    ] = Field(default_factory=dict)
    coordination_hours: dict[Name, HoursYear] = Field(default_factory=dict)
    """Sozialraumkosten: hours per year and region by purpose (Ulm §6(2)), valued at
    the FLS rate and added to the bound budget."""
    regional2_help_types: list[Name] | None = Field(default=None, min_length=1)
    """Codes of the help types regional budget 2 covers; omit for the help-type
    file's ``regional2_eligible``."""
    burn_in_rules: Literal["pre_reform", "scenario"] = "pre_reform"
    """Rules during the burn-in: before the reform, or the scenario's own."""

    @field_validator("regional2_help_types", mode="before")
    @classmethod
    def _codes_as_text(cls, v: Any) -> Any:
        return [code_to_str(c) for c in v] if isinstance(v, list) else v

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


class IncentiveSection(Section):
    """:class:`model.params.IncentiveParams`: the scheme and only its own parameters."""

    scheme: Literal["none", "retention", "bonus_malus", "flat", "balancing"]
    retention_share: Share | None = None
    corridor: Share | None = None
    bonus_share: Share | None = None
    malus_share: Share | None = None
    balancing_pots: list[Literal["bound", "regional_1", "regional_2", "central"]] | None = Field(
        default=None, min_length=1
    )

    @model_validator(mode="after")
    def _scheme_params(self) -> "IncentiveSection":
        own = SCHEME_PARAMS[self.scheme]
        for name in ("retention_share", "corridor", "bonus_share", "malus_share", "balancing_pots"):
            given = getattr(self, name) is not None
            if given and name not in own:
                raise FieldIssue(
                    (name,),
                    f"Parameter gehört nicht zum Anreizsystem „{self.scheme}“ "
                    f"(erlaubt: {', '.join(own) or 'keine Parameter'})",
                )
            if not given and name in own and name != "balancing_pots":
                raise FieldIssue((name,), f"Anreizsystem „{self.scheme}“ braucht diesen Parameter")
        return self


class RegionSection(Section):
    """:class:`model.params.Region`; municipalities are names in the municipality file."""

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    municipalities: list[Name] = Field(min_length=1)
    sgb2_share: Share
    single_parent_share: Share
    migration_share: Share
    unemployment_share: Share
    direct_contact_share: ScaleShare

    @field_validator("municipalities")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in v:
            if name in seen:
                raise ValueError(f"Gemeinde „{name}“ ist doppelt aufgeführt")
            seen.add(name)
        return v


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

    Only the behavioural assumptions without a published figure, which the
    calibration fits: how often a help is chosen, for which need, and how fast it
    reduces need.
    """

    selection_weight: Factor | None = None
    """Replaces ``selection_weight`` of the help type."""
    need_min: NeedLevel | None = None
    """Replaces ``need_min`` (must stay below the help type's ``need_max``)."""
    need_max: NeedLevel | None = None
    """Replaces ``need_max`` (must stay above the help type's ``need_min``)."""
    help_effect: NeedPerMonth | None = None
    """Replaces ``help_effect`` of the help type."""


# =========================================================================== help types


def code_to_str(v: Any) -> Any:
    """A help-type code as text: YAML reads an unquoted ``31`` as a number.

    >>> code_to_str(31), code_to_str("27_2"), code_to_str(True)
    ('31', '27_2', True)
    """
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


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
        if self.group_size is not None and self.group_size.value < 1:
            raise FieldIssue(("group_size",), "Gruppengröße muss mindestens 1 sein")
        if self.escalates_to == self.code:
            raise FieldIssue(("escalates_to",), "eine Hilfe kann nicht in sich selbst eskalieren")
        return self


__all__ = [
    "INDEX_INDICATORS",
    "SCHEME_PARAMS",
    "BudgetSection",
    "CalibrationRefSection",
    "CounsellingSection",
    "HelpTypeAdjustmentSection",
    "HelpTypeSection",
    "IncentiveSection",
    "Name",
    "NeedSection",
    "PopulationSection",
    "ProjectSection",
    "ProviderSection",
    "ProviderSpecSection",
    "RecognitionSection",
    "RegionSection",
    "Section",
    "code_to_str",
]
