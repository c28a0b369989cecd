"""The tables of the results store: their layout, its versions and how a store is checked.

:data:`SCHEMA_VERSION` and the DDL say what the current program writes;
:func:`expected_schema` reads the layout back from the DDL, :func:`schema_of_version`
gives an older version's layout (see :data:`ADDED_COLUMNS`), :func:`schema_of` reads a
store's actual layout and :func:`schema_difference` names the first difference in German.
:func:`content_hashes` recovers the content hash of schema-1 runs from their batch plans.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import duckdb

SCHEMA_VERSION = 3
"""Version of the store's tables (``meta.schema_version``); raised with every change.

1: the first schema. 2: ``runs.input_sha256`` added; ``runs.scenario_sha256`` is the
content hash of the scenario as written (schema 1 stored the hash after the
posterior draw there). 3: tables ``analyses`` (sensitivity, discovery, search:
settings and result of each) and ``sensitivity_indices`` added.
"""

ADDED_COLUMNS: dict[int, tuple[tuple[str, str, str], ...]] = {
    2: (("runs", "input_sha256", "VARCHAR"),),
}
"""Columns each schema version added: version → (table, column, type), in order.

A store of an older version has the current tables without these columns (they are
always appended at the end of their table, so ``ALTER TABLE … ADD COLUMN`` gives
exactly the current layout).
"""

ADDED_TABLES: dict[int, tuple[str, ...]] = {
    3: ("analyses", "sensitivity_indices"),
}
"""Tables each schema version added (created, empty, when an older store is upgraded)."""

MIGRATABLE_FROM = 1
"""Oldest schema version a store is upgraded from when opened for writing."""

CONNECTION_CONFIG: dict[str, Any] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "threads": 1,
}
"""DuckDB settings of every store connection.

No extension is ever loaded or downloaded (an SQLite or other foreign file would
otherwise make DuckDB fetch a scanner extension from the internet); one thread,
because the store's writes are small and the cores belong to the runs.
"""

DDL = (
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS batches (
        batch_id VARCHAR PRIMARY KEY,
        created TIMESTAMP,
        label VARCHAR,
        plan JSON
    )""",
    """CREATE TABLE IF NOT EXISTS batch_runs (
        batch_id VARCHAR,
        run_id VARCHAR,
        scenario VARCHAR,
        point_id VARCHAR,
        replicate INTEGER,
        PRIMARY KEY (batch_id, run_id)
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        scenario VARCHAR,
        scenario_sha256 VARCHAR,
        description VARCHAR,
        seed BIGINT,
        point_id VARCHAR,
        point JSON,
        years INTEGER,
        scale DOUBLE,
        params JSON,
        code_version VARCHAR,
        status VARCHAR,
        error VARCHAR,
        started TIMESTAMP,
        finished TIMESTAMP,
        seconds DOUBLE,
        worker VARCHAR,
        input_sha256 VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS results (
        run_id VARCHAR,
        year INTEGER,
        month TINYINT,
        region VARCHAR,
        metric VARCHAR,
        value DOUBLE,
        unit VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS flows (
        run_id VARCHAR,
        year INTEGER,
        region VARCHAR,
        pot VARCHAR,
        item VARCHAR,
        provider VARCHAR,
        kind VARCHAR,
        cents BIGINT
    )""",
    """CREATE TABLE IF NOT EXISTS closings (
        run_id VARCHAR,
        year INTEGER,
        region VARCHAR,
        pot VARCHAR,
        allocation BIGINT,
        carry_in BIGINT,
        transfer_in BIGINT,
        transfer_out BIGINT,
        spent BIGINT,
        carry_out BIGINT,
        result BIGINT
    )""",
    """CREATE TABLE IF NOT EXISTS providers (
        run_id VARCHAR,
        year INTEGER,
        provider VARCHAR,
        role VARCHAR,
        region VARCHAR,
        staff_fte DOUBLE,
        reserves_eur DOUBLE,
        revenue_eur DOUBLE,
        transfers_eur DOUBLE,
        cost_eur DOUBLE,
        fls_delivered DOUBLE,
        utilisation DOUBLE,
        active BOOLEAN
    )""",
    """CREATE TABLE IF NOT EXISTS analyses (
        analysis_id VARCHAR PRIMARY KEY,
        kind VARCHAR,
        created TIMESTAMP,
        scenario VARCHAR,
        baseline VARCHAR,
        batch_ids JSON,
        settings JSON,
        result JSON
    )""",
    """CREATE TABLE IF NOT EXISTS sensitivity_indices (
        analysis_id VARCHAR,
        outcome VARCHAR,
        parameter VARCHAR,
        label VARCHAR,
        measure VARCHAR,
        value DOUBLE,
        conf DOUBLE
    )""",
)

