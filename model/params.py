"""Engine parameters: frozen, typed, one object per run.

Everything the engine needs is in one :class:`ModelParams` object. Scenario files
(``scenarios/``) validate the user's YAML and convert it, once, into these objects;
the engine never reads files. Every value's source (or its status as an assumption)
lives in the scenario file and is carried along in :attr:`ModelParams.provenance`.

Units are given in each field's docstring. Money is in euros (the ledger books
integer cents). Time is in months unless a name says otherwise. "Need" is the
latent family burden (*Belastung*), a dimensionless score >= 0.

References:
    Grimm, V. et al. (2020): The ODD protocol for describing agent-based and other
    simulation models: a second update. JASSS 23(2) 7. (docs/ODD.md describes the
    model with these parameters.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Setting = Literal["ambulant", "teilstationaer", "stationaer", "krise"]
Billing = Literal["fls", "daily"]
Trait = Literal["none", "disability", "young_adult", "crisis"]
Role = Literal["sozialraumtraeger", "ambulant", "stationaer"]
AllocationKey = Literal["population", "sozialraumindex", "history"]
SchemeName = Literal["none", "retention", "bonus_malus", "flat", "balancing"]
BurnInRules = Literal["pre_reform", "scenario"]

POTS: tuple[str, ...] = ("bound", "regional_1", "regional_2", "central")
"""The four budget pots, in ledger order: gebundenes Budget, regionales Budget 1,
regionales Budget 2, zentrales Budget (everything not regionalised). Their German
labels are in :data:`results.labels.POT_LABELS` (the engine shows nothing to users)."""


@dataclass(frozen=True)
class HelpType:
    """One SGB VIII help type and how the engine grants, bills and ends it."""

    code: str
    """Short code, e.g. ``"31"`` for §31 or ``"27_2"`` for §27 Abs. 2."""
    label: str
    """German label shown to users, e.g. ``"§31 SPFH"``."""
    setting: Setting
    """ambulant, teilstationaer, stationaer or krise (§42)."""
    billing: Billing
    """``fls``: paid per Fachleistungsstunde; ``daily``: paid per day."""
    fls_per_week: float
    """Mean intensity in FLS per week (billing ``fls``); 0 otherwise."""
    daily_rate: float
    """EUR per day (billing ``daily``); 0 otherwise."""
    mean_duration_months: float
    """Mean planned duration of a help in months (ended helps)."""
    need_min: float
    """Lowest assessed need for which this help is granted (need score)."""
    need_max: float
    """Need at or above which a more intensive help is granted instead."""
    age_min_years: float
    """Lowest age of the index child (years)."""
    age_max_years: float
    """Age of the index child (years) below which the help applies."""
    selection_weight: float
    """Relative weight among the help types eligible for a family (dimensionless)."""
    help_effect: float
    """Reduction of need per month at the type's mean intensity (need units/month)."""
    escalates_to: str | None
    """Code of the more intensive help that follows an escalation, or None."""
    regional2_eligible: bool
    """Whether the help belongs to the ambulatory funds of which a share becomes
    regional budget 2 (EB §30, SPFH §31, flexible Hilfen §27 Abs. 2)."""
    group_size: float = 1.0
    """Families served by one FLS (fallübergreifend, e.g. §29 groups); >= 1."""
    trait: Trait = "none"
    """Family trait the help requires: ``disability`` (§35a), ``young_adult`` (§41),
    ``crisis`` (§42, granted only after a §8a crisis)."""


@dataclass(frozen=True)
class Municipality:
    """A municipality (Gemeinde, Samtgemeinde, Stadtteil) in a region."""

    name: str
    population: int
    """Inhabitants (persons)."""
    area_km2: float
    """Area in km² (0 when unknown)."""


@dataclass(frozen=True)
class Region:
    """A Sozialraum / region with its municipalities and social indicators."""

    name: str
    municipalities: tuple[Municipality, ...]
    sgb2_share: float
    """Share of families with minors receiving SGB II (0..1)."""
    single_parent_share: float
    """Share of single-parent families among families with minors (0..1)."""
    migration_share: float = 0.0
    """Share of under-21s with international roots (0..1); Sozialraumindex only."""
    unemployment_share: float = 0.0
    """Unemployment rate (0..1); Sozialraumindex only."""
    direct_contact_share: float = 0.75
    """Share of a billed FLS that is direct contact; the rest is travel and
    documentation (Hilden seed; Friesland: 45 of 60 minutes). Lower in sparse regions."""

    @property
    def population(self) -> int:
        """Total inhabitants of the region."""
        return sum(m.population for m in self.municipalities)


