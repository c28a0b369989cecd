"""Results: the DuckDB results store, exports for Excel and machines, paired comparisons.

Builds on the scenario language (:mod:`scenarios`); knows nothing of how runs are made.
Higher floors (experiments, calibration, dashboard, command line) import these names
from :mod:`results`, never from its modules:

* the store (:class:`ResultsStore`, its records and errors) and the yearly query
  (:func:`yearly_filter`, :func:`yearly_sql`),
* exports (:func:`export_results`, the function :func:`results.export.export` under
  a name that does not hide its module; the formula-safe writers :func:`xlsx_bytes`
  and :func:`csv_de_bytes`; German headings with :func:`german`),
* pairing and summarising runs (:func:`paired_differences`, :func:`paired_by_region`,
  :func:`pair_runs`,
  :func:`paired_quantiles`, :func:`run_quantiles`, :func:`over_years`),
* German labels of every code in the results (:mod:`results.labels`),
* atomic writing of files and folders (:func:`atomic_file`, :func:`atomic_folder`).
"""

from __future__ import annotations

from results.atomic import atomic_file, atomic_folder, remove_leftovers
from results.compare import (
    INTERVAL,
    OVER_YEARS,
    QUANTILES,
    Comparison,
    over_years,
    pair_runs,
    paired_by_region,
    paired_differences,
    paired_quantiles,
    run_quantiles,
)
from results.export import (
    FORMATS,
    csv_de_bytes,
    german,
    neutralise,
    safe_frame,
    xlsx_bytes,
)
from results.export import export as export_results
from results.labels import (
    CHOICE_LABELS,
    COLUMN_LABELS,
    DISTRIBUTION_LABELS,
    FLOW_KIND_LABELS,
    MEASURE_LABELS,
    POT_LABELS,
    POTS,
    QUANTILE_COLUMN_LABELS,
    RESULT_UNIT_LABELS,
    RUN_STATUS_LABELS,
    SCENARIO_UNIT_LABELS,
    SCHEME_LABELS,
    UNIT_FORMATS,
    MetricLabel,
    ParameterLabel,
    UnitFormat,
    help_type_labels,
    metric_label,
    metric_labels,
    metric_title,
    parameter_label,
    scheme_notes,
    stored_unit,
    unit_format,
)
from results.queries import yearly_filter, yearly_sql
from results.store import (
    DEFAULT_STORE,
    INDEX_COLUMNS,
    ResultsStore,
    RunData,
    RunRecord,
    StoreError,
    os_reason,
)

__all__ = [
    "CHOICE_LABELS",
    "COLUMN_LABELS",
    "DEFAULT_STORE",
    "DISTRIBUTION_LABELS",
    "FLOW_KIND_LABELS",
    "FORMATS",
    "INDEX_COLUMNS",
    "INTERVAL",
    "MEASURE_LABELS",
    "OVER_YEARS",
    "POTS",
    "POT_LABELS",
    "QUANTILES",
    "QUANTILE_COLUMN_LABELS",
    "RESULT_UNIT_LABELS",
    "RUN_STATUS_LABELS",
    "SCENARIO_UNIT_LABELS",
    "SCHEME_LABELS",
    "UNIT_FORMATS",
    "Comparison",
    "MetricLabel",
    "ParameterLabel",
    "ResultsStore",
    "RunData",
    "RunRecord",
    "StoreError",
    "UnitFormat",
    "atomic_file",
    "atomic_folder",
    "csv_de_bytes",
    "export_results",
    "german",
    "help_type_labels",
    "metric_label",
    "metric_labels",
    "metric_title",
    "neutralise",
    "os_reason",
    "over_years",
    "pair_runs",
    "paired_by_region",
    "paired_differences",
    "paired_quantiles",
    "parameter_label",
    "remove_leftovers",
    "run_quantiles",
    "safe_frame",
    "scheme_notes",
    "stored_unit",
    "unit_format",
    "xlsx_bytes",
    "yearly_filter",
    "yearly_sql",
]
