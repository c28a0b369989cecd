"""The scenario language: YAML files in, a frozen, validated :class:`Scenario` out.

Higher floors (experiments, results, calibration, dashboard, cli) import from here,
never from the modules below, which are split by concern (imports point down this
list only):

==========================  ===========================================================
``errors``, ``formatting``  one-line German errors with file, field, line; German numbers
``limits``                  the limits no real Landkreis exceeds, with their reasons
``safe_yaml``               bounded, safe reading of every YAML file
``quantities``              value + unit + provenance; the unit a field expects
``sections``                the schema sections mirroring :class:`model.params.ModelParams`
``paths``                   dotted paths into the schema and into a document
``declarations``            levers, uncertainties and outcomes
``documents``               scenario, variant and help-type files, read and validated
``overrides``               dotted-path changes, all checked before any is applied
``calibration_file``        reading a calibration file and applying it
``datafiles``               municipality CSV and help-type files
``build``                   engine parameters, provenance and the content hash
``loader``                  library lookup, ``extends``, :func:`load_scenario`
==========================  ===========================================================
"""

from scenarios.build import Scenario
from scenarios.calibration_file import (
    CALIBRATION_FORMAT,
    CalibrationFile,
    CalibrationSource,
    calibration_overrides,
    read_calibration,
    read_calibration_data,
)
from scenarios.datafiles import (
    DATA_DIR,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    MAX_MUNICIPALITY_POPULATION,
    MUNICIPALITY_COLUMNS,
    MunicipalityRecord,
    load_help_types,
    load_municipalities,
)
from scenarios.declarations import (
    LEVER_PATHS,
    NOT_UNCERTAIN,
    LeverSection,
    OutcomeSection,
    UncertaintySection,
    is_lever_path,
    path_matches,
)
from scenarios.errors import (
    FieldIssue,
    ScenarioError,
    display_path,
    from_os_error,
    from_validation_error,
    from_yaml_error,
    line_for,
    os_message,
)
from scenarios.formatting import MISSING, fmt_eur, fmt_num, fmt_pct, fmt_value
from scenarios.limits import (
    MAX_BATCH_RUNS,
    MAX_DESCRIPTION_CHARS,
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    MAX_REPLICATES,
    MAX_SEED,
    MAX_SWEEP_POINTS,
    MAX_WORKERS,
    MAX_YEARS,
    REPLICATES_WHY,
    SEED_WHY,
    WORKERS_WHY,
    YEARS_WHY,
    ArgumentError,
    check_arguments,
    check_batch_size,
    check_scenario_size,
    check_sweep_size,
    too_large,
)
from scenarios.loader import (
    LIBRARY_DIR,
    derive_scenario,
    find_scenario,
    list_scenarios,
    load_scenario,
)
from scenarios.paths import expand_path, value_at, value_at_node
from scenarios.quantities import is_quantity_node
from scenarios.safe_yaml import (
    MAX_CALIBRATION_BYTES,
    MAX_YAML_BYTES,
    YamlDocument,
    load_yaml,
    load_yaml_data,
    load_yaml_mapping,
    parse_yaml,
    read_limited,
    read_yaml,
)

__all__ = [
    "CALIBRATION_FORMAT",
    "DATA_DIR",
    "LEVER_PATHS",
    "LIBRARY_DIR",
    "MAX_BATCH_RUNS",
    "MAX_CALIBRATION_BYTES",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_LABEL_CHARS",
    "MAX_MUNICIPALITY_POPULATION",
    "MAX_NAME_CHARS",
    "MAX_REPLICATES",
    "MAX_SEED",
    "MAX_SWEEP_POINTS",
    "MAX_WORKERS",
    "MAX_YAML_BYTES",
    "MAX_YEARS",
    "MISSING",
    "MUNICIPALITY_COLUMNS",
    "NOT_UNCERTAIN",
    "REPLICATES_WHY",
    "SEED_WHY",
    "WORKERS_WHY",
    "YEARS_WHY",
    "ArgumentError",
    "CalibrationFile",
    "CalibrationSource",
    "FieldIssue",
    "LeverSection",
    "MunicipalityRecord",
    "OutcomeSection",
    "Scenario",
    "ScenarioError",
    "UncertaintySection",
    "YamlDocument",
    "calibration_overrides",
    "check_arguments",
    "check_batch_size",
    "check_scenario_size",
    "check_sweep_size",
    "derive_scenario",
    "display_path",
    "expand_path",
    "find_scenario",
    "fmt_eur",
    "fmt_num",
    "fmt_pct",
    "fmt_value",
    "from_os_error",
    "from_validation_error",
    "from_yaml_error",
    "is_lever_path",
    "is_quantity_node",
    "line_for",
    "list_scenarios",
    "load_help_types",
    "load_municipalities",
    "load_scenario",
    "load_yaml",
    "load_yaml_data",
    "load_yaml_mapping",
    "os_message",
    "parse_yaml",
    "path_matches",
    "read_calibration",
    "read_calibration_data",
    "read_limited",
    "read_yaml",
    "too_large",
    "value_at",
    "value_at_node",
]