@dataclass(frozen=True)
class PopulationParams:
    """How families are synthesised from municipality populations."""

    under21_share: float
    """Share of inhabitants under 21 (0..1)."""
    children_distribution: tuple[float, ...]
    """P(1 child), P(2 children), ... for families with children under 21; sums to 1."""
    child_spacing_months: tuple[int, int]
    """Range (min, max) of the age gap between siblings, months."""
    sgb2_single_parent_ratio: float
    """How many times more likely a single-parent family receives SGB II."""
    disability_share: float
    """Share of families with a child at risk of a seelische Behinderung (§35a trait)."""
    growth_per_year: float
    """Yearly relative change of the number of families (e.g. 0.005 = +0.5 %)."""


@dataclass(frozen=True)
class NeedParams:
    """Monthly dynamics of the latent need (Belastung) of each family."""

    base: float
    """Baseline need level of a family without risk factors."""
    w_single_parent: float
    """Added to the family's need level if single parent."""
    w_sgb2: float
    """Added to the family's need level if receiving SGB II."""
    w_per_child: float
    """Added per child beyond the first."""
    w_history: float
    """Added per earlier help the family received (fading with
    ``history_half_life_months``)."""
    trait_sd: float
    """Standard deviation of the family's individual need level (resources)."""
    reversion: float
    """Monthly pull of need toward the family's level (0..1)."""
    shock_sd: float
    """Standard deviation of the monthly need shock."""
    trend_per_year: float
    """Yearly drift of all families' need levels (uncertainty: need trend)."""
    counselling_effect: float
    """Need reduction per month while a family is counselled by a Sozialraumbüro."""
    threshold_counselling: float
    """Need from which a family may seek counselling."""
    threshold_help: float
    """Need from which a family is entitled to a help (Rechtsanspruch)."""
    threshold_crisis: float
    """Need from which a §8a crisis can occur."""
    threshold_success: float
    """Need below which a help ends successfully at a Hilfeplan review."""
    history_half_life_months: float = 0.0
    """Half-life of the risk an earlier help adds (months); 0 = it never fades."""
    w_disability: float = 0.0
    """Added to the family's need level if a child is at risk of a seelische
    Behinderung (§35a trait)."""
    trait_df: float = 0.0
    """Degrees of freedom of the Student-t distribution of the families' individual
    need levels (heavy tail: a few families with many problems); 0 = normal."""


@dataclass(frozen=True)
class RecognitionParams:
    """How need becomes known to the Jugendamt (monthly probabilities)."""

    p_self_request: float
    """Monthly probability that an entitled family asks for help itself."""
    p_report: float
    """Monthly probability that a school, Kita, doctor or neighbour reports it."""
    p_crisis: float
    """Monthly probability of a §8a crisis for a family above the crisis threshold."""
    counselling_referral_factor: float
    """Factor on the self-request probability of families known to a Sozialraumbüro."""
    report_rate_factor: float = 1.0
    """Uncertainty multiplier on the report probability (reporting rates)."""
    young_adult_factor: float = 1.0
    """Factor on the probability that an entitled family becomes known (self-request
    or report combined) if its index child is 18–20 (young adults ask and are
    reported less often)."""


@dataclass(frozen=True)
class CounsellingParams:
    """Sozialraumbüros: low-threshold counselling paid from the bound budget."""

    cost_per_fte_year: float
    """EUR per full-time counsellor and year, including overhead."""
    fixed_share: float
    """Share of the bound budget for rent and material (not staff)."""
    appointments_per_fte_month: float
    """Counselling appointments one full-time counsellor provides per month."""
    appointments_per_family_month: float
    """Appointments a counselled family uses per month."""
    p_seek: float
    """Monthly probability that a family above the counselling threshold seeks counselling."""
    months: int
    """Months a counselling episode lasts."""


