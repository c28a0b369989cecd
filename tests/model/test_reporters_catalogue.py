"""The metric catalogue names exactly what a run reports."""

import dataclasses
from pathlib import Path

from model.families import END_REASONS
from model.reporters import KREIS_METRICS, PER_POT_METRICS, PER_TYPE_METRICS, metric_names
from model.run import run_once
from tests.fixtures.factory import make_params


def test_metric_names_equal_the_metrics_of_a_run():
    params = dataclasses.replace(make_params(), years=1, scale=0.1)
    result = run_once(params, seed=3)
    assert set(result.results["metric"]) == metric_names(params.help_codes)


def test_every_metric_is_defined_in_the_odd():
    """A metric a user sees has its definition in docs/ODD.md, section 4.11."""
    text = (Path(__file__).parents[2] / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = text[text.index("### 4.11 Beobachtung") : text.index("## 5 Initialisierung")]
    by_reason = {f"ended_{reason}" for reason in END_REASONS}
    assert "`ended_<grund>`" in section
    assert all(f"`{reason}`" in section for reason in END_REASONS)
    missing = [m for m in KREIS_METRICS if m not in by_reason and f"`{m}`" not in section]
    missing += [f"{m}_<code>" for m in PER_TYPE_METRICS if f"`{m}_<code>`" not in section]
    missing += [f"{m}_<topf>" for m in PER_POT_METRICS if f"`{m}_<topf>`" not in section]
    assert not missing
