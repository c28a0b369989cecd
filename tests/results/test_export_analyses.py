"""Stored analyses go into the CSV and XLSX exports, formula-safe and in German."""

from __future__ import annotations

import openpyxl
import pandas as pd

from experiments import plan_batch, run_batch
from results import INDEX_COLUMNS, ResultsStore
from results.export import ANALYSIS_FILES, ANALYSIS_SHEETS, export

A = "lueneburg-status-quo"


def _store(tmp_path):
    path = tmp_path / "s.duckdb"
    with ResultsStore(path) as store:
        assert run_batch(plan_batch([A], 1, years=1, scale=0.05), store).complete
        indices = pd.DataFrame(
            [
                ("total_spent", "need.trend_per_year", "=HYPERLINK(1)", "ST", 0.6, 0.1),
                ("total_spent", "need.trend_per_year", "=HYPERLINK(1)", "S1", 0.5, 0.1),
            ],
            columns=list(INDEX_COLUMNS),
        )
        store.write_analysis("a1", "sensitivity", A, None, ["b"], {"n": 2}, {}, indices)
        store.write_analysis("a2", "optimise", "anderes-szenario", None, ["c"], {}, {})
    return path


def test_csv_export_holds_the_analyses_of_the_selected_scenarios(tmp_path):
    path = _store(tmp_path)
    with ResultsStore(path, read_only=True) as store:
        result = export(store, "csv", tmp_path / "csv")
    names = {p.name for p in result.paths}
    assert set(ANALYSIS_FILES.values()) <= names
    analyses = pd.read_csv(tmp_path / "csv" / "analysen.csv", sep=";", encoding="utf-8-sig")
    assert analyses["Analyse"].tolist() == ["a1"]  # a2 belongs to another scenario
    assert analyses["Art"].tolist() == ["Sensitivitätsanalyse"]
    text = (tmp_path / "csv" / "sensitivitaet.csv").read_text(encoding="utf-8-sig")
    assert "Gesamteffekt (Sobol ST)" in text
    assert ";=HYPERLINK" not in text  # never a formula
    # the folder with the analyses' files is an earlier export: replaced, not refused
    with ResultsStore(path, read_only=True) as store:
        export(store, "csv", tmp_path / "csv")


def test_xlsx_export_has_the_analysis_sheets(tmp_path):
    path = _store(tmp_path)
    with ResultsStore(path, read_only=True) as store:
        export(store, "xlsx", tmp_path / "e.xlsx")
    book = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert ANALYSIS_SHEETS["analyses"] in book.sheetnames
    sheet = book[ANALYSIS_SHEETS["sensitivity"]]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Haupteffekt (Sobol S1)" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_export_without_analyses_writes_no_analysis_files(tmp_path):
    path = tmp_path / "s.duckdb"
    with ResultsStore(path) as store:
        assert run_batch(plan_batch([A], 1, years=1, scale=0.05), store).complete
        result = export(store, "csv", tmp_path / "csv")
    assert not {p.name for p in result.paths} & set(ANALYSIS_FILES.values())