@dataclass(frozen=True)
class ProviderSpec:
    """A provider (Träger) at the start of a run."""

    name: str
    region: str | None
    """Region served, or None for providers active in every region."""
    role: Role
    """``sozialraumtraeger`` (runs the Sozialraumbüro), ``ambulant`` or ``stationaer``."""
    staff_fte: float
    """Full-time staff for fallspezifische work at the start."""
    reserves: float
    """Financial reserves at the start, EUR."""
    attractiveness: float = 1.0
    """Relative weight in families' choice (Wunsch- und Wahlrecht)."""
    lead_regions: tuple[str, ...] = ()
    """Regions this Sozialraumträger leads although it is active in every region
    (``region`` None): it receives their office and flat budgets and their bonus or
    malus. Empty: a Sozialraumträger leads its own ``region``. Lets one provider lead
    several regions (Celle: four providers, six Sozialbezirke)."""


@dataclass(frozen=True)
class ProviderParams:
    """Provider economics and behaviour."""

    fls_rate: float
    """EUR per Fachleistungsstunde (ambulatory help)."""
    fls_per_fte_month: float
    """Billable FLS one full-time worker delivers per month."""
    cost_per_fte_month: float
    """EUR cost of one full-time worker per month incl. overhead."""
    hiring_lag_months: int
    """Months between deciding to hire (or shed) and the change taking effect."""
    max_staff_change: float
    """Largest relative staff change a provider decides per month (0..1)."""
    target_utilisation: float
    """Share of capacity a provider aims to have in use (0..1)."""
    exit_after_months: int
    """Months with negative reserves after which a provider leaves the market."""
    stationary_places_per_1000_u21: float
    """Places in teilstationär and stationär settings (§32, §33, §34) per 1,000
    under-21 (supra-regional market). Other day-rate helps (§35a, §41, §42) are not
    limited by places: an Inobhutnahme starts at once."""
    responsiveness: float
    """How strongly providers react to incentives (0 = not at all, 1 = fully)."""
    savings_duration_cut: float
    """Relative shortening of planned duration at full responsiveness under a savings reward."""
    savings_intensity_cut: float
    """Relative cut of FLS per week at full responsiveness under a savings reward."""
    per_hour_extension: float
    """Relative lengthening of planned duration at full responsiveness under pay per hour."""
    intensity_spread: float = 0.4
    """FLS per week of a granted help vary uniformly within ± this share around the
    type's mean (the assessment of the individual case)."""
    effect_reference_contact_share: float = 0.75
    """Direct-contact share of an FLS at which a help type's ``help_effect`` applies;
    a region with less direct contact per FLS gets proportionally less effect."""
    pressure_full_overrun: float = 0.10
    """Forecast overrun of regional budget 2 (relative) at which the quarterly
    controlling puts full savings pressure on the providers."""


@dataclass(frozen=True)
class ProjectParams:
    """Prevention projects (fallunspezifische Arbeit) funded from regional budget 1."""

    proposals_per_region: float
    """Mean number of project proposals per region and year."""
    cost_mean: float
    """Mean yearly cost of a project, EUR."""
    cost_sd: float
    """Standard deviation of project cost, EUR."""
    families_per_10k_eur: float
    """Families a project reaches per 10,000 EUR of yearly cost."""
    duration_months: tuple[int, ...]
    """Possible project durations in months (drawn uniformly)."""
    effect_mean: float
    """Mean monthly need reduction for a reached family (uncertainty: project effect)."""
    effect_sd: float
    """Spread of the true effect between projects."""
    vote_min_score: float
    """Minimal expected families reached per 10,000 EUR for a positive vote."""
    review_min_effect: float
    """Smallest observed effect for a project to continue after the Q1 review."""
    targeting: float
    """How strongly projects reach families with higher need (0 = at random)."""
    cost_min_share: float = 0.2
    """Smallest project cost as a share of ``cost_mean`` (drawn costs are cut there)."""
    reach_cv: float = 0.35
    """Coefficient of variation of a proposal's reach per 10,000 EUR between proposals."""


