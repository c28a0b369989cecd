"""Exports of the results store: Parquet, CSV for German Excel, XLSX.

* **Parquet** (machine use): one file per table (``runs``, ``results``, ``flows``,
  ``closings``, ``providers``) with the store's column names.
* **CSV for German Excel**: ``;`` as separator, decimal comma, UTF-8 with BOM (so
  Excel shows umlauts), German column headings; one file per table.
* **XLSX**: one workbook with the sheets *Läufe* (manifest), *Übersicht* (median and
  90 % interval per scenario, point, year, region and metric) and *Jahreswerte*
  (every yearly figure of every run).

Every file is written to a temporary name and renamed when complete, so an export
that fails never leaves a half-written file or destroys an earlier one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from scenarios.errors import ScenarioError
from scenarios.store import DATA_TABLES, ResultsStore

FORMATS = ("parquet", "csv", "xlsx")

XLSX_MAX_ROWS = 1_048_575
"""Rows an Excel sheet holds below its heading."""

GERMAN_COLUMNS: dict[str, str] = {
    "run_id": "Lauf",
    "batch_id": "Batch",
    "scenario": "Szenario",
    "scenario_sha256": "Szenario-Hash",
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
"""German headings for CSV and XLSX."""

SHEETS = {"runs": "Läufe", "summary": "Übersicht", "yearly": "Jahreswerte"}


def select_runs(
    store: ResultsStore, batch_id: str | None = None, scenarios: Sequence[str] = ()
) -> pd.DataFrame:
    """The finished runs to export (of one batch and/or some scenarios).

    Raises:
        ScenarioError: If the batch or a scenario is not in the store, or nothing
            is selected.
    """
    runs = store.runs(batch_id)
    if batch_id is not None and runs.empty:
        known = ", ".join(store.batches()["batch_id"]) or "keine"
        raise ScenarioError(
            store.path, "--batch", f"Batch „{batch_id}“ nicht gefunden (vorhanden: {known})"
        )
    runs = runs[runs["status"] == "done"]
    for name in scenarios:
        if name not in set(runs["scenario"]):
            raise ScenarioError(
                store.path, "--szenario", f"keine fertigen Läufe von Szenario „{name}“"
            )
    if scenarios:
        runs = runs[runs["scenario"].isin(scenarios)]
    if runs.empty:
        raise ScenarioError(store.path, None, "keine fertigen Läufe im Ergebnisspeicher")
    return runs.reset_index(drop=True)


def table(store: ResultsStore, name: str, run_ids: Sequence[str]) -> pd.DataFrame:
    """One data table restricted to some runs, sorted."""
    frame = store.query(
        f"SELECT * FROM {name} WHERE run_id IN (SELECT unnest(?)) ORDER BY ALL", [list(run_ids)]
    )
    return frame


def summary(store: ResultsStore, run_ids: Sequence[str]) -> pd.DataFrame:
    """Median and 90 % interval of every yearly figure per scenario, point, year, region."""
    return store.query(
        """SELECT r.scenario, r.point_id, res.year, res.region, res.metric, res.unit,
                  count(*) AS n_runs,
                  median(res.value) AS median,
                  quantile_cont(res.value, 0.05) AS q05,
                  quantile_cont(res.value, 0.95) AS q95
           FROM results res JOIN runs r USING (run_id)
           WHERE res.month = 0 AND res.run_id IN (SELECT unnest(?))
           GROUP BY ALL ORDER BY r.scenario, r.point_id, res.region, res.metric, res.year""",
        [list(run_ids)],
    )


def yearly(store: ResultsStore, run_ids: Sequence[str]) -> pd.DataFrame:
    """Every yearly figure of the runs, with scenario, point and seed."""
    return store.query(
        """SELECT r.scenario, r.point_id, r.seed, res.run_id, res.year, res.region,
                  res.metric, res.value, res.unit
           FROM results res JOIN runs r USING (run_id)
           WHERE res.month = 0 AND res.run_id IN (SELECT unnest(?))
           ORDER BY r.scenario, r.point_id, r.seed, res.region, res.metric, res.year""",
        [list(run_ids)],
    )


def german(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with German headings (unknown columns keep their name)."""
    return frame.rename(columns={c: GERMAN_COLUMNS.get(c, c) for c in frame.columns})


