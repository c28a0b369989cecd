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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
    "ended_family_exit": MetricLabel("Hilfen beendet durch Wegzug der Familie", "Fälle"),
    "ended_planned": MetricLabel("Hilfen planmäßig beendet", "Fälle"),
    "ended_success": MetricLabel("Hilfen erfolgreich beendet", "Fälle"),
    "ended_with_need": MetricLabel("Hilfen beendet trotz fortbestehendem Bedarf", "Fälle"),
    "escalations": MetricLabel("Eskalationen", "Fälle"),
    "families": MetricLabel("Familien mit Kindern unter 21", "Familien"),
    "hhi": MetricLabel("Marktkonzentration der Träger (HHI)", "HHI"),
    "hilfeplan_reviews": MetricLabel("Hilfeplanüberprüfungen", "Fälle"),
    "jugendeinwohnerwert": MetricLabel("Jugendeinwohnerwert", "JEW"),
    "lead_provider_reserves": MetricLabel("Rücklagen der Sozialraumträger", "EUR"),
    "malus": MetricLabel("Malus der Träger", "EUR"),
    "mean_waiting_months": MetricLabel("Wartezeit bis Hilfebeginn", "Monate"),
    "new_cases_total": MetricLabel("Neue Fälle gesamt", "Fälle"),
    "overspent": MetricLabel("Budgetüberschreitung", "ja/nein"),
    "project_reach": MetricLabel("Von Projekten erreichte Familien", "Familien"),
    "projects_active": MetricLabel("Laufende Präventionsprojekte", "Projekte"),
    "provider_exits": MetricLabel("Marktaustritte von Trägern", "Träger"),
    "provider_reserves": MetricLabel("Rücklagen der Träger", "EUR"),
    "provider_staff": MetricLabel("Personal der Träger", "VZÄ"),
    "providers_active": MetricLabel("Aktive Träger", "Träger"),
    "stationary_share": MetricLabel("Anteil stationärer Hilfen", "Anteil"),
    "total_budget": MetricLabel("Budget gesamt", "EUR"),
    "total_spent": MetricLabel("Ausgaben gesamt", "EUR"),
    "under21": MetricLabel("Junge Menschen unter 21", "Personen"),
    "unmet_need_families": MetricLabel("Familien mit ungedecktem Bedarf", "Familien"),
    "waiting_families": MetricLabel("Familien, die auf den Hilfebeginn warten", "Familien"),
}
"""Label and stored unit of every metric that is neither per help type nor per pot."""

PER_TYPE_METRIC_LABELS: dict[str, MetricLabel] = {
    "cases": MetricLabel("Fälle", "Fälle"),
    "cases_per_10k": MetricLabel("Fälle je 10.000 unter 21", "je 10.000 u21"),
    "ended_cases": MetricLabel("Beendete Hilfen", "Fälle"),
    "new_cases": MetricLabel("Neue Fälle", "Fälle"),
    "new_cases_per_10k": MetricLabel("Neue Fälle je 10.000 unter 21", "je 10.000 u21"),
    "spent_help": MetricLabel("Ausgaben", "EUR"),
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

SCENARIO_UNIT_LABELS: dict[str, str] = {
    "need/year": "je Jahr (Bedarfsskala)",
    "need/month": "je Monat (Bedarfsskala)",
    "factor": "(Faktor)",
    "months": "Monate",
}
"""Text after a value of a scenario file in one of these units (``0,02 je Jahr …``).

Money (``EUR``, ``EUR/year``, ``EUR/…``), shares and years are formatted as numbers
of their own kind (``70 %``, ``2.233.000 € je Jahr``) by the briefing."""


# =========================================================================== runs

RUN_STATUS_LABELS: dict[str, str] = {"done": "fertig", "failed": "fehlgeschlagen"}
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

SCHEME_LABELS: dict[str, str] = {
    "none": "kein Anreizsystem (Bezahlung je Fall)",
    "retention": "Rückbehalt",
    "bonus_malus": "Bonus/Malus",
    "flat": "Pauschalbudget",
    "balancing": "Ausgleich zwischen Regionen",
}
"""German name of each incentive scheme (what-if dropdown, briefing, exports)."""

ALLOCATION_KEY_LABELS: dict[str, str] = {
    "population": "nach Einwohnerzahl",
    "sozialraumindex": "nach Sozialraumindex",
    "history": "nach bisherigen Ausgaben",
}
"""German name of each key that divides the regional budgets between regions."""

CHOICE_LABELS: dict[str, dict[str, str]] = {
    "incentive.scheme": SCHEME_LABELS,
    "budget.allocation_key": ALLOCATION_KEY_LABELS,
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


__all__ = [
    "ALLOCATION_KEY_LABELS",
    "CHOICE_LABELS",
    "COLUMN_LABELS",
    "DISTRIBUTION_LABELS",
    "FLOW_KIND_LABELS",
    "KREIS_METRIC_LABELS",
    "PER_POT_METRIC_LABELS",
    "PER_TYPE_METRIC_LABELS",
    "POTS",
    "POT_LABELS",
    "POT_NAMES_IN_TEXT",
    "QUANTILE_COLUMN_LABELS",
    "RESULT_UNIT_LABELS",
    "RUN_STATUS_LABELS",
    "SCENARIO_UNIT_LABELS",
    "SCHEME_LABELS",
    "MetricLabel",
    "help_type_labels",
    "metric_label",
    "metric_labels",
    "metric_title",
    "stored_unit",
]