@dataclass(frozen=True)
class BudgetParams:
    """Budget volumes, the split into pots and the allocation key."""

    start_year: int
    """First simulated calendar year."""
    sozialraum_funds: float
    """EUR per year for sozialräumliche Arbeit (bound budget + regional budget 1)."""
    bound_share: float
    """Share of the sozialraum funds that forms the bound budget (0..1)."""
    ambulatory_funds: float
    """EUR per year planned for the regionalisable ambulatory helps (EB, SPFH, flexible)."""
    regional2_share: float
    """Share of the ambulatory funds given to the regions as regional budget 2 (0..1)."""
    central_funds: float
    """EUR per year planned for all other helps (central budget, excluding the
    ambulatory funds)."""
    yearly_increase: float
    """Relative yearly increase of all budgets (prices, tariffs)."""
    allocation_key: AllocationKey
    """How pots are allocated to regions."""
    index_weights: dict[str, float] = field(default_factory=dict)
    """Sozialraumindex weights per indicator (sgb2_share, single_parent_share,
    migration_share, unemployment_share; see ``model.allocation.INDICATORS``). HzE
    case numbers are
    deliberately not an indicator (Ulm Anlage 3)."""
    coordination_hours: dict[str, float] = field(default_factory=dict)
    """Hours per year and region that the region's Sozialraumträger bills for
    steering work, by purpose (Ulm §6(2) Sozialraumkosten: controlling, jour fix,
    network, ad-hoc teams), valued at ``ProviderParams.fls_rate``. They are added to
    the bound budget, equally per region, and paid to the Sozialraumträger; they do
    not fund counselling."""
    regional2_help_types: tuple[str, ...] | None = None
    """Codes of the help types whose funds form ``ambulatory_funds`` and of which
    ``regional2_share`` goes to regional budget 2; None: the help types marked
    ``regional2_eligible`` (EB, SPFH, flexible Hilfen). Celle: ambulatory helps and
    day groups (§32) in the flat budget; Ulm: every help in the Sozialraum budget."""
    burn_in_rules: BurnInRules = "pre_reform"
    """Rules during the burn-in. ``pre_reform``: all sozialraum funds in the bound
    budget, no regional budget 2, no incentive (Lüneburg before its reform, the same
    for every scenario of a comparison); ``scenario``: the scenario's own budget
    rules and incentive scheme, for systems that have been in place for years (Ulm
    since 2003, Celle since 2001, Potsdam-Mittelmark since 2012)."""


@dataclass(frozen=True)
class IncentiveParams:
    """Which incentive scheme applies, with its parameters."""

    scheme: SchemeName
    """none, retention, bonus_malus, flat or balancing."""
    retention_share: float = 0.0
    """Retention: share of unspent regional budget 2 moved to next year's regional budget 1."""
    corridor: float = 0.05
    """Bonus/malus: half-width of the target corridor around the budget (relative)."""
    bonus_share: float = 0.0
    """Bonus/malus: share of the saving below the corridor paid to providers."""
    malus_share: float = 0.0
    """Bonus/malus: share of the overrun above the corridor charged to providers."""
    balancing_pots: tuple[str, ...] = ("regional_2",)
    """Balancing: pots whose regional balances are evened out at year end (Ulm §7.2)."""


@dataclass(frozen=True)
class ModelParams:
    """Everything one run needs."""

    name: str
    """Scenario name."""
    regions: tuple[Region, ...]
    help_types: tuple[HelpType, ...]
    population: PopulationParams
    need: NeedParams
    recognition: RecognitionParams
    counselling: CounsellingParams
    providers: tuple[ProviderSpec, ...]
    provider: ProviderParams
    projects: ProjectParams
    budget: BudgetParams
    incentive: IncentiveParams
    years: int = 5
    """Simulated years."""
    scale: float = 1.0
    """Share of the real population simulated (1.0 = full scale)."""
    review_interval_months: int = 6
    """Months between Hilfeplan reviews (§36)."""
    burn_in_months: int = 36
    """Months simulated before the first reported month, under the pre-reform rules
    (all sozialraum funds in the bound budget, no regional budget 2, no incentive),
    so that the stock of running helps is built up; identical for every scenario of
    a comparison with the same seed."""
    provenance: tuple[tuple[str, str], ...] = ()
    """(parameter path, source or 'assumption: ...') pairs from the scenario file."""

    @property
    def region_names(self) -> tuple[str, ...]:
        """Names of the regions in model order."""
        return tuple(r.name for r in self.regions)

    @property
    def help_codes(self) -> tuple[str, ...]:
        """Codes of the help types in model order."""
        return tuple(h.code for h in self.help_types)

    def help_index(self, code: str) -> int:
        """Index of a help type by its code."""
        return self.help_codes.index(code)
