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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

Setting = Literal["ambulant", "teilstationaer", "stationaer", "krise"]
Billing = Literal["fls", "daily"]
Trait = Literal["none", "disability", "young_adult", "crisis"]
Role = Literal["sozialraumtraeger", "ambulant", "stationaer"]
AllocationKey = Literal["population", "sozialraumindex", "history"]
BurnInRules = Literal["pre_reform", "scenario"]
Regional2Scope = Literal["running", "new_grants", "lead_provider"]
Regional2Payment = Literal["pro_rata", "first_come"]
Regional2Exhaustion = Literal["central", "next_year"]
IncentiveRecipients = Literal["delivered_share", "lead_provider", "regional_body"]

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
    group_offer_replaces: tuple[str, ...] = ()
    """Non-empty: this type is the fallübergreifende group offer a region funds from
    its regional budget 2 (``BudgetParams.regional2_group_share``), and these are the
    codes of the individual helps a place in it can replace. Such a type is never
    chosen by the assessment itself (its ``selection_weight`` is 0)."""
    group_offer_fit: float = 0.0
    """Share of new grants of a replaceable help for which the Hilfeplan finds a
    place in the group offer fitting (0..1; a behavioural assumption)."""


def carried_by_regional2(help_type: HelpType, codes: tuple[str, ...] | list[str] | None) -> bool:
    """Whether regional budget 2 covers a help type.

    ``codes`` is ``BudgetParams.regional2_help_types``: the help types it names, or
    (None) those marked ``regional2_eligible`` in the help-type file.
    """
    return help_type.regional2_eligible if codes is None else help_type.code in codes


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
    indirect_hours_per_fls: float = 0.25
    """Hours of travel and documentation that one billed FLS needs in the region
    besides its direct contact. A billed FLS takes ``direct_contact_share +
    indirect_hours_per_fls`` staff hours: requiring more direct contact per FLS (at an
    equal FLS rate) costs the provider more staff time per billed hour, so its cost
    per billed FLS rises and its capacity in FLS falls. Default: Friesland's 15
    minutes per hour."""

    @property
    def staff_hours_per_fls(self) -> float:
        """Staff hours one billed FLS takes in the region."""
        return self.direct_contact_share + self.indirect_hours_per_fls

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
    """Share of the bound budget for rent and material (not staff); only without
    offices (``ModelParams.offices``), whose fixed costs are in euros."""
    appointments_per_fte_month: float
    """Counselling appointments one full-time counsellor provides per month."""
    appointments_per_family_month: float
    """Appointments a counselled family uses per month."""
    p_seek: float
    """Monthly probability that a family above the counselling threshold seeks counselling."""
    months: int
    """Months a counselling episode lasts."""


@dataclass(frozen=True)
class OfficeSpec:
    """A Sozialraumbüro: one office in one Sozialraum, run by a Sozialraumträger.

    Paid from the bound budget. Each January the office pays its fixed costs first
    (rent, travel, overhead) and staffs counselling positions with the rest
    (``CounsellingParams.cost_per_fte_year``); its counselling capacity is its
    positions times ``CounsellingParams.appointments_per_fte_month``. Money moved
    from the bound budget to regional budget 1 therefore costs positions and
    appointments, never fixed costs. The office's money and costs are booked to its
    Träger (ledger and the provider's books).
    """

    name: str
    """Name, e.g. ``"Sozialraumbüro Scharnebeck"``."""
    sozialraum: str
    """The Sozialraum it serves: the name of a municipality of one region (the
    office belongs to that municipality's region)."""
    provider: str
    """Name of the Sozialraumträger (a :class:`ProviderSpec`) that runs it."""
    budget_before: float
    """EUR per year the office received under the distribution before the quota
    (Lüneburg: 2025). Their shares are the old quota: the split of the sozialraum
    funds before :attr:`QuotaParams.start_year` and the base of the deficits."""
    rent: float
    """EUR per year for rooms (in ``BudgetParams.start_year`` prices)."""
    travel: float
    """EUR per year for travel (home visits, outreach), same prices."""
    overhead: float
    """EUR per year for management, administration and material, same prices."""

    @property
    def fixed_costs(self) -> float:
        """Rent, travel and overhead, EUR per year."""
        return self.rent + self.travel + self.overhead


