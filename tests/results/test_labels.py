"""German labels: every code the engine, the store and the scenario language use has one."""

from __future__ import annotations

import typing

import pytest

from model.incentives import SCHEMES as ENGINE_SCHEMES
from model.ledger import KINDS
from model.params import POTS, AllocationKey
from model.reporters import metric_names
from model.run import run_once
from results import labels as L
from results.schema import DATA_TABLES, expected_schema
from scenarios import UncertaintySection, load_scenario


@pytest.fixture(scope="module")
def tiny_run():
    """One year of the Lüneburg status quo at 5 % of the population."""
    scenario = load_scenario("lueneburg-status-quo", {"years": 1, "scale": 0.05})
    return scenario.params, run_once(scenario.params, seed=1).results


def test_every_reported_metric_has_a_label_and_its_stored_unit(tiny_run):
    params, results = tiny_run
    stored = results.groupby("metric")["unit"].agg(set)
    labels = L.metric_labels(params.help_codes)
    assert set(labels) == set(stored.index) == set(metric_names(params.help_codes))
    for metric, units in stored.items():
        label = labels[metric]
        assert units == {label.unit}, metric
        assert label.label and label.label != metric, metric
        assert L.stored_unit(metric) == label.unit
    assert len({lb.label for lb in labels.values()}) == len(labels)  # no two alike


def test_per_type_and_per_pot_metrics_name_the_type_and_the_pot(tiny_run):
    params, _ = tiny_run
    help_labels = L.help_type_labels()
    assert set(help_labels) == set(params.help_codes)
    assert L.metric_title("cases_per_10k_31") == f"Fälle je 10.000 unter 21: {help_labels['31']}"
    assert L.metric_title("spent_regional_2") == "Ausgaben regionales Budget 2"
    assert L.metric_label("gibt_es_nicht") == L.MetricLabel("gibt_es_nicht", "")


def test_pot_labels_follow_the_engine_order():
    assert tuple(L.POT_LABELS) == POTS
    assert all(name[0].isupper() for name in L.POT_LABELS.values())


def test_every_scheme_and_allocation_key_has_one_wording():
    """A scheme without a label used to crash the dashboard at start, and no test noticed."""
    assert set(L.SCHEME_LABELS) == set(ENGINE_SCHEMES)
    assert set(L.ALLOCATION_KEY_LABELS) == set(typing.get_args(AllocationKey))
    assert L.CHOICE_LABELS["incentive.scheme"] is L.SCHEME_LABELS
    assert L.CHOICE_LABELS["budget.allocation_key"] is L.ALLOCATION_KEY_LABELS


def test_every_distribution_and_booking_kind_has_a_label():
    distributions = typing.get_args(UncertaintySection.model_fields["distribution"].annotation)
    assert set(L.DISTRIBUTION_LABELS) == set(distributions)
    assert set(L.FLOW_KIND_LABELS) == set(KINDS) - {"case", "malus"}


def test_every_exported_column_has_a_german_heading():
    schema = expected_schema()
    for table in (*DATA_TABLES, "runs", "batch_runs"):
        for column, _ in schema[table]:
            assert column in L.COLUMN_LABELS, (table, column)
    assert len(set(L.COLUMN_LABELS.values())) == len(L.COLUMN_LABELS)  # one heading, one column


def test_run_statuses_and_units():
    assert L.RUN_STATUS_LABELS == {"done": "abgeschlossen", "failed": "fehlgeschlagen"}
    assert L.RESULT_UNIT_LABELS["EUR"] == "€"
    assert set(L.SCENARIO_UNIT_LABELS) == {"need/year", "need/month", "factor", "months"}


def test_every_stored_unit_has_a_unit_text_and_a_number_format(tiny_run):
    _, results = tiny_run
    for unit in set(results["unit"]):
        assert unit in L.UNIT_FORMATS, unit
        fmt = L.UNIT_FORMATS[unit]
        assert fmt.label and fmt.number_format and fmt.number_format != "General", unit
    assert L.unit_format("EUR").number_format == '#,##0 "€"'
    assert L.unit_format("Anteil").number_format == "0.0 %"
    assert L.unit_format("Fälle").number_format == L.COUNT_FORMAT == "#,##0"


def _concrete(pattern: str) -> list[str]:
    """Paths of a lever pattern, with ``*`` filled the way scenario files fill it."""
    from model.incentives import parameters_by_name

    if pattern == "incentive.*":
        return ["incentive.scheme", *(f"incentive.{p}" for p in parameters_by_name())]
    if pattern == "budget.index_weights.*":
        return [f"budget.index_weights.{k}" for k in L.INDEX_COMPONENT_LABELS]
    return [pattern.replace("*", "Region 1")]


def test_every_lever_and_declared_uncertainty_has_a_label_and_the_schemas_unit():
    """A sweep point's levers become columns with German headings and number formats."""
    from scenarios import LEVER_PATHS, list_scenarios
    from scenarios.documents import ScenarioDoc
    from scenarios.paths import annotation_at
    from scenarios.quantities import declared_unit

    paths = {p for pattern in LEVER_PATHS for p in _concrete(pattern)}
    for name in list_scenarios():
        scenario = load_scenario(name)
        paths |= {u.parameter for u in scenario.uncertainties}
        paths |= {p for lever in scenario.levers for p in _concrete(lever.parameter)}
    for path in sorted(paths):
        label = L.parameter_label(path)
        assert not label.label.startswith("Parameter "), path
        annotation, _ = annotation_at(path.split("."), ScenarioDoc)
        unit = declared_unit(annotation)
        if unit is not None:
            assert label.unit == unit, path
            assert unit in L.SCENARIO_UNIT_FORMATS, (path, unit)
    assert L.parameter_label("gibt.es_nicht") == L.ParameterLabel("Parameter gibt.es_nicht", "")
