"""Results store: one embedded DuckDB file with the runs manifest and all results.

Tables (every results table carries ``run_id``):

* ``batches``: one row per planned batch (id, created, the command's plan as JSON).
* ``batch_runs``: which runs belong to which batch (scenario, point, replicate).
* ``runs``: the manifest, one row per run: run id, scenario name and content hash,
  seed, sweep point and its overrides, full parameters (JSON), code version, status
  (``done``/``failed``), start, end and seconds.
* ``results``: the tidy outcomes (``year, month, region, metric, value, unit``;
  ``month`` 0 = yearly figure, region ``Gesamt`` = whole Kreis).
* ``flows``: the ledger summed per year (region, pot, item, provider, kind, cents),
  for money-flow charts; every euro of the run is in it.
* ``closings``: the year-end closing per region and pot (cents).
* ``providers``: each provider's year.

A run's rows are written in one transaction together with its manifest row, so a
run is either completely stored or not at all: an interrupted batch leaves no
partial run, and resuming never duplicates one. A run id is a hash of everything
that determines the run (scenario content, overrides, seed, code version), so the
same command finds its finished runs again.

Only one process may write at a time (DuckDB's rule); the batch runner's main
process is the only writer, its workers return data to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from scenarios.errors import ScenarioError

DEFAULT_STORE = Path("ergebnisse.duckdb")
"""Store file used when none is given (in the working directory)."""

SCHEMA_VERSION = 1

_DDL = (
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
        worker VARCHAR
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
)

DATA_TABLES: tuple[str, ...] = ("results", "flows", "closings", "providers")
"""Tables holding a run's data (each has ``run_id``)."""


@dataclass(frozen=True)
class RunRecord:
    """The manifest row of one run."""

    run_id: str
    scenario: str
    scenario_sha256: str
    description: str
    seed: int
    point_id: str
    point: dict[str, Any]
    years: int
    scale: float
    params: dict[str, Any]
    code_version: str


@dataclass
class RunData:
    """What a worker returns for one run."""

    run_id: str
    results: pd.DataFrame
    flows: pd.DataFrame
    closings: pd.DataFrame
    providers: pd.DataFrame
    seconds: float
    worker: str
    started: datetime
    finished: datetime


class StoreError(ScenarioError):
    """The store file cannot be used (locked, not a store, unreadable)."""