@dataclass(frozen=True)
class QuotaParams:
    """A distribution quota of the sozialraum funds by Sozialraum (Lüneburg, Vorlage 2025/124).

    From :attr:`start_year` the sozialraum funds (bound budget and regional budget 1
    together, the "Gesamtbudget") are split between the offices' Sozialräume by
    their under-21 population weighted by an index of social burden indicators
    (:func:`model.allocation.quota_shares`). Sozialräume in :attr:`compensated` that
    receive less than before (``OfficeSpec.budget_before``) are compensated: their
    deficit of the first quota year is taken off the top, paid to them at the share
    :attr:`compensation_path` gives for the year, and the rest of it goes to
    regional budget 1 of their region (:func:`model.allocation.office_split`).
    """

    start_year: int
    """First calendar year of the quota."""
    indicators: dict[str, dict[str, float]]
    """Per Sozialraum (municipality name): indicator name → value (shares 0..1), for
    the indicators of ``model.allocation.INDICATORS``."""
    index_weights: dict[str, float]
    """Weight per indicator in the index (sum 1)."""
    compensated: tuple[str, ...] = ()
    """Sozialräume whose deficit under the quota is compensated."""
    compensation_path: tuple[float, ...] = ()
    """Share of the deficit compensated in ``start_year``, the year after, …; years
    after the last entry keep the last entry (0: phased out)."""


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
    malus. Empty: a Sozialraumträger leads its own ``region`` (or all its
    ``regions``). Lets one provider lead several regions (Celle: four providers, six
    Sozialbezirke)."""
    regions: tuple[str, ...] = ()
    """Regions served by a provider active in some but not all regions (``region``
    None). Empty: ``region`` decides (one region, or every region when None)."""


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
    controlling_signal: float = 0.0
    """Savings signal (per unit of the share of a bill regional budget 2 pays) that
    full controlling pressure sends to the providers of a region's regional-budget-2
    helps by itself, without a reward for saving: the Jugendamt's controlling asks
    for shorter and less intensive helps when the region is forecast to overrun.
    0: the controlling's pressure only strengthens an incentive scheme's signal."""
    lead_referral_share: float = 0.0
    """Share of the families waiting for an FLS-billed help whom the Jugendamt's
    Sozialraumteam refers to their region's Sozialraumträger first (Ulm: the
    Schwerpunktträger delivers the Sozialraum's help, other Träger by the family's
    choice). A referred family starts with the lead provider if its free capacity
    covers the hours, else it chooses freely; hours the lead had to turn away count
    as its demand when it plans staff. 0: every family chooses freely."""


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
    regional2_scope: Regional2Scope = "running"
    """Which helps a region's regional budget 2 carries. ``running``: every help of a
    regional-budget-2 type of the region's families, including those running at the
    reform date (handed over in its first month); ``new_grants``: only helps granted
    from the reform date, running ones stay central until they end; ``lead_provider``:
    only helps delivered by the region's Sozialraumträger (decided when the help
    starts)."""
    regional2_payment: Regional2Payment = "pro_rata"
    """How regional budget 2 pays a help it carries. ``pro_rata``: the share
    ``regional2_share`` of every monthly bill (the rest from the central budget), so a
    region spends its budget at the pace of its helps; ``first_come``: whole bills, in
    the order of the helps' rows, until the money is used up."""
    regional2_exhaustion: Regional2Exhaustion = "central"
    """What happens when a region's regional budget 2 is used up. ``central``: the
    central budget pays the rest of the year (booked, never refused); ``next_year``:
    regional budget 2 keeps paying and the overrun is deducted from the region's
    regional budget 2 of the next year."""
    incentive_recipients: IncentiveRecipients = "delivered_share"
    """Who receives a region's bonus (and bears its malus). ``delivered_share``: every
    provider in proportion to what it billed in the year for the helps regional
    budget 2 carries in the region; ``lead_provider``: the region's Sozialraumträger
    alone; ``regional_body``: the region's regional budget 1 of the next year (for
    projects), no provider. Only a recipient has a reason to save: with
    ``lead_provider`` only the Sozialraumträger's helps get the savings signal."""
    regional2_group_share: float = 0.0
    """Share of each region's regional budget 2 that the region puts into places in
    its fallübergreifende group offer (the help type with ``group_offer_replaces``),
    run by the region's Sozialraumträger: the places it can pay for a year at the
    group's cost per family. 0: no group offer."""
    burn_in_rules: BurnInRules = "pre_reform"
    """Rules during the burn-in. ``pre_reform``: all sozialraum funds in the bound
    budget, no regional budget 2, no incentive (Lüneburg before its reform, the same
    for every scenario of a comparison); ``scenario``: the scenario's own budget
    rules and incentive scheme, for systems that have been in place for years (Ulm
    since 2003, Celle since 2001, Potsdam-Mittelmark since 2012)."""


class SchemeValues(dict[str, Any]):
    """A frozen mapping of parameter name → value (hashable, picklable, JSON-able as a dict)."""

    def _frozen(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("scheme parameter values cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _frozen
    clear = pop = popitem = setdefault = update = _frozen

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple[type[SchemeValues], tuple[dict[str, Any]]]:
        return (SchemeValues, (dict(self),))


@dataclass(frozen=True, init=False)
class IncentiveParams:
    """Which incentive scheme applies, with its parameters.

    The schemes and their parameters are registered in :mod:`model.incentives`; the
    values are checked against the scheme's parameters when the object is made and
    completed with the defaults of the parameters not given. A parameter reads as an
    attribute (``params.retention_share``)::

        IncentiveParams("retention", retention_share=0.5)
        IncentiveParams(scheme="balancing", values={"balancing_pots": ("regional_2",)})
    """

    scheme: str
    """Name of a registered scheme (:data:`model.incentives.SCHEMES`)."""
    values: SchemeValues
    """Every parameter of the scheme by name: a number, or a tuple of pot names."""

    def __init__(self, scheme: str, values: Mapping[str, Any] | None = None, **named: Any) -> None:
        """Check the values against the scheme's parameters and fill in the defaults.

        Raises:
            ValueError: For an unknown scheme, a parameter of another scheme or a value
                that does not fit the parameter.
        """
        from model.incentives import scheme_values  # the registry imports this module

        given = dict(values or {})
        twice = set(given) & set(named)
        if twice:
            raise ValueError(f"parameter given twice: {sorted(twice)[0]!r}")
        object.__setattr__(self, "scheme", scheme)
        object.__setattr__(self, "values", SchemeValues(scheme_values(scheme, given | named)))

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")
        if name.startswith("_") or values is None or name not in values:
            raise AttributeError(
                f"incentive scheme {self.__dict__.get('scheme')!r} has no parameter {name!r}"
            )
        return values[name]


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
    offices: tuple[OfficeSpec, ...] = ()
    """The Sozialraumbüros; empty: the bound budget funds counselling per region
    (``CounsellingParams.fixed_share`` of it for rent and material)."""
    sozialraum_quota: QuotaParams | None = None
    """The distribution quota of the sozialraum funds by Sozialraum (needs offices);
    None: the offices keep the old quota (their ``budget_before`` shares)."""

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