DATA_TABLES: tuple[str, ...] = ("results", "flows", "closings", "providers")
"""Tables holding a run's data (each has ``run_id``)."""


@functools.cache
def expected_schema() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every table of the store with its columns and types, in order (from the DDL)."""
    con = duckdb.connect(":memory:", config=CONNECTION_CONFIG)
    try:
        for ddl in DDL:
            con.execute(ddl)
        return schema_of(con)
    finally:
        con.close()


def schema_of_version(version: int) -> dict[str, tuple[tuple[str, str], ...]]:
    """The tables and columns a store of an older ``version`` has (see :data:`ADDED_COLUMNS`).

    Args:
        version: A schema version from :data:`MIGRATABLE_FROM` to :data:`SCHEMA_VERSION`.

    Returns:
        Table → columns with types, in order, like :func:`expected_schema`.
    """
    schema = dict(expected_schema())
    for added_in, tables in ADDED_TABLES.items():
        if added_in > version:
            for table in tables:
                schema.pop(table, None)
    for added_in, columns in ADDED_COLUMNS.items():
        if added_in <= version:
            continue
        for table, column, _kind in columns:
            schema[table] = tuple(c for c in schema[table] if c[0] != column)
    return schema


def schema_difference(
    found: dict[str, tuple[tuple[str, str], ...]], expected: dict[str, tuple[tuple[str, str], ...]]
) -> str | None:
    """The first difference between a store's tables and the expected ones, in German."""
    for table, columns in expected.items():
        have = found.get(table)
        if have is None:
            return f"Tabelle {table} fehlt"
        if have == columns:
            continue
        names = dict(have)
        for column, kind in columns:
            if column not in names:
                return f"Spalte {table}.{column} fehlt"
            if names[column] != kind:
                return f"Spalte {table}.{column} hat den Typ {names[column]} statt {kind}"
        extra = [c for c, _ in have if c not in dict(columns)]
        if extra:
            return f"Spalte {table}.{extra[0]} gehört nicht dazu"
        return f"Spalten der Tabelle {table} in anderer Reihenfolge"
    for table in found:  # a table of a later schema version (tables of others are ignored)
        if table in expected_schema() and table not in expected:
            return f"Tabelle {table} gehört nicht dazu"
    return None


def content_hashes(
    plans: Sequence[tuple[str, Any]], members: Sequence[tuple[str, str, str]]
) -> dict[str, str]:
    """Run id → content hash of its scenario as written, from the batches' plans.

    Every batch records ``scenario_sha256`` (scenario name → content hash of the file
    as loaded for the batch) in its plan; a run gets the hash of the first batch
    (by id) that planned it. Runs of no batch, or of a plan without the hash, get none.

    Args:
        plans: ``(batch_id, plan JSON)`` of every batch.
        members: ``(batch_id, run_id, scenario)`` of every planned run.
    """
    by_batch: dict[str, dict[str, str]] = {}
    for batch_id, plan in plans:
        try:
            data = json.loads(plan) if isinstance(plan, str) else plan
            hashes = data.get("scenario_sha256") if isinstance(data, dict) else None
        except (TypeError, ValueError):
            hashes = None
        if isinstance(hashes, dict):
            by_batch[batch_id] = {str(k): str(v) for k, v in hashes.items()}
    out: dict[str, str] = {}
    for batch_id, run_id, scenario in sorted(members):
        sha = by_batch.get(batch_id, {}).get(scenario)
        if sha is not None:
            out.setdefault(run_id, sha)
    return out


def schema_of(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[tuple[str, str], ...]]:
    """The tables of an open database with their columns and types, in column order."""
    rows = con.execute(
        """SELECT table_name, column_name, data_type FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = 'main'
           ORDER BY table_name, column_index"""
    ).fetchall()
    schema: dict[str, list[tuple[str, str]]] = {}
    for table_name, column, kind in rows:
        schema.setdefault(table_name, []).append((column, kind))
    return {t: tuple(cols) for t, cols in schema.items()}


__all__ = [
    "ADDED_COLUMNS",
    "ADDED_TABLES",
    "CONNECTION_CONFIG",
    "DATA_TABLES",
    "DDL",
    "MIGRATABLE_FROM",
    "SCHEMA_VERSION",
    "content_hashes",
    "expected_schema",
    "schema_difference",
    "schema_of",
    "schema_of_version",
]