def write_csv_de(frame: pd.DataFrame, path: Path) -> None:
    """CSV for German Excel: ``;``, decimal comma, UTF-8 with BOM (atomically)."""
    _atomic(
        path,
        lambda tmp: german(frame).to_csv(
            tmp,
            sep=";",
            decimal=",",
            index=False,
            encoding="utf-8-sig",
            date_format="%d.%m.%Y %H:%M:%S",
        ),
    )


def export(
    store: ResultsStore,
    fmt: str,
    out: Path,
    *,
    batch_id: str | None = None,
    scenarios: Sequence[str] = (),
) -> list[Path]:
    """Export the selected runs.

    Args:
        store: The results store.
        fmt: ``parquet``, ``csv`` or ``xlsx``.
        out: A directory (Parquet, CSV; created if missing) or an ``.xlsx`` file.
        batch_id: Only this batch.
        scenarios: Only these scenarios.

    Returns:
        The files written.

    Raises:
        ScenarioError: For an unknown format, an empty selection, a sheet too large
            for Excel, or an output path that cannot be written.
    """
    if fmt not in FORMATS:
        raise ScenarioError(
            out, "--format", f"unbekanntes Format „{fmt}“ (möglich: {', '.join(FORMATS)})"
        )
    runs = select_runs(store, batch_id, scenarios)
    ids = list(runs["run_id"])
    written: list[Path] = []
    if fmt == "xlsx":
        if out.suffix.lower() != ".xlsx":
            raise ScenarioError(out, "--out", "XLSX-Export braucht einen Dateinamen auf .xlsx")
        sheets = {
            SHEETS["runs"]: runs.drop(columns=["params"]),
            SHEETS["summary"]: summary(store, ids),
            SHEETS["yearly"]: yearly(store, ids),
        }
        for sheet, frame in sheets.items():
            if len(frame) > XLSX_MAX_ROWS:
                raise ScenarioError(
                    out,
                    sheet,
                    f"{len(frame):,} Zeilen passen nicht in ein Excel-Blatt; mit --batch oder "
                    "--szenario weniger Läufe wählen oder als CSV/Parquet exportieren".replace(
                        ",", "."
                    ),
                )
        _check_parent(out)

        def write(tmp: Path) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for sheet, frame in sheets.items():
                    german(frame).to_excel(xl, sheet_name=sheet, index=False)

        _atomic(out, write)
        return [out]

    if out.exists() and not out.is_dir():
        raise ScenarioError(
            out, "--out", "ist eine Datei; für Parquet und CSV ein Verzeichnis angeben"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(
            out, "--out", f"Verzeichnis kann nicht angelegt werden ({exc.strerror})"
        ) from None
    frames = {"runs": runs, **{name: table(store, name, ids) for name in DATA_TABLES}}
    for name, frame in frames.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            _atomic(path, lambda tmp, f=frame: f.to_parquet(tmp, index=False))
        else:
            write_csv_de(frame, path)
        written.append(path)
    return written


def _check_parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise ScenarioError(path, "--out", "Verzeichnis gibt es nicht")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same directory, then rename."""
    _check_parent(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a result file is shared
        os.replace(tmp, path)
    except OSError as exc:
        raise ScenarioError(
            path, "--out", f"kann nicht geschrieben werden ({exc.strerror})"
        ) from None
    finally:
        if tmp.exists():
            tmp.unlink()


__all__ = [
    "FORMATS",
    "GERMAN_COLUMNS",
    "export",
    "german",
    "select_runs",
    "summary",
    "write_csv_de",
]