class ResultsStore:
    """The DuckDB results store (open with :meth:`open`, close with :meth:`close`).

    Args:
        path: The store file; created with its tables if missing.
        read_only: Open without write access (several readers may share a file).
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.is_file():
            raise StoreError(self.path, None, "Ergebnisspeicher nicht gefunden")
        if not read_only and self.path.parent and not self.path.parent.exists():
            raise StoreError(self.path, None, "Verzeichnis des Ergebnisspeichers fehlt")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                message = "Ergebnisspeicher wird gerade von einem anderen Prozess benutzt"
            else:
                message = f"Ergebnisspeicher kann nicht geöffnet werden ({text.splitlines()[0]})"
            raise StoreError(self.path, None, message) from None
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise StoreError(
                self.path, None, f"keine gültige Ergebnisdatei (DuckDB: {first})"
            ) from None
        # One thread: the store's writes are small, the cores belong to the runs.
        self.con.execute("SET threads TO 1")
        if not read_only:
            self._create()
        self._check_version()

    # ------------------------------------------------------------------ lifecycle

    def _create(self) -> None:
        self.con.execute("BEGIN")
        for ddl in _DDL:
            self.con.execute(ddl)
        self.con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
            [str(SCHEMA_VERSION)],
        )
        self.con.execute("COMMIT")

    def _check_version(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            raise StoreError(self.path, None, "keine Ergebnisdatei dieses Werkzeugs") from None
        if row is None or int(row[0]) != SCHEMA_VERSION:
            found = row[0] if row else "keine"
            raise StoreError(
                self.path,
                "schema_version",
                f"Version {found} der Ergebnisdatei passt nicht (erwartet {SCHEMA_VERSION})",
            )

    def close(self) -> None:
        """Close the connection (checkpointing the write-ahead log)."""
        self.con.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def register_batch(
        self, batch_id: str, label: str, plan: dict[str, Any], members: Sequence[tuple]
    ) -> None:
        """Record a batch and its runs (idempotent: a resumed batch keeps its row).

        Args:
            batch_id: The batch's id.
            label: Short German label (the scenarios).
            plan: The batch plan (command arguments, sweep) as JSON-able data.
            members: ``(run_id, scenario, point_id, replicate)`` per planned run.
        """
        self.con.execute("BEGIN")
        try:
            self.con.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [batch_id, _now(), label, json.dumps(plan, ensure_ascii=False, default=str)],
            )
            frame = pd.DataFrame(
                [(batch_id, *m) for m in members],
                columns=["batch_id", "run_id", "scenario", "point_id", "replicate"],
            )
            self.con.register("_members", frame)
            self.con.execute("INSERT INTO batch_runs SELECT * FROM _members ON CONFLICT DO NOTHING")
            self.con.unregister("_members")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def write_run(self, record: RunRecord, data: RunData) -> None:
        """Store one finished run and its data in a single transaction."""
        self.con.execute("BEGIN")
        try:
            for table in DATA_TABLES:
                self.con.execute(f"DELETE FROM {table} WHERE run_id = ?", [record.run_id])
            self.con.execute("DELETE FROM runs WHERE run_id = ?", [record.run_id])
            for table in DATA_TABLES:
                frame = getattr(data, table).copy()
                frame.insert(0, "run_id", record.run_id)
                self.con.register("_frame", frame)
                cols = ", ".join(f'"{c}"' for c in frame.columns)
                self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
                self.con.unregister("_frame")
            self._insert_manifest(
                record, "done", None, data.started, data.finished, data.seconds, data.worker
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def write_failure(self, record: RunRecord, error: str) -> None:
        """Record a run that failed in the engine (it is retried on resume)."""
        self.con.execute("BEGIN")
        self.con.execute("DELETE FROM runs WHERE run_id = ?", [record.run_id])
        self._insert_manifest(record, "failed", error, None, _now(), None, None)
        self.con.execute("COMMIT")

    def _insert_manifest(
        self,
        record: RunRecord,
        status: str,
        error: str | None,
        started: datetime | None,
        finished: datetime | None,
        seconds: float | None,
        worker: str | None,
    ) -> None:
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.run_id,
                record.scenario,
                record.scenario_sha256,
                record.description,
                record.seed,
                record.point_id,
                json.dumps(record.point, ensure_ascii=False, default=str),
                record.years,
                record.scale,
                json.dumps(record.params, ensure_ascii=False, default=str),
                record.code_version,
                status,
                error,
                started,
                finished,
                seconds,
                worker,
            ],
        )

    # ------------------------------------------------------------------ reading

    def done_run_ids(self, run_ids: Iterable[str] | None = None) -> set[str]:
        """Ids of finished runs (optionally only among ``run_ids``)."""
        rows = self.con.execute("SELECT run_id FROM runs WHERE status = 'done'").fetchall()
        done = {r[0] for r in rows}
        return done if run_ids is None else done & set(run_ids)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a SQL query and return a DataFrame."""
        return self.con.execute(sql, params or []).df()

    def runs(self, batch_id: str | None = None) -> pd.DataFrame:
        """The runs manifest (of one batch, or all)."""
        if batch_id is None:
            return self.query("SELECT * FROM runs ORDER BY scenario, point_id, seed")
        return self.query(
            "SELECT r.*, b.replicate FROM runs r JOIN batch_runs b USING (run_id)"
            " WHERE b.batch_id = ? ORDER BY r.scenario, r.point_id, r.seed",
            [batch_id],
        )

    def batches(self) -> pd.DataFrame:
        """All batches with their number of planned and finished runs."""
        return self.query(
            """SELECT b.batch_id, b.created, b.label,
                      count(m.run_id) AS planned,
                      count(r.run_id) FILTER (WHERE r.status = 'done') AS done
               FROM batches b LEFT JOIN batch_runs m USING (batch_id)
               LEFT JOIN runs r USING (run_id)
               GROUP BY ALL ORDER BY b.created"""
        )

    def yearly(
        self,
        scenarios: Sequence[str] | None = None,
        metrics: Sequence[str] | None = None,
        region: str | None = "Gesamt",
        batch_id: str | None = None,
    ) -> pd.DataFrame:
        """Yearly figures joined with their run's scenario, seed and point."""
        where = ["res.month = 0", "r.status = 'done'"]
        params: list[Any] = []
        if region is not None:
            where.append("res.region = ?")
            params.append(region)
        if scenarios:
            where.append(f"r.scenario IN ({', '.join('?' * len(scenarios))})")
            params.extend(scenarios)
        if metrics:
            where.append(f"res.metric IN ({', '.join('?' * len(metrics))})")
            params.extend(metrics)
        join = ""
        if batch_id is not None:
            join = "JOIN batch_runs b ON b.run_id = r.run_id AND b.batch_id = ?"
            params.insert(0, batch_id)
        sql = f"""SELECT r.scenario, r.point_id, r.seed, res.run_id, res.year, res.region,
                         res.metric, res.value, res.unit
                  FROM results res JOIN runs r ON r.run_id = res.run_id {join}
                  WHERE {" AND ".join(where)}
                  ORDER BY r.scenario, r.point_id, r.seed, res.year, res.metric"""
        return self.query(sql, params)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


__all__ = [
    "DATA_TABLES",
    "DEFAULT_STORE",
    "ResultsStore",
    "RunData",
    "RunRecord",
    "StoreError",
]
