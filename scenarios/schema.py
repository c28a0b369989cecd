"""Schema of scenario files, help-type files and their quantities (pydantic v2).

A scenario file is YAML. Every number in it is a *quantity*: a value with a unit and
either a ``source`` (where the figure comes from) or an ``assumption`` (why it was
chosen where no figure exists), never both, never neither::

    bound_share: {value: 0.7, unit: share, assumption: "Hebel der Reformvariante"}
    fls_rate: {value: 75.0, unit: EUR/FLS, assumption: "kein Lüneburger Wert; Fürth 69,80 € (2024)"}

The sections mirror :class:`model.params.ModelParams` (population, need, recognition,
counselling, provider, providers, projects, budget, incentive, regions) plus
references to the municipality data (``municipalities_file``) and the help types
(``help_types_file``), given relative to the scenario file. A *variant* file instead
holds ``extends`` (a scenario name or a relative path) and ``overrides`` (dotted path →
value or quantity); see :mod:`scenarios.loader`.

Every model forbids unknown keys. Validation messages are German; each field
declares the unit it expects, so a share given in percent (``unit: percent``) is
caught. Checks that need files (municipalities exist, help types) live in the loader.

References:
    PolicyEngine parameter YAML (value, unit, reference metadata) and its
    ``Reform.from_dict`` (validate before apply), as described in the project's
    STYLE notes.
"""

import math
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from model.allocation import INDICATORS
from model.params import POTS
from scenarios import limits
from scenarios.errors import FieldIssue
from scenarios.formatting import fmt_pct, fmt_value
from scenarios.limits import (
    MAX_DESCRIPTION_CHARS,
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    MAX_PROVENANCE_CHARS,
    too_large,
)

SHARE_SUM_TOLERANCE = 1e-9
"""How far a distribution may deviate from a sum of 1 (rounding in the file)."""

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

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# =========================================================================== quantities


class Quantity(BaseModel):
    """A number with unit and provenance (exactly one of ``source``/``assumption``)."""

    model_config = _STRICT

    value: Any
    unit: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    source: str | None = Field(default=None, max_length=MAX_PROVENANCE_CHARS)
    """Where the figure comes from: publication, table, year, URL."""
    assumption: str | None = Field(default=None, max_length=MAX_PROVENANCE_CHARS)
    """Why the value was chosen where no figure exists, ideally with a range."""

    @model_validator(mode="after")
    def _exactly_one_provenance(self) -> "Quantity":
        has_source = bool(self.source and self.source.strip())
        has_assumption = bool(self.assumption and self.assumption.strip())
        if has_source and has_assumption:
            raise ValueError(
                "entweder source (Quelle) oder assumption (Annahme) angeben, nicht beides"
            )
        if not has_source and not has_assumption:
            raise ValueError("Herkunft fehlt: source (Quelle) oder assumption (Annahme) angeben")
        return self

    @property
    def provenance(self) -> str:
        """``Quelle: …`` or ``Annahme: …`` for :attr:`ModelParams.provenance`."""
        if self.source and self.source.strip():
            return f"Quelle: {' '.join(self.source.split())}"
        return f"Annahme: {' '.join(str(self.assumption).split())}"


def _sum_text(total: float) -> str:
    """A sum as a percentage with enough digits to show that it is not 100 %."""
    decimals = 1
    while decimals < 12 and round(total * 100.0, decimals) == 100.0:
        decimals += 1
    return fmt_pct(total, decimals)


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("Wert muss eine endliche Zahl sein")
    return x


class NumberQuantity(Quantity):
    """Any finite number; subclasses narrow the allowed values with :meth:`problem`."""

    value: float

    @classmethod
    def problem(cls, v: float) -> str | None:
        """Why ``v`` is not allowed (German), or None if it is."""
        return None

    @field_validator("value")
    @classmethod
    def _check(cls, v: float) -> float:
        message = cls.problem(_finite(v))
        if message:
            raise ValueError(message)
        return v


