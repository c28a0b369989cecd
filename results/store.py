"""Results store: one embedded DuckDB file with the runs manifest and all results.

Tables (every results table carries ``run_id``):

* ``batches``: one row per planned batch (id, created, the command's plan as JSON).
* ``batch_runs``: which runs belong to which batch (scenario, point, replicate).
* ``runs``: the manifest, one row per run: run id, scenario name, the scenario's
  content hash as written (``scenario_sha256``, equal for every run of a scenario
  file; what provenance checks compare), seed, sweep point and its overrides, full
  parameters (JSON), code version, status (``done``/``failed``), start, end,
  seconds, worker, and the input hash of what the run computed (``input_sha256``:
  parameters after sweep point, posterior draw, years and scale).
* ``results``: the tidy outcomes (``year, month, region, metric, value, unit``;
  ``month`` 0 = yearly figure, region ``Gesamt`` = whole Kreis).
* ``flows``: the ledger summed per year (region, pot, item, provider, kind, cents),
  for money-flow charts; every euro of the run is in it.
* ``closings``: the year-end closing per region and pot (cents).
* ``providers``: each provider's year.

A run's rows are written in one transaction together with its manifest row, so a
run is either completely stored or not at all: an interrupted batch leaves no
partial run, and resuming never duplicates one. A run id is a hash of everything
that determines the run (its input hash, seed and code version), so the same
command finds its finished runs again.

Only one process may write at a time (DuckDB's rule); the batch runner's main
process is the only writer, its workers return data to it.

**Opening is checked before anything is written.** The path must be a regular file
(not a directory, FIFO, device or symlink loop) that starts with DuckDB's magic
bytes; the tool's tables are created only in a new or empty database; an existing
one must carry every table and column the tool needs and the current
``meta.schema_version``. A foreign DuckDB file, an SQLite file, an older store, a
truncated or corrupt one is refused with one German line, and stays byte for byte
unchanged. The one exception is a store of schema 1 (before ``runs.input_sha256``)
opened for writing: it is upgraded in one transaction, keeping every run (see
:data:`ADDED_COLUMNS`); opened read-only it is refused with the advice to open it once
for writing. Extension autoloading and autoinstalling are off, so no file makes
DuckDB download anything. Storage failures while reading or writing (full disk,
file-size limit, checksum errors) become a :class:`StoreError`; a failed write
rolls its transaction back, so every run stored before it is kept and the same
command resumes.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from results.queries import yearly_sql
from results.schema import (
    ADDED_COLUMNS,
    ADDED_TABLES,
    CONNECTION_CONFIG,
    DATA_TABLES,
    DDL,
    MIGRATABLE_FROM,
    SCHEMA_VERSION,
    content_hashes,
    expected_schema,
    schema_difference,
    schema_of,
    schema_of_version,
)
from results.store_files import (
    WHAT_TO_DO_BROKEN,
    WHAT_TO_DO_OLD,
    WHAT_TO_DO_UPGRADE,
    StoreError,
    check_store_path,
    duckdb_reason,
    os_reason,
)

DEFAULT_STORE = Path("ergebnisse.duckdb")
"""Store file used when none is given (in the working directory)."""


INDEX_COLUMNS = ("outcome", "parameter", "label", "measure", "value", "conf")
"""Columns of a sensitivity analysis's indices (table ``sensitivity_indices``)."""


@dataclass(frozen=True)
class RunRecord:
    """The manifest row of one run.

    Attributes:
        scenario_sha256: Content hash of the scenario as written (before sweep point
            and posterior draw): the same for every run of one scenario file.
        input_sha256: Hash of the parameters actually run (after point, draw, years
            and scale); see :func:`experiments.recipe.input_sha256`.
    """

    run_id: str
    scenario: str
    scenario_sha256: str
    input_sha256: str
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


