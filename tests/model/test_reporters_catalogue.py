"""The metric catalogue names exactly what a run reports."""

import dataclasses

from model.reporters import metric_names
from model.run import run_once
from tests.fixtures.factory import make_params


def test_metric_names_equal_the_metrics_of_a_run():
    params = dataclasses.replace(make_params(), years=1, scale=0.1)
    result = run_once(params, seed=3)
    assert set(result.results["metric"]) == metric_names(params.help_codes)