class NonNegativeQuantity(NumberQuantity):
    """A number >= 0."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {fmt_value(v)} ist negativ; erlaubt sind Werte ab 0" if v < 0 else None


class PositiveQuantity(NumberQuantity):
    """A number > 0."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {fmt_value(v)} muss größer als 0 sein" if v <= 0 else None


class ShareQuantity(NumberQuantity):
    """A share or probability in [0, 1]."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return None if 0.0 <= v <= 1.0 else f"Wert {fmt_value(v)} liegt nicht zwischen 0 und 1"


class PositiveShareQuantity(NumberQuantity):
    """A share in (0, 1]."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        if 0.0 < v <= 1.0:
            return None
        return f"Wert {fmt_value(v)} liegt nicht zwischen 0 (ausgeschlossen) und 1"


class GrowthQuantity(NumberQuantity):
    """A relative change per year, > -1 and at most :data:`limits.MAX_GROWTH_PER_YEAR`."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        if v <= -1.0:
            return f"Wert {fmt_value(v)} muss größer als -1 sein"
        if v > limits.MAX_GROWTH_PER_YEAR:
            return too_large(
                v,
                limits.MAX_GROWTH_PER_YEAR,
                "",
                "+25 % je Jahr; so schnell wachsen weder Kreise noch ihre Haushalte",
            )
        return None


class CountQuantity(NumberQuantity):
    """A whole number >= 0."""

    value: int

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {v} ist negativ; erlaubt sind ganze Zahlen ab 0" if v < 0 else None


class PositiveIntQuantity(NumberQuantity):
    """A whole number >= 1."""

    value: int

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {v} muss eine ganze Zahl ab 1 sein" if v < 1 else None


class YearQuantity(NumberQuantity):
    """A calendar year."""

    value: int

    @classmethod
    def problem(cls, v: float) -> str | None:
        return None if 1900 <= v <= 2200 else f"Jahr {v} liegt nicht zwischen 1900 und 2200"


def capped(
    kind: type[NumberQuantity], maximum: float, unit: str, why: str, name: str
) -> type[NumberQuantity]:
    """A subclass of ``kind`` whose values may not exceed ``maximum`` in magnitude.

    The limit applies wherever ``kind``'s :meth:`~NumberQuantity.problem` does: to the
    quantity in a file and to the range of an uncertainty declared on it.

    Args:
        kind: The quantity class to narrow.
        maximum: Largest allowed value (and, for signed values, smallest ``-maximum``).
        unit: German unit shown after the limit (``€ je Jahr``).
        why: Short German reason of the limit, shown in the message.
        name: Class name (ends in ``Quantity``).

    Returns:
        The new quantity class.
    """

    def problem(cls: type[NumberQuantity], v: float) -> str | None:
        first = kind.problem(v)
        if first:
            return first
        if v < -maximum:
            limit = f"{limits.shown_number(-maximum)} {unit}"
            return f"Wert {limits.shown_number(v)} ist zu klein; mindestens {limit} ({why})"
        return too_large(v, maximum, unit, why) if v > maximum else None

    return type(
        name,
        (kind,),
        {
            "__module__": __name__,
            "__doc__": f"{kind.__doc__.rstrip('.')}, at most {maximum:g} ({unit}).",
            "__annotations__": {"maximum": ClassVar[float]},
            "maximum": maximum,
            "problem": classmethod(problem),
        },
    )


_MONTHS_WHY = "länger als eine Kindheit dauert nichts in der Jugendhilfe"
_EUR_WHY = "mehr gibt kein Kreis aus"

EurAmountQuantity = capped(
    NonNegativeQuantity, limits.MAX_EUR_AMOUNT, "€ je Jahr", _EUR_WHY, "EurAmountQuantity"
)
PosEurAmountQuantity = capped(
    PositiveQuantity, limits.MAX_EUR_AMOUNT, "€ je Jahr", _EUR_WHY, "PosEurAmountQuantity"
)
SignedEurQuantity = capped(
    NumberQuantity,
    limits.MAX_EUR_AMOUNT,
    "€",
    "so hohe Rücklagen hat kein Träger",
    "SignedEurQuantity",
)
EurPerFlsQuantity = capped(
    PositiveQuantity,
    limits.MAX_EUR_PER_FLS,
    "€ je FLS",
    "reale Sätze liegen bei 50 bis 100 €",
    "EurPerFlsQuantity",
)
EurPerDayQuantity = capped(
    PositiveQuantity,
    limits.MAX_EUR_PER_DAY,
    "€ je Tag",
    "auch die teuerste Unterbringung kostet weit weniger",
    "EurPerDayQuantity",
)
EurPerFteMonthQuantity = capped(
    PositiveQuantity,
    limits.MAX_EUR_PER_FTE_MONTH,
    "€ je Monat",
    "eine Vollzeitstelle kostet rund 6.000 bis 8.000 €",
    "EurPerFteMonthQuantity",
)
MonthCountQuantity = capped(
    CountQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "MonthCountQuantity"
)
PosMonthCountQuantity = capped(
    PositiveIntQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "PosMonthCountQuantity"
)
PosMonthsQuantity = capped(
    PositiveQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "PosMonthsQuantity"
)
HalfLifeMonthsQuantity = capped(
    NonNegativeQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "HalfLifeMonthsQuantity"
)
YearsQuantity = capped(
    PositiveIntQuantity, limits.MAX_YEARS, "Jahre", limits.YEARS_WHY, "YearsQuantity"
)
FteQuantity = capped(
    NonNegativeQuantity,
    limits.MAX_FTE,
    "Vollzeitstellen",
    "so viele Stellen hat kein Träger in einem Kreis",
    "FteQuantity",
)
FlsPerWeekQuantity = capped(
    PositiveQuantity,
    limits.MAX_FLS_PER_WEEK,
    "FLS je Woche",
    "eine Woche hat 168 Stunden",
    "FlsPerWeekQuantity",
)
HoursPerYearQuantity = capped(
    NonNegativeQuantity,
    limits.MAX_HOURS_PER_YEAR,
    "Stunden je Jahr",
    "das wären 600 Vollzeitstellen",
    "HoursPerYearQuantity",
)
ProposalsPerYearQuantity = capped(
    NonNegativeQuantity,
    limits.MAX_PROPOSALS_PER_YEAR,
    "Anträge je Jahr",
    "ein Sozialraum sieht einige Dutzend",
    "ProposalsPerYearQuantity",
)


def _months_problem(v: list[int]) -> str | None:
    """Why a list of months is not allowed (a month beyond :data:`limits.MAX_MONTHS`)."""
    for x in v:
        if x > limits.MAX_MONTHS:
            return too_large(x, limits.MAX_MONTHS, "Monate", _MONTHS_WHY)
    return None


class DistributionQuantity(Quantity):
    """Shares that sum to 1 (e.g. P(1 child), P(2 children), ...)."""

    value: list[float] = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[float]) -> list[float]:
        for i, x in enumerate(v):
            if not 0.0 <= _finite(x) <= 1.0:
                raise ValueError(
                    f"Eintrag {i + 1}: Wert {fmt_value(x)} liegt nicht zwischen 0 und 1"
                )
        total = math.fsum(v)
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise ValueError(f"Anteile ergeben nicht 100 % (Summe {_sum_text(total)})")
        return v


class IntRangeQuantity(Quantity):
    """A range ``[min, max]`` of whole numbers >= 0."""

    value: list[int] = Field(min_length=2, max_length=2)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[int]) -> list[int]:
        lo, hi = v
        if lo < 0 or hi < lo:
            raise ValueError(
                f"Bereich {fmt_value(v)} ungültig: erwartet [min, max] mit 0 ≤ min ≤ max"
            )
        return v


class IntChoicesQuantity(Quantity):
    """A non-empty list of whole numbers >= 1."""

    value: list[int] = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[int]) -> list[int]:
        bad = [x for x in v if x < 1]
        if bad:
            raise ValueError(f"Wert {fmt_value(bad[0])} muss eine ganze Zahl ab 1 sein")
        return v


class MonthRangeQuantity(IntRangeQuantity):
    """A range of months, each at most :data:`limits.MAX_MONTHS`."""

    @field_validator("value")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        problem = _months_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class MonthChoicesQuantity(IntChoicesQuantity):
    """Choices of months, each at most :data:`limits.MAX_MONTHS`."""

    @field_validator("value")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        problem = _months_problem(v)
        if problem:
            raise ValueError(problem)
        return v


def _shown(text: str, width: int = 60) -> str:
    """A text from a file as echoed in a message: at most ``width`` characters."""
    return text if len(text) <= width else f"{text[: width - 1]}…"


@dataclass(frozen=True)
class Unit:
    """The unit a field expects; used as a validator and as metadata for overrides."""

    name: str

    def __call__(self, q: Quantity) -> Quantity:
        """Check the quantity's unit."""
        if q.unit != self.name:
            raise ValueError(f"Einheit „{_shown(q.unit)}“ passt nicht; erwartet „{self.name}“")
        return q

    def before(self, raw: Any) -> Any:
        """Check the unit of a raw quantity before its value.

        A share written as ``{value: 70, unit: percent}`` is reported as a wrong
        unit, not as a value outside 0 to 1.
        """
        unit = raw.get("unit") if isinstance(raw, dict) else None
        if isinstance(unit, str) and unit and unit != self.name:
            raise ValueError(f"Einheit „{_shown(unit)}“ passt nicht; erwartet „{self.name}“")
        return raw