class ResultsStore:
    """The DuckDB results store (a context manager; or call :meth:`close`).

    Args:
        path: The store file; created with its tables if missing (or an empty
            DuckDB database).
        read_only: Open without write access (several readers may share a file).

    Raises:
        StoreError: If the file cannot be a store (see :func:`check_store_path`), is
            locked by another process, is damaged, is a foreign DuckDB database or
            one of an older schema. Nothing is written to it then.
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.con: duckdb.DuckDBPyConnection | None = None
        check_store_path(self.path, read_only=read_only)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config=CONNECTION_CONFIG)
        except duckdb.Error as exc:
            reason = duckdb_reason(exc) or "keine gültige Ergebnisdatei"
            raise StoreError(
                self.path, None, f"Ergebnisspeicher kann nicht geöffnet werden: {reason}"
            ) from None
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def _open(self) -> None:
        """Check the schema; create the tables in a new or empty database only."""
        found = self._guard(lambda: schema_of(self._con))
        if not found:
            if self.read_only:
                raise StoreError(self.path, None, "DuckDB-Datei ohne Tabellen, keine Ergebnisdatei")
            self._create()
            found = self._guard(lambda: schema_of(self._con))
        elif "meta" not in found:
            tables = ", ".join(sorted(found)[:5])
            raise StoreError(
                self.path,
                None,
                f"DuckDB-Datei eines anderen Programms (Tabellen: {tables}), keine "
                "Ergebnisdatei dieses Werkzeugs; sie bleibt unverändert, mit --store eine "
                "andere Datei angeben",
            )
        self._check_tables(found, only="meta")  # the version needs meta.value
        version = self._check_version()
        if version < SCHEMA_VERSION:
            self._upgrade(found, version)
            found = self._guard(lambda: schema_of(self._con))
        self._check_tables(found)

    def _create(self) -> None:
        with self._transaction():
            for ddl in DDL:
                self._con.execute(ddl)
            self._con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [str(SCHEMA_VERSION)],
            )

    def _check_version(self) -> int:
        """The store's schema version; refused if this program can neither use nor upgrade it.

        Returns:
            :data:`SCHEMA_VERSION`, or an older version from :data:`MIGRATABLE_FROM` on.
        """
        try:
            row = self._guard(
                lambda: self._con.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'"
                ).fetchone()
            )
        except duckdb.Error:
            raise StoreError(
                self.path, "meta", "Tabelle meta unlesbar, keine Ergebnisdatei dieses Werkzeugs"
            ) from None
        if row is None:
            raise StoreError(
                self.path,
                "meta.schema_version",
                "fehlt; keine Ergebnisdatei dieses Werkzeugs, mit --store eine andere Datei "
                "angeben",
            )
        try:
            found = int(str(row[0]).strip())
        except ValueError:
            raise StoreError(
                self.path,
                "meta.schema_version",
                f"„{str(row[0])[:20]}“ ist keine Versionsnummer; {WHAT_TO_DO_BROKEN}",
            ) from None
        if found < MIGRATABLE_FROM:
            raise StoreError(
                self.path,
                "meta.schema_version",
                f"Ergebnisdatei hat das ältere Schema {found}, dieses Programm braucht "
                f"{SCHEMA_VERSION}: {WHAT_TO_DO_OLD}",
            )
        if found > SCHEMA_VERSION:
            raise StoreError(
                self.path,
                "meta.schema_version",
                f"Ergebnisdatei hat das neuere Schema {found}, dieses Programm kennt nur "
                f"{SCHEMA_VERSION}: das Programm aktualisieren",
            )
        return found

    def _upgrade(self, found: dict[str, tuple[tuple[str, str], ...]], version: int) -> None:
        """Upgrade a store of an older schema in one transaction, keeping every run.

        Only a store whose tables are exactly those of its version is upgraded, and
        only when opened for writing; otherwise it is refused and stays unchanged.

        Raises:
            StoreError: For a read-only opening, tables that do not match the
                version, or a failed write (rolled back: the file keeps its schema).
        """
        old = f"Ergebnisdatei hat das ältere Schema {version}, dieses Programm braucht "
        difference = schema_difference(found, schema_of_version(version))
        if difference is not None:
            raise StoreError(
                self.path,
                "meta.schema_version",
                f"{old}{SCHEMA_VERSION}, aber ihre Tabellen passen nicht zu Schema {version} "
                f"({difference}): {WHAT_TO_DO_BROKEN}",
            )
        if self.read_only:
            raise StoreError(
                self.path,
                "meta.schema_version",
                f"{old}{SCHEMA_VERSION}: {WHAT_TO_DO_UPGRADE}",
            )
        plans = self._guard(
            lambda: self._con.execute("SELECT batch_id, plan FROM batches").fetchall()
        )
        members = self._guard(
            lambda: self._con.execute(
                "SELECT batch_id, run_id, scenario FROM batch_runs"
            ).fetchall()
        )
        content = content_hashes(plans, members)
        frame = pd.DataFrame(
            {"run_id": list(content), "scenario_sha256": list(content.values())}, dtype=object
        )
        with self._transaction():
            for added_in, tables in ADDED_TABLES.items():
                if added_in > version:
                    for ddl in DDL:
                        if any(f"EXISTS {table} (" in ddl for table in tables):
                            self._con.execute(ddl)
            for added_in, columns in ADDED_COLUMNS.items():
                if added_in <= version:
                    continue
                for table, column, kind in columns:
                    self._con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            if version < 2:
                self._hashes_of_schema_1(content, frame)
            self._con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
            )

    def _hashes_of_schema_1(self, content: dict[str, str], frame: pd.DataFrame) -> None:
        """Schema 1 → 2 (inside the upgrade's transaction): put both hashes in place.

        Schema 1 kept the hash taken after the posterior draw in ``scenario_sha256``:
        that is a hash of what the run computed, so it moves to ``input_sha256``; the
        content hash as written comes from the batch plans (:func:`results.schema.content_hashes`),
        and stays empty where no plan records it.
        """
        self._con.execute("UPDATE runs SET input_sha256 = scenario_sha256")
        self._con.execute("UPDATE runs SET scenario_sha256 = NULL")
        if content:
            self._con.register("_content", frame)
            try:
                self._con.execute(
                    "UPDATE runs SET scenario_sha256 = c.scenario_sha256 FROM _content c "
                    "WHERE runs.run_id = c.run_id"
                )
            finally:
                self._con.unregister("_content")

    def _check_tables(
        self, found: dict[str, tuple[tuple[str, str], ...]], only: str | None = None
    ) -> None:
        """Every table and column the tool needs (or those of table ``only``), in place."""
        for table_name, columns in expected_schema().items():
            if only is not None and table_name != only:
                continue
            have = found.get(table_name)
            if have is None:
                raise StoreError(
                    self.path,
                    table_name,
                    f"Tabelle {table_name} fehlt: die Ergebnisdatei stammt von einer älteren "
                    f"Programmversion; {WHAT_TO_DO_OLD}",
                )
            if have == columns:
                continue
            names = dict(have)
            for column, kind in columns:
                if column not in names:
                    raise StoreError(
                        self.path,
                        f"{table_name}.{column}",
                        f"Spalte fehlt: die Ergebnisdatei stammt von einer älteren "
                        f"Programmversion; {WHAT_TO_DO_OLD}",
                    )
                if names[column] != kind:
                    raise StoreError(
                        self.path,
                        f"{table_name}.{column}",
                        f"Spalte hat den Typ {names[column]} statt {kind}: die Ergebnisdatei "
                        f"stammt von einer anderen Programmversion; {WHAT_TO_DO_OLD}",
                    )
            extra = [c for c, _ in have if c not in dict(columns)]
            raise StoreError(
                self.path,
                f"{table_name}.{extra[0]}" if extra else table_name,
                "Spalten passen nicht zu diesem Programm (zusätzlich oder in anderer "
                f"Reihenfolge): {WHAT_TO_DO_OLD}",
            )

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise StoreError(self.path, None, "Ergebnisspeicher ist schon geschlossen")
        return self.con

    def close(self) -> None:
        """Close the connection (checkpointing the write-ahead log).

        A checkpoint that fails (a full disk) is no loss: the write-ahead log keeps
        every committed run and the next opening replays it.
        """
        con, self.con = self.con, None
        if con is None:
            return
        try:
            con.close()
        except duckdb.Error:
            pass

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ failures

    def _failure(self, exc: BaseException, writing: bool) -> StoreError | None:
        """The German error for a storage failure, or None for any other error."""
        reason = duckdb_reason(exc)
        if reason is None:
            return None
        if writing:
            return StoreError(
                self.path,
                None,
                f"kann nicht geschrieben werden: {reason}; alle bis dahin fertigen Läufe "
                "sind gespeichert, derselbe Befehl setzt nach dem Beheben fort",
            )
        return StoreError(self.path, None, f"kann nicht gelesen werden: {reason}")

    def _guard(self, action: Any) -> Any:
        """Run a read; a storage failure becomes a :class:`StoreError`."""
        try:
            return action()
        except (duckdb.Error, OSError) as exc:
            error = self._failure(exc, writing=False)
            if error is None:
                raise
            raise error from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction; rolled back on any error, storage failures translated."""
        try:
            self._con.execute("BEGIN")
        except duckdb.Error as exc:
            error = self._failure(exc, writing=True)
            if error is None:
                raise
            raise error from None
        try:
            yield
            self._con.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            error = self._failure(exc, writing=True) if isinstance(exc, Exception) else None
            if error is None:
                raise
            raise error from None

    def _rollback(self) -> None:
        """Roll back if a transaction is open (a failed COMMIT has already ended it)."""
        try:
            self._con.execute("ROLLBACK")
        except duckdb.Error:
            pass

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

        Raises:
            StoreError: If the file cannot be written (nothing of the batch is stored).
        """
        frame = pd.DataFrame(
            [(batch_id, *m) for m in members],
            columns=["batch_id", "run_id", "scenario", "point_id", "replicate"],
        )
        with self._transaction():
            self._con.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [batch_id, _now(), label, json.dumps(plan, ensure_ascii=False, default=str)],
            )
            self._con.register("_members", frame)
            try:
                self._con.execute(
                    "INSERT INTO batch_runs SELECT * FROM _members ON CONFLICT DO NOTHING"
                )
            finally:
                self._con.unregister("_members")

    def write_run(self, record: RunRecord, data: RunData) -> None:
        """Store one finished run and its data in a single transaction.

        Raises:
            StoreError: If the file cannot be written (full disk, file-size limit);
                nothing of this run is stored, every earlier run is kept.
        """
        with self._transaction():
            for table in DATA_TABLES:
                self._con.execute(f"DELETE FROM {table} WHERE run_id = ?", [record.run_id])
            self._con.execute("DELETE FROM runs WHERE run_id = ?", [record.run_id])
            for table in DATA_TABLES:
                frame = getattr(data, table).copy()
                frame.insert(0, "run_id", record.run_id)
                self._con.register("_frame", frame)
                try:
                    cols = ", ".join(f'"{c}"' for c in frame.columns)
                    self._con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
                finally:
                    self._con.unregister("_frame")
            self._insert_manifest(
                record, "done", None, data.started, data.finished, data.seconds, data.worker
            )

    def write_analysis(
        self,
        analysis_id: str,
        kind: str,
        scenario: str,
        baseline: str | None,
        batch_ids: Sequence[str],
        settings: dict[str, Any],
        result: dict[str, Any],
        indices: pd.DataFrame | None = None,
    ) -> None:
        """Store an analysis (sensitivity, discovery, search) in one transaction.

        The same analysis run again (same id: same settings and runs) replaces its row
        and its indices, so nothing is stored twice.

        Args:
            analysis_id: Id of the analysis (a hash of what it was computed from).
            kind: ``sensitivity``, ``discover`` or ``optimise``.
            scenario: The scenario analysed.
            baseline: The baseline of the paired differences, or None.
            batch_ids: The batches whose runs it read.
            settings: What it was asked for (method, sizes, outcome …), JSON-able.
            result: What it found, JSON-able.
            indices: Sensitivity indices (columns of table ``sensitivity_indices``
                without ``analysis_id``), or None.

        Raises:
            StoreError: If the file cannot be written (nothing of it is stored).
        """
        dump = functools.partial(json.dumps, ensure_ascii=False, allow_nan=False, default=str)
        with self._transaction():
            self._con.execute("DELETE FROM analyses WHERE analysis_id = ?", [analysis_id])
            self._con.execute(
                "DELETE FROM sensitivity_indices WHERE analysis_id = ?", [analysis_id]
            )
            self._con.execute(
                "INSERT INTO analyses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    analysis_id,
                    kind,
                    _now(),
                    scenario,
                    baseline,
                    dump(list(batch_ids)),
                    dump(settings),
                    dump(result),
                ],
            )
            if indices is not None and not indices.empty:
                frame = indices[list(INDEX_COLUMNS)].copy()
                frame.insert(0, "analysis_id", analysis_id)
                self._con.register("_indices", frame)
                try:
                    self._con.execute("INSERT INTO sensitivity_indices SELECT * FROM _indices")
                finally:
                    self._con.unregister("_indices")

    def analyses(self, kind: str | None = None) -> pd.DataFrame:
        """Stored analyses, newest first; ``settings``, ``result`` and ``batch_ids`` parsed."""
        sql = "SELECT * FROM analyses"
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind)
        frame = self.query(sql + " ORDER BY created DESC, analysis_id", params)
        for column in ("batch_ids", "settings", "result"):
            frame[column] = [json.loads(v) if isinstance(v, str) else v for v in frame[column]]
        return frame

    def sensitivity_indices(self, analysis_id: str) -> pd.DataFrame:
        """The indices of one sensitivity analysis (table ``sensitivity_indices``)."""
        return self.query(
            "SELECT * FROM sensitivity_indices WHERE analysis_id = ? "
            "ORDER BY outcome, measure, value DESC, parameter",
            [analysis_id],
        )

    def write_failure(self, record: RunRecord, error: str) -> None:
        """Record a run that failed in the engine (it is retried on resume).

        Raises:
            StoreError: If the file cannot be written.
        """
        with self._transaction():
            self._con.execute("DELETE FROM runs WHERE run_id = ?", [record.run_id])
            self._insert_manifest(record, "failed", error, None, _now(), None, None)

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
        self._con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                record.input_sha256,
            ],
        )

    # ------------------------------------------------------------------ reading

    def done_run_ids(self, run_ids: Iterable[str] | None = None) -> set[str]:
        """Ids of finished runs (optionally only among ``run_ids``)."""
        rows = self._guard(
            lambda: self._con.execute("SELECT run_id FROM runs WHERE status = 'done'").fetchall()
        )
        done = {r[0] for r in rows}
        return done if run_ids is None else done & set(run_ids)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a SQL query and return a DataFrame.

        Raises:
            StoreError: If the file cannot be read (truncated, checksum wrong).
        """
        return self._guard(lambda: self._con.execute(sql, params or []).df())

    def query_chunks(
        self, sql: str, params: Sequence[Any] | None = None, rows: int = 100_000
    ) -> Iterator[pd.DataFrame]:
        """Run a SQL query and yield its result in frames of about ``rows`` rows (exports).

        Raises:
            StoreError: If the file cannot be read (truncated, checksum wrong).
        """
        vectors = max(1, rows // 2048)  # DuckDB hands out rows in vectors of 2,048
        cursor = self._guard(lambda: self._con.cursor().execute(sql, params or []))
        try:
            while len(chunk := self._guard(lambda: cursor.fetch_df_chunk(vectors))):
                yield chunk
        finally:
            cursor.close()

    def query_arrow(
        self, sql: str, params: Sequence[Any] | None = None, rows: int = 100_000
    ) -> Iterator[Any]:
        """Run a SQL query and yield its result as Arrow record batches of ``rows`` rows.

        A text column arrives as one buffer of all its texts (the workbook writer
        passes it on without making a Python string of every row).

        Raises:
            StoreError: If the file cannot be read (truncated, checksum wrong).
        """
        cursor = self._guard(lambda: self._con.cursor())
        try:
            reader = self._guard(
                lambda: cursor.sql(sql, params=list(params or [])).to_arrow_reader(rows)
            )
            while True:
                try:
                    batch = self._guard(reader.read_next_batch)
                except StopIteration:
                    return
                yield batch
        finally:
            cursor.close()

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
        """Yearly figures joined with their run's scenario, seed and point.

        The query is :func:`results.queries.yearly_sql`, shared with the dashboard;
        an empty ``scenarios`` or ``metrics`` means all.
        """
        sql, params = yearly_sql(
            scenarios=scenarios or None,
            metrics=metrics or None,
            regions=None if region is None else [region],
            batch_id=batch_id,
        )
        return self.query(sql, params)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


__all__ = [
    "DATA_TABLES",
    "DEFAULT_STORE",
    "SCHEMA_VERSION",
    "ResultsStore",
    "RunData",
    "RunRecord",
    "StoreError",
    "os_reason",
]
