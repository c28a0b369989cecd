"""German labels of every code that appears in results: one place for all readers.

The engine and the store speak in codes (``total_spent``, ``regional_2``, ``done``,
``EUR je JEW``, ``bonus_malus``); users read German. Every German name of such a code
lives here, and the dashboard, the briefing for the Jugendhilfeausschuss, the
exports and the command line read it from here, so one code has one wording
everywhere:

* pots (:data:`POT_LABELS`) in the order of the engine's :data:`POTS`,
* metrics (:func:`metric_label`, :func:`metric_labels`): German label and the unit
  the results table stores, for every metric of
  :func:`model.reporters.metric_names` (tested against a real run),
* units of results (:data:`RESULT_UNIT_LABELS`, as axis titles) and of scenario
  files (:data:`SCENARIO_UNIT_LABELS`, as suffixes after a value),
* run statuses (:data:`RUN_STATUS_LABELS`),
* help types (:func:`help_type_labels`, from the help-type file of the data folder),
* incentive schemes and the other choice levers (:data:`SCHEME_LABELS`,
  :data:`CHOICE_LABELS`), distributions of uncertainties
  (:data:`DISTRIBUTION_LABELS`), kinds of bookings in the money flows
  (:data:`FLOW_KIND_LABELS`) and the column headings of tables (:data:`COLUMN_LABELS`).

Titles and sentences of a particular chart or page stay with that chart or page;
this module names codes only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from model.incentives import parameters_by_name, scheme_class, scheme_names
from model.params import POTS
from model.reporters import metric_names

# =========================================================================== pots

POT_LABELS: dict[str, str] = {
    "bound": "Gebundenes Budget",
    "regional_1": "Regionales Budget 1",
    "regional_2": "Regionales Budget 2",
    "central": "Zentrales Budget",
}
"""German name of each budget pot (keys in the engine's ledger order, :data:`POTS`)."""

POT_NAMES_IN_TEXT: dict[str, str] = {
    pot: label[0].lower() + label[1:] for pot, label in POT_LABELS.items()
}
"""A pot's name inside a phrase (``Ausgaben regionales Budget 2``)."""


# =========================================================================== metrics


@dataclass(frozen=True)
class MetricLabel:
    """How a metric is shown.

    Attributes:
        label: German label (``Ausgaben gesamt``).
        unit: The unit the results table stores with the metric (``EUR``); see
            :data:`RESULT_UNIT_LABELS` for its German axis title.
    """

    label: str
    unit: str


KREIS_METRIC_LABELS: dict[str, MetricLabel] = {
    "active_cases": MetricLabel("Laufende Hilfen", "Fälle"),
    "bonus": MetricLabel("Bonus an Träger", "EUR"),
    "cases_per_10k_total": MetricLabel("Fälle je 10.000 unter 21", "je 10.000 u21"),
    "cases_total": MetricLabel("Fälle gesamt", "Fälle"),
    "cost_per_jew": MetricLabel("Kosten je Jugendeinwohnerwert", "EUR je JEW"),
    "counselled_families": MetricLabel("Familien in Beratung", "Familien"),
    "counselling_appointments": MetricLabel("Beratungstermine", "Termine"),
    "counselling_new_families": MetricLabel("Neu beratene Familien", "Familien"),
    "ended_ageing_out": MetricLabel("Hilfen beendet wegen Altersgrenze", "Fälle"),
    "ended_escalation": MetricLabel("Hilfen beendet durch Eskalation", "Fälle"),
    "ended_against_plan": MetricLabel("Hilfen beendet abweichend vom Hilfeplan", "Fälle"),
    "ended_against_plan_share": MetricLabel(
        "Anteil der Hilfen beendet abweichend vom Hilfeplan", "Anteil"
    ),
    "ended_family_exit": MetricLabel(
        "Hilfen beendet, weil die Familie ausscheidet (kein Kind mehr unter 21)", "Fälle"
    ),
    "ended_planned": MetricLabel("Hilfen planmäßig beendet", "Fälle"),
    "ended_success": MetricLabel("Hilfen erfolgreich beendet", "Fälle"),
    "ended_with_need": MetricLabel("Hilfen beendet trotz fortbestehendem Bedarf", "Fälle"),
    "escalations": MetricLabel("Eskalationen", "Fälle"),
    "families": MetricLabel("Familien mit Kindern unter 21", "Familien"),
    "follow_on_helps": MetricLabel(
        "Anschlusshilfen (bewilligt bis einen Monat nach Ende der vorigen Hilfe)", "Fälle"
    ),
    "grants_withdrawn": MetricLabel(
        "Bewilligte Hilfen ohne Hilfebeginn (Familie ausgeschieden oder Inobhutnahme)", "Fälle"
    ),
    "hhi": MetricLabel("Marktkonzentration der Träger (HHI)", "HHI"),
    "hilfeplan_reviews": MetricLabel("Hilfeplanüberprüfungen", "Fälle"),
    "jugendeinwohnerwert": MetricLabel("Jugendeinwohnerwert", "JEW"),
    "lead_provider_reserves": MetricLabel("Rücklagen der Sozialraumträger", "EUR"),
    "malus": MetricLabel("Malus der Träger", "EUR"),
    "mean_waiting_months": MetricLabel(
        "Mittlere Wartezeit von der Bewilligung bis zum Hilfebeginn", "Monate"
    ),
    "new_cases_total": MetricLabel("Neue Fälle gesamt", "Fälle"),
    "overspent": MetricLabel("Budgetüberschreitung", "ja/nein"),
    "project_reach": MetricLabel("Von Projekten erreichte Familien", "Familien"),
    "projects_active": MetricLabel("Laufende Präventionsprojekte", "Projekte"),
    "provider_exits": MetricLabel("Marktaustritte von Trägern", "Träger"),
    "provider_reserves": MetricLabel("Rücklagen der Träger", "EUR"),
    "provider_staff": MetricLabel("Personal der Träger", "VZÄ"),
    "providers_active": MetricLabel("Aktive Träger", "Träger"),
    "rereferral_share": MetricLabel(
        "Anteil der Wiederaufnahmen binnen 12 Monaten an den neuen Fällen", "Anteil"
    ),
    "rereferrals_12m": MetricLabel(
        "Wiederaufnahmen binnen 12 Monaten nach Ende der vorigen Hilfe", "Fälle"
    ),
    "stationary_share": MetricLabel("Anteil stationärer Hilfen", "Anteil"),
    "total_budget": MetricLabel("Budget gesamt", "EUR"),
    "total_spent": MetricLabel("Ausgaben gesamt", "EUR"),
    "under21": MetricLabel("Junge Menschen unter 21", "Personen"),
    "unmet_need_families": MetricLabel(
        "Latenter Bedarf: Familien über der Anspruchsschwelle ohne laufende Hilfe "
        "(dem Jugendamt meist nicht bekannt)",
        "Familien",
    ),
    "waiting_families": MetricLabel("Familien, die auf den Hilfebeginn warten", "Familien"),
    "waiting_families_dec": MetricLabel(
        "Familien, die am 31.12. auf den Hilfebeginn warten", "Familien"
    ),
    "waiting_families_jan": MetricLabel(
        "Familien, die am 1.1. auf den Hilfebeginn warten", "Familien"
    ),
}
"""Label and stored unit of every metric that is neither per help type nor per pot."""

PER_TYPE_METRIC_LABELS: dict[str, MetricLabel] = {
    "cases": MetricLabel("Fälle", "Fälle"),
    "cases_per_10k": MetricLabel("Fälle je 10.000 unter 21", "je 10.000 u21"),
    "ended_cases": MetricLabel("Beendete Hilfen", "Fälle"),
    "new_cases": MetricLabel("Neue Fälle", "Fälle"),
    "new_cases_per_10k": MetricLabel("Neue Fälle je 10.000 unter 21", "je 10.000 u21"),
    "spent_help": MetricLabel("Ausgaben", "EUR"),
    "started_cases": MetricLabel("Begonnene Hilfen", "Fälle"),
    "stock_dec": MetricLabel("Bestand am 31.12.", "Fälle"),
}
"""Stems reported per help type as ``{stem}_{code}``; the help type follows the label."""

PER_POT_METRIC_LABELS: dict[str, MetricLabel] = {
    "budget": MetricLabel("Mittel", "EUR"),
    "spent": MetricLabel("Ausgaben", "EUR"),
    "carry_over": MetricLabel("Übertrag", "EUR"),
    "result": MetricLabel("Jahresergebnis", "EUR"),
}
"""Stems reported per pot as ``{stem}_{pot}``; the pot's name follows the label
(``Ausgaben regionales Budget 2``, :data:`POT_NAMES_IN_TEXT`)."""


def _split(metric: str, stems: Iterable[str]) -> tuple[str, str] | None:
    """``spent_help_31`` → (``spent_help``, ``31``): the longest stem that fits."""
    for stem in sorted(stems, key=len, reverse=True):
        if metric.startswith(stem + "_"):
            return stem, metric[len(stem) + 1 :]
    return None


def metric_label(metric: str, help_labels: Mapping[str, str] | None = None) -> MetricLabel:
    """German label and stored unit of one metric.

    Args:
        metric: The metric's code (``total_spent``, ``cases_per_10k_31``, ``spent_bound``).
        help_labels: Help-type code → German label (default: :func:`help_type_labels`),
            for metrics per help type.

    Returns:
        The label; an unknown code keeps its code as label and has no unit.

    >>> metric_label("spent_regional_2").label
    'Ausgaben regionales Budget 2'
    >>> metric_label("cases_per_10k_31", {"31": "§31 SPFH"})
    MetricLabel(label='Fälle je 10.000 unter 21: §31 SPFH', unit='je 10.000 u21')
    """
    if metric in KREIS_METRIC_LABELS:
        return KREIS_METRIC_LABELS[metric]
    per_pot = _split(metric, PER_POT_METRIC_LABELS)
    if per_pot is not None and per_pot[1] in POT_LABELS:
        base = PER_POT_METRIC_LABELS[per_pot[0]]
        return MetricLabel(f"{base.label} {POT_NAMES_IN_TEXT[per_pot[1]]}", base.unit)
    per_type = _split(metric, PER_TYPE_METRIC_LABELS)
    if per_type is not None:
        base = PER_TYPE_METRIC_LABELS[per_type[0]]
        names = help_type_labels() if help_labels is None else help_labels
        return MetricLabel(f"{base.label}: {names.get(per_type[1], per_type[1])}", base.unit)
    return MetricLabel(metric, "")


def metric_labels(
    help_codes: Iterable[str], help_labels: Mapping[str, str] | None = None
) -> dict[str, MetricLabel]:
    """Label and stored unit of every metric a run with these help types reports.

    Args:
        help_codes: The run's help-type codes.
        help_labels: Help-type code → German label (default: :func:`help_type_labels`).

    Returns:
        Metric code → label, for every name of :func:`model.reporters.metric_names`.
    """
    names = help_type_labels() if help_labels is None else help_labels
    return {m: metric_label(m, names) for m in sorted(metric_names(tuple(help_codes)))}


def metric_title(metric: str) -> str:
    """The German label of a metric (its code if it has none)."""
    return metric_label(metric).label


def stored_unit(metric: str) -> str:
    """The unit the results table stores a metric with (``""`` for an unknown code)."""
    return metric_label(metric, {}).unit


# =========================================================================== units

RESULT_UNIT_LABELS: dict[str, str] = {
    "EUR": "€",
    "EUR je JEW": "€ je Jugendeinwohnerwert",
    "je 10.000 u21": "je 10.000 unter 21-Jährige",
    "Anteil": "%",
    "ja/nein": "%",
    "JEW": "Jugendeinwohnerwert",
    "VZÄ": "Vollzeitäquivalente",
}
"""Axis title of a stored unit where it differs from the unit itself (shares in %)."""


@dataclass(frozen=True)
class UnitFormat:
    """How a stored unit appears in a spreadsheet.

    Attributes:
        label: Text of the unit column (``€``, ``je 10.000 unter 21-Jährige``).
        number_format: Excel's number format code for its values, in Excel's
            locale-independent notation (``#,##0 "€"`` shows as ``1.234 €`` in a German
            Excel, ``0.0 %`` as ``12,5 %``).
    """

    label: str
    number_format: str


COUNT_FORMAT = "#,##0"
"""Number format of counts: no decimals, thousands grouped (``1.234``)."""

UNIT_FORMATS: dict[str, UnitFormat] = {
    "EUR": UnitFormat("€", '#,##0 "€"'),
    "EUR je JEW": UnitFormat("€ je Jugendeinwohnerwert", '#,##0.00 "€"'),
    "Fälle": UnitFormat("Fälle", COUNT_FORMAT),
    "Familien": UnitFormat("Familien", COUNT_FORMAT),
    "Personen": UnitFormat("Personen", COUNT_FORMAT),
    "Termine": UnitFormat("Termine", COUNT_FORMAT),
    "Projekte": UnitFormat("Projekte", COUNT_FORMAT),
    "Träger": UnitFormat("Träger", COUNT_FORMAT),
    "je 10.000 u21": UnitFormat("je 10.000 unter 21-Jährige", "#,##0.0"),
    "Anteil": UnitFormat("%", "0.0 %"),
    # one run: 1 = the budget was overspent that year; over runs: the share of runs
    "ja/nein": UnitFormat("ja/nein (über Läufe: Anteil)", '[=1]"ja";[=0]"nein";0 %'),
    "Monate": UnitFormat("Monate", "#,##0.0"),
    "JEW": UnitFormat("Jugendeinwohnerwert", COUNT_FORMAT),
    "VZÄ": UnitFormat("Vollzeitäquivalente", "#,##0.0"),
    "HHI": UnitFormat("HHI-Punkte (0 bis 10.000)", COUNT_FORMAT),
}
"""Unit text and number format of every unit the results table stores (CSV, XLSX)."""

FALLBACK_NUMBER_FORMAT = "#,##0.00"
"""Number format of a value whose unit has no entry in :data:`UNIT_FORMATS`."""


def unit_format(unit: str) -> UnitFormat:
    """Unit text and number format of a stored unit (an unknown unit keeps its text).

    >>> unit_format("EUR")
    UnitFormat(label='€', number_format='#,##0 "€"')
    >>> unit_format("Stück").number_format
    '#,##0.00'
    """
    return UNIT_FORMATS.get(unit, UnitFormat(unit, FALLBACK_NUMBER_FORMAT))


SCENARIO_UNIT_LABELS: dict[str, str] = {
    "need/year": "je Jahr (Bedarfsskala)",
    "need/month": "je Monat (Bedarfsskala)",
    "factor": "(Faktor)",
    "months": "Monate",
}
"""Text after a value of a scenario file in one of these units (``0,02 je Jahr …``).

Money (``EUR``, ``EUR/year``, ``EUR/…``), shares and years are formatted as numbers
of their own kind (``70 %``, ``2.233.000 € je Jahr``) by the briefing."""


SCENARIO_UNIT_FORMATS: dict[str, str] = {
    "share": "0.0 %",
    "share/year": "0.0 %",
    "share/month": "0.00 %",
    "probability/month": "0.00 %",
    "EUR": '#,##0 "€"',
    "EUR/year": '#,##0 "€"',
    "EUR/month": '#,##0 "€"',
    "EUR/day": '#,##0.00 "€"',
    "EUR/FLS": '#,##0.00 "€"',
    "need": "0.00",
    "need/year": "0.000",
    "need/month": "0.000",
    "factor": "0.00",
    "df": "0.0",
    "months": "0.0",
    "years": "0.0",
    "year": "0",
    "FTE": "#,##0.0",
    "FLS/week": "0.0",
    "FLS/month": "0.0",
    "hours/year": "#,##0",
    "appointments/month": "#,##0.0",
    "proposals/year": "#,##0.0",
    "families/FLS": "0.00",
    "families/10000 EUR": "0.00",
    "places/1000 u21": "0.0",
}
"""Number format of a scenario value in each unit of the scenario language (levers of a
sweep point in the exports)."""


# =========================================================================== parameters


@dataclass(frozen=True)
class ParameterLabel:
    """How a scenario parameter (a lever or an uncertainty of a sweep point) is shown.

    Attributes:
        label: German name (as the library's scenario files declare it).
        unit: Its unit in the scenario language (``share``), ``""`` for a choice.
    """

    label: str
    unit: str


PARAMETER_LABELS: dict[str, ParameterLabel] = {
    "budget.sozialraum_funds": ParameterLabel("Sozialraummittel", "EUR/year"),
    "budget.bound_share": ParameterLabel(
        "Anteil gebundenes Budget an den Sozialraummitteln", "share"
    ),
    "budget.ambulatory_funds": ParameterLabel("Ambulante Mittel", "EUR/year"),
    "budget.regional2_share": ParameterLabel(
        "Anteil regionales Budget 2 an den ambulanten Mitteln", "share"
    ),
    "budget.central_funds": ParameterLabel("Zentrale Mittel", "EUR/year"),
    "budget.yearly_increase": ParameterLabel("Jährliche Steigerung des Budgets", "share/year"),
    "budget.allocation_key": ParameterLabel("Verteilungsschlüssel", ""),
    "budget.regional2_scope": ParameterLabel("Regionales Budget 2 trägt", ""),
    "budget.regional2_payment": ParameterLabel("Regionales Budget 2 zahlt", ""),
    "budget.regional2_exhaustion": ParameterLabel("Regionales Budget 2 aufgebraucht", ""),
    "budget.regional2_group_share": ParameterLabel(
        "Anteil regionales Budget 2 für Gruppenangebote", "share"
    ),
    "budget.incentive_recipients": ParameterLabel("Empfänger von Bonus und Malus", ""),
    "incentive.scheme": ParameterLabel("Anreizsystem", ""),
    "provider.fls_rate": ParameterLabel("Fachleistungsstundensatz", "EUR/FLS"),
    "need.trend_per_year": ParameterLabel("Bedarfstrend", "need/year"),
    "projects.effect_mean": ParameterLabel("Wirkung der Präventionsprojekte", "need/month"),
    "provider.responsiveness": ParameterLabel("Reaktion der Träger auf Anreize", "share"),
    "recognition.report_rate_factor": ParameterLabel(
        "Meldequote (Schule, Kita, Ärzte, Nachbarn)", "factor"
    ),
}
"""German name and unit of the levers (:data:`scenarios.LEVER_PATHS`) and of the
uncertainties the library declares, by dotted path; paths per region and the weights
of the Sozialraumindex: :data:`PARAMETER_PATTERN_LABELS`; the parameters of the
incentive schemes (``incentive.retention_share``) are named by their scheme's class
(:func:`model.incentives.parameters_by_name`)."""

PARAMETER_PATTERN_LABELS: dict[str, ParameterLabel] = {
    "regions.*.direct_contact_share": ParameterLabel(
        "Anteil direkter Kontakt je Fachleistungsstunde", "share"
    ),
    "budget.index_weights.*": ParameterLabel("Gewicht im Sozialraumindex", "share"),
}
"""Labels of paths with one free segment (``*``: a region, an index component); the
segment's name follows in brackets."""

INDEX_COMPONENT_LABELS: dict[str, str] = {
    "sgb2_share": "Anteil SGB-II-Bezug",
    "single_parent_share": "Anteil Alleinerziehende",
    "migration_share": "Anteil mit Migrationshintergrund",
    "unemployment_share": "Arbeitslosenquote",
}
"""German name of each component of the Sozialraumindex (``budget.index_weights``)."""


@functools.cache
def declared_parameter_labels() -> dict[str, ParameterLabel]:
    """Parameter path → label of every lever and uncertainty the library's files declare.

    These are the words users read in the scenario files; an uncertainty brings its
    unit. Read once per process from the files' ``levers:``, ``uncertainties:`` and
    ``add_uncertainties:`` lists
    (the first file by name wins for a path declared twice); the files are the
    package's own and checked by the scenario tests.
    """
    import yaml

    from scenarios import LIBRARY_DIR

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: dict[str, ParameterLabel] = {}
    for path in sorted(LIBRARY_DIR.rglob("*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        if not isinstance(doc, dict):
            continue
        for key in ("levers", "uncertainties", "add_uncertainties"):
            entries = doc.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                parameter, label = entry.get("parameter"), entry.get("label")
                unit = entry.get("unit") if isinstance(entry.get("unit"), str) else ""
                if isinstance(parameter, str) and isinstance(label, str):
                    found.setdefault(parameter, ParameterLabel(label, unit))
    return found


def _matches(segments: list[str], pattern: str) -> str | None:
    """The free segment of a path matching ``pattern`` (one ``*``), or None."""
    parts = pattern.split(".")
    if len(parts) != len(segments) or parts.count("*") != 1:
        return None
    if not all(p in ("*", s) for s, p in zip(segments, parts, strict=True)):
        return None
    return segments[parts.index("*")]


def parameter_label(path: str) -> ParameterLabel:
    """German name and unit of a scenario parameter by its dotted path.

    The name is the one the library's scenario files declare
    (:func:`declared_parameter_labels`), else :data:`PARAMETER_LABELS`, the incentive
    scheme's description of its parameter, or a pattern of
    :data:`PARAMETER_PATTERN_LABELS`; the unit comes from :data:`PARAMETER_LABELS`,
    the scheme or the declared uncertainty.

    Args:
        path: ``budget.regional2_share``, ``regions.Region 1.direct_contact_share``.

    Returns:
        The label; a path without one is named ``Parameter <path>`` and has no unit.

    >>> parameter_label("regions.Nord.direct_contact_share").label
    'Anteil direkter Kontakt je Fachleistungsstunde (Nord)'
    >>> parameter_label("budget.index_weights.sgb2_share").label
    'Gewicht im Sozialraumindex (Anteil SGB-II-Bezug)'
    """
    declared = declared_parameter_labels()
    known = PARAMETER_LABELS.get(path)
    if path in declared or known is not None:
        label = declared[path].label if path in declared else known.label  # type: ignore[union-attr]
        unit = known.unit if known is not None else declared[path].unit
        return ParameterLabel(label, unit)
    segments = path.split(".")
    scheme_parameter = (
        parameters_by_name().get(segments[1])
        if len(segments) == 2 and segments[0] == "incentive"
        else None
    )
    if scheme_parameter is not None:
        text = scheme_parameter.description
        unit = scheme_parameter.unit if scheme_parameter.kind == "number" else ""
        return ParameterLabel(text[:1].upper() + text[1:], unit)
    for pattern, base in PARAMETER_PATTERN_LABELS.items():
        free = _matches(segments, pattern)
        if free is not None:
            text = declared[pattern].label if pattern in declared else base.label
            name = INDEX_COMPONENT_LABELS.get(free, free)
            return ParameterLabel(f"{text} ({name})", base.unit)
    return ParameterLabel(f"Parameter {path}", "")


# =========================================================================== runs

RUN_STATUS_LABELS: dict[str, str] = {"done": "abgeschlossen", "failed": "fehlgeschlagen"}
"""German name of each run status of the store's runs table."""


# =========================================================================== help types


@functools.cache
def help_type_labels() -> dict[str, str]:
    """Help-type code → German label with its paragraph (``§31 SPFH``-style).

    Read once per process from the help-type file of the data folder.
    """
    from scenarios import DATA_DIR, load_help_types

    types, _, _ = load_help_types(DATA_DIR / "help_types.yaml")
    return {h.code: h.label for h in types}


# =========================================================================== choices


class _SchemeLabels(Mapping[str, str]):
    """Scheme name → German label, read from the registry at every access."""

    def __getitem__(self, name: str) -> str:
        try:
            return scheme_class(name).label
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(scheme_names())

    def __len__(self) -> int:
        return len(scheme_names())

    def __repr__(self) -> str:
        return f"SCHEME_LABELS({dict(self)!r})"


SCHEME_LABELS: Mapping[str, str] = _SchemeLabels()
"""German name of each incentive scheme (what-if dropdown, briefing, exports): the
``label`` of its class in :mod:`model.incentives`, so a registered scheme has one."""


def scheme_notes(name: str) -> tuple[str, str]:
    """German description and legal-risk note of a registered scheme ("" if none).

    Raises:
        KeyError: For a name that is not registered.
    """
    try:
        cls = scheme_class(name)
    except ValueError:
        raise KeyError(name) from None
    return cls.description, cls.legal_note


ALLOCATION_KEY_LABELS: dict[str, str] = {
    "population": "nach Einwohnerzahl",
    "sozialraumindex": "nach Sozialraumindex",
    "history": "nach bisherigen Ausgaben",
}
"""German name of each key that divides the regional budgets between regions."""

REGIONAL2_SCOPE_LABELS: dict[str, str] = {
    "running": "alle ambulanten Hilfen der Region (Übergabe am Stichtag)",
    "new_grants": "nur neue Bewilligungen ab dem Stichtag",
    "lead_provider": "nur Hilfen des Sozialraumträgers",
}
"""German name of each choice of which helps regional budget 2 carries."""

REGIONAL2_PAYMENT_LABELS: dict[str, str] = {
    "pro_rata": "Anteil jeder Rechnung",
    "first_come": "ganze Rechnungen, bis das Geld aufgebraucht ist",
}
"""German name of each way regional budget 2 pays the helps it carries."""

REGIONAL2_EXHAUSTION_LABELS: dict[str, str] = {
    "central": "zentrales Budget zahlt weiter",
    "next_year": "Überschreitung mindert das Budget des Folgejahres",
}
"""German name of each rule for a used-up regional budget 2."""

INCENTIVE_RECIPIENT_LABELS: dict[str, str] = {
    "delivered_share": "alle Träger nach ihrem Anteil an den Hilfen",
    "lead_provider": "nur der Sozialraumträger",
    "regional_body": "die Region (regionales Budget 1 im Folgejahr)",
}
"""German name of each rule for who receives bonus and malus."""

CHOICE_LABELS: dict[str, Mapping[str, str]] = {
    "incentive.scheme": SCHEME_LABELS,
    "budget.allocation_key": ALLOCATION_KEY_LABELS,
    "budget.regional2_scope": REGIONAL2_SCOPE_LABELS,
    "budget.regional2_payment": REGIONAL2_PAYMENT_LABELS,
    "budget.regional2_exhaustion": REGIONAL2_EXHAUSTION_LABELS,
    "budget.incentive_recipients": INCENTIVE_RECIPIENT_LABELS,
}
"""German names of the values of choice levers, by the lever's parameter path."""

DISTRIBUTION_LABELS: dict[str, str] = {
    "uniform": "gleichverteilt",
    "triangular": "Dreiecksverteilung",
    "normal": "Normalverteilung",
}
"""German name of each distribution an uncertainty can be drawn from."""

FLOW_KIND_LABELS: dict[str, str] = {
    "office": "Sozialraumbüros",
    "project": "Präventionsprojekte",
    "flat": "Pauschalbudget (Sozialraumträger)",
    "bonus": "Anreiz: Bonus an Träger",
}
"""German name of a kind of booking in the money flows (``case`` is named by its help
type, ``malus`` is drawn as a flow of its own)."""


# =========================================================================== columns

COLUMN_LABELS: dict[str, str] = {
    "run_id": "Lauf",
    "batch_id": "Batch",
    "scenario": "Szenario",
    "scenario_sha256": "Szenario-Hash",
    "input_sha256": "Eingabe-Hash",
    "description": "Beschreibung",
    "seed": "Seed",
    "point_id": "Punkt",
    "point": "Punkt-Parameter",
    "replicate": "Wiederholung",
    "years": "Jahre",
    "scale": "Maßstab",
    "params": "Parameter",
    "code_version": "Code-Version",
    "status": "Status",
    "error": "Fehler",
    "started": "Beginn",
    "finished": "Ende",
    "seconds": "Sekunden",
    "worker": "Rechner",
    "year": "Jahr",
    "month": "Monat",
    "region": "Region",
    "metric": "Kennzahl",
    "value": "Wert",
    "unit": "Einheit",
    "pot": "Topf",
    "item": "Posten",
    "provider": "Träger",
    "kind": "Art",
    "cents": "Cent",
    "allocation": "Zuweisung",
    "carry_in": "Übertrag Vorjahr",
    "transfer_in": "Ausgleich erhalten",
    "transfer_out": "Ausgleich abgegeben",
    "spent": "Ausgaben",
    "carry_out": "Übertrag Folgejahr",
    "result": "Ergebnis",
    "role": "Rolle",
    "staff_fte": "Personal VZÄ",
    "reserves_eur": "Rücklagen EUR",
    "revenue_eur": "Erlöse EUR",
    "transfers_eur": "Pauschalen EUR",
    "cost_eur": "Kosten EUR",
    "fls_delivered": "Geleistete FLS",
    "utilisation": "Auslastung",
    "active": "Aktiv",
    "n_runs": "Läufe",
    "created": "Angelegt",
    "label": "Szenarien",
    "planned": "Geplant",
    "done": "Fertig",
    "median": "Median",
    "q05": "5-%-Quantil",
    "q95": "95-%-Quantil",
    "metric_code": "Kennzahl-Code",
    "lever": "Hebel",
    "choice": "Auswahl",
    "topic": "Thema",
    "note": "Hinweis",
}
"""German headings of the store's columns in CSV, XLSX and the dashboard's tables."""

QUANTILE_COLUMN_LABELS: dict[str, str] = {
    "median": "Median",
    "q05": "5-%-Quantil",
    "q25": "25-%-Quantil",
    "q75": "75-%-Quantil",
    "q95": "95-%-Quantil",
}
"""German headings of the quantile columns of a summary over runs."""


MEASURE_LABELS: dict[str, str] = {
    "ST": "Gesamteffekt (Sobol ST)",
    "S1": "Haupteffekt (Sobol S1)",
    "mu_star": "Mittlerer Effekt (Morris μ*)",
    "sigma": "Streuung der Effekte (Morris σ)",
}
"""German names of the measures of a sensitivity analysis (SALib's keys)."""


__all__ = [
    "ALLOCATION_KEY_LABELS",
    "CHOICE_LABELS",
    "COLUMN_LABELS",
    "COUNT_FORMAT",
    "DISTRIBUTION_LABELS",
    "FALLBACK_NUMBER_FORMAT",
    "FLOW_KIND_LABELS",
    "INCENTIVE_RECIPIENT_LABELS",
    "INDEX_COMPONENT_LABELS",
    "KREIS_METRIC_LABELS",
    "MEASURE_LABELS",
    "PARAMETER_LABELS",
    "PARAMETER_PATTERN_LABELS",
    "PER_POT_METRIC_LABELS",
    "PER_TYPE_METRIC_LABELS",
    "POTS",
    "POT_LABELS",
    "POT_NAMES_IN_TEXT",
    "QUANTILE_COLUMN_LABELS",
    "REGIONAL2_EXHAUSTION_LABELS",
    "REGIONAL2_PAYMENT_LABELS",
    "REGIONAL2_SCOPE_LABELS",
    "RESULT_UNIT_LABELS",
    "RUN_STATUS_LABELS",
    "SCENARIO_UNIT_FORMATS",
    "SCENARIO_UNIT_LABELS",
    "SCHEME_LABELS",
    "UNIT_FORMATS",
    "MetricLabel",
    "ParameterLabel",
    "UnitFormat",
    "declared_parameter_labels",
    "help_type_labels",
    "metric_label",
    "metric_labels",
    "metric_title",
    "parameter_label",
    "scheme_notes",
    "stored_unit",
    "unit_format",
]