def q(kind: type[Quantity], unit: str) -> Any:
    """Annotated quantity type of ``kind`` that requires ``unit``."""
    checker = Unit(unit)
    return Annotated[kind, BeforeValidator(checker.before), AfterValidator(checker), checker]


Share = q(ShareQuantity, "share")
ShareMonth = q(ShareQuantity, "share/month")
ProbMonth = q(ShareQuantity, "probability/month")
GrowthYear = q(GrowthQuantity, "share/year")
EurYear = q(EurAmountQuantity, "EUR/year")
PosEurYear = q(PosEurAmountQuantity, "EUR/year")
Eur = q(SignedEurQuantity, "EUR")
PosEurMonth = q(EurPerFteMonthQuantity, "EUR/month")
PosEurFls = q(EurPerFlsQuantity, "EUR/FLS")
PosEurDay = q(EurPerDayQuantity, "EUR/day")
NeedLevel = q(NonNegativeQuantity, "need")
NeedWeight = q(NumberQuantity, "need")
NeedPerMonth = q(NonNegativeQuantity, "need/month")
SignedNeedPerMonth = q(NumberQuantity, "need/month")
NeedPerYear = q(NumberQuantity, "need/year")
Factor = q(NonNegativeQuantity, "factor")
RelChange = q(NonNegativeQuantity, "share")
PosFactor = q(PositiveQuantity, "factor")
Months = q(MonthCountQuantity, "months")
PosMonths = q(PosMonthCountQuantity, "months")
PosMonthsFloat = q(PosMonthsQuantity, "months")
MonthRange = q(MonthRangeQuantity, "months")
MonthChoices = q(MonthChoicesQuantity, "months")
Ages = q(NonNegativeQuantity, "years")
PosYears = q(YearsQuantity, "years")
CalendarYear = q(YearQuantity, "year")
Fte = q(FteQuantity, "FTE")
HoursYear = q(HoursPerYearQuantity, "hours/year")
AppointmentsMonth = q(PositiveQuantity, "appointments/month")
FlsMonth = q(PositiveQuantity, "FLS/month")
FlsWeek = q(FlsPerWeekQuantity, "FLS/week")
PlacesPer1000 = q(NonNegativeQuantity, "places/1000 u21")
FamiliesPer10k = q(NonNegativeQuantity, "families/10000 EUR")
ProposalsYear = q(ProposalsPerYearQuantity, "proposals/year")
GroupSize = q(PositiveQuantity, "families/FLS")
DegreesOfFreedom = q(NonNegativeQuantity, "df")
Distribution = q(DistributionQuantity, "share")
ScaleShare = q(PositiveShareQuantity, "share")


# =========================================================================== sections


class Section(BaseModel):
    """Base of all sections: strict, frozen, no unknown keys."""

    model_config = _STRICT


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
        return [_code_to_str(c) for c in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _weights(self) -> "BudgetSection":
        if self.index_weights:
            total = math.fsum(w.value for w in self.index_weights.values())
            if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
                raise FieldIssue(
                    ("index_weights",),
                    f"Anteile ergeben nicht 100 % (Summe {_sum_text(total)})",
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


# =========================================================================== levers etc.

LEVER_PATHS: tuple[str, ...] = (
    "budget.sozialraum_funds",
    "budget.bound_share",
    "budget.ambulatory_funds",
    "budget.regional2_share",
    "budget.central_funds",
    "budget.yearly_increase",
    "budget.allocation_key",
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
    """Possible values (levers that are a choice, e.g. the incentive scheme)."""

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
            return {_code_to_str(k): item for k, item in v.items()}
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> "ScenarioDoc":
        region_names: list[str] = []
        owner: dict[str, str] = {}
        for i, region in enumerate(self.regions):
            if region.name in region_names:
                raise FieldIssue(("regions", i, "name"), f"Regionsname „{region.name}“ ist doppelt")
            region_names.append(region.name)
            for m in region.municipalities:
                if m in owner:
                    raise FieldIssue(
                        ("regions", i, "municipalities"),
                        f"Gemeinde „{m}“ gehört schon zu Region „{owner[m]}“",
                    )
                owner[m] = region.name
        provider_names: set[str] = set()
        for i, spec in enumerate(self.providers):
            if spec.name in provider_names:
                raise FieldIssue(("providers", i, "name"), f"Trägername „{spec.name}“ ist doppelt")
            provider_names.add(spec.name)
            if spec.region is not None and spec.region not in region_names:
                raise FieldIssue(
                    ("providers", i, "region"),
                    f"unbekannte Region „{spec.region}“ (vorhanden: {', '.join(region_names)})",
                )
        self._check_levers_and_uncertainties(region_names)
        return self

    def _check_levers_and_uncertainties(self, region_names: list[str]) -> None:
        seen: dict[str, str] = {}
        for i, lever in enumerate(self.levers):
            path = lever.parameter
            if not is_lever_path(path):
                raise FieldIssue(
                    ("levers", i, "parameter"),
                    f"„{path}“ ist kein Hebel; Hebel sind {', '.join(LEVER_PATHS)}",
                )
            _check_parameter_path(path, ("levers", i, "parameter"), region_names)
            if path in seen:
                raise FieldIssue(("levers", i, "parameter"), f"„{path}“ ist doppelt aufgeführt")
            seen[path] = "Hebel"
        for i, unc in enumerate(self.uncertainties):
            path = unc.parameter
            loc: tuple[str | int, ...] = ("uncertainties", i, "parameter")
            if is_lever_path(path):
                raise FieldIssue(loc, f"„{path}“ ist ein Hebel, keine Unsicherheit")
            if any(path_matches(path, p) for p in NOT_UNCERTAIN):
                raise FieldIssue(loc, f"„{path}“ ist eine Laufeinstellung, keine Unsicherheit")
            tp = _check_parameter_path(path, loc, region_names)
            bare, _, _ = _strip(tp)
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
        for i, outcome in enumerate(self.outcomes):
            if outcome.metric in metrics:
                raise FieldIssue(("outcomes", i, "metric"), f"„{outcome.metric}“ ist doppelt")
            metrics.add(outcome.metric)


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


# =========================================================================== help types


def _code_to_str(v: Any) -> Any:
    # YAML reads an unquoted ``31`` as a number; codes are texts.
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
        return _code_to_str(v)

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
        return self


# =========================================================================== path walking


class PathError(Exception):
    """A dotted path does not name a field of the schema."""

    def __init__(self, depth: int, message: str) -> None:
        self.depth = depth
        self.message = message
        super().__init__(message)


def _strip(tp: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """(bare type, Annotated metadata, optional?) of an annotation."""
    meta: tuple[Any, ...] = ()
    optional = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            tp, meta = args[0], meta + tuple(args[1:])
            continue
        if origin is Union or origin is types.UnionType:
            args = [a for a in get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(get_args(tp))
            if len(args) == 1:
                tp = args[0]
                continue
        return tp, meta, optional


def is_quantity_type(tp: Any) -> bool:
    """Whether an annotation (possibly Annotated/Optional) is a quantity type."""
    bare, _, _ = _strip(tp)
    return isinstance(bare, type) and issubclass(bare, Quantity)


def declared_unit(tp: Any) -> str | None:
    """The unit a quantity annotation requires, if any."""
    _, meta, _ = _strip(tp)
    for m in meta:
        if isinstance(m, Unit):
            return m.name
    return None


def allowed_fields(model: type[BaseModel]) -> list[str]:
    """Field names of a section, in declaration order."""
    return list(model.model_fields)


def annotation_at(path: Sequence[str], root: type[BaseModel] = ScenarioDoc) -> tuple[Any, bool]:
    """Annotation of the field a dotted path names, and whether it may be removed.

    List items are addressed by position or name (``regions.Region 1``), dict
    entries by key. The path must end at a field, a list item or a dict entry;
    it cannot go inside a quantity.

    Args:
        path: The path's segments.
        root: The model the path starts at.

    Returns:
        ``(annotation, removable)``; ``removable`` is True for optional fields.

    Raises:
        PathError: With the depth of the first segment that does not fit.
    """
    tp: Any = root
    removable = False
    for depth, seg in enumerate(path):
        bare, _, _ = _strip(tp)
        origin = get_origin(bare)
        if isinstance(bare, type) and issubclass(bare, Quantity):
            raise PathError(depth, "Pfad führt in eine Größe hinein; die ganze Größe überschreiben")
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            fields = bare.model_fields
            if seg not in fields:
                raise PathError(
                    depth,
                    f"unbekanntes Feld „{seg}“ (erlaubt: {', '.join(fields)})",
                )
            info = fields[seg]
            tp = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            removable = not info.is_required()
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


def _check_parameter_path(
    path: str, loc: tuple[str | int, ...], region_names: Sequence[str]
) -> Any:
    """Annotation at a lever/uncertainty path; list items by name, ``*`` for all."""
    segs = path.split(".")
    for k, seg in enumerate(segs):
        if segs[0] == "regions" and k == 1 and seg != "*" and seg not in region_names:
            raise FieldIssue(
                loc, f"unbekannte Region „{seg}“ (vorhanden: {', '.join(region_names)})"
            )
    try:
        tp, _ = annotation_at(segs)
    except PathError as exc:
        raise FieldIssue(loc, f"{path}: {exc.message}") from None
    return tp


def model_at(
    loc: Sequence[str | int], root: type[BaseModel] = ScenarioDoc
) -> type[BaseModel] | None:
    """The section model at a pydantic location (for listing allowed fields)."""
    try:
        tp, _ = annotation_at([str(s) for s in loc], root)
    except PathError:
        return None
    bare, _, _ = _strip(tp)
    if get_origin(bare) is list:
        (bare,) = get_args(bare)
        bare, _, _ = _strip(bare)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return bare
    return None


__all__ = [
    "INDEX_INDICATORS",
    "LEVER_PATHS",
    "NOT_UNCERTAIN",
    "POTS",
    "SCHEME_PARAMS",
    "BudgetSection",
    "CounsellingSection",
    "HelpTypeSection",
    "HelpTypesDoc",
    "IncentiveSection",
    "LeverSection",
    "NeedSection",
    "OutcomeSection",
    "PathError",
    "PopulationSection",
    "ProjectSection",
    "ProviderSection",
    "ProviderSpecSection",
    "Quantity",
    "RecognitionSection",
    "RegionSection",
    "ScenarioDoc",
    "UncertaintySection",
    "Unit",
    "VariantDoc",
    "allowed_fields",
    "annotation_at",
    "declared_unit",
    "is_lever_path",
    "is_quantity_type",
    "model_at",
    "path_matches",
]
