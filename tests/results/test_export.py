"""Exports a Kämmerei can open (issue 16): German labels, formats, splits, CSV with context.

The store is real: two Lüneburg scenarios from the command line, one of them over a
sweep of two points (a lever of the grid and a sampled uncertainty), two replicates.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from cli.main import main
from results import export as ex
from results.labels import (
    CHOICE_LABELS,
    FALLBACK_NUMBER_FORMAT,
    POT_LABELS,
    RUN_STATUS_LABELS,
    UNIT_FORMATS,
    metric_label,
    parameter_label,
    unit_format,
)
from results.store import ResultsStore

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
SMALL = ["--years", "2", "--scale", "0.05", "--workers", "1"]
SHARE = "Anteil regionales Budget 2 an den ambulanten Mitteln"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Status quo × 2 replicates; RB2 20 % with a sweep (share 10 % / 30 %) × 2 replicates."""
    folder = tmp_path_factory.mktemp("export")
    sweep = folder / "anteil.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {
                "description": "Test: zwei Anteile, eine gezogene Unsicherheit",
                "seed": 7,
                "grid": {"budget.regional2_share": [0.1, 0.3]},
                "lhs": {"samples": 1, "uncertainties": ["need.trend_per_year"]},
            }
        ),
        "utf-8",
    )
    path = folder / "ergebnisse.duckdb"
    assert main(["batch", A, "--replicates", "2", *SMALL, "--store", str(path)]) == 0
    args = ["batch", B, "--replicates", "2", "--sweep", str(sweep), *SMALL, "--store", str(path)]
    assert main(args) == 0
    return path


@pytest.fixture(scope="module")
def facts(store: Path) -> dict:
    """What the store holds, read directly (not through the export)."""
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
        yearly = s.yearly(region=None)
        results = s.query("SELECT metric, unit, count(*) AS n FROM results GROUP BY ALL")
    return {"runs": runs, "yearly": yearly, "results": results}


@pytest.fixture(scope="module")
def book(store: Path, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("xlsx") / "ergebnisse.xlsx"
    assert main(["export", "--store", str(store), "--format", "xlsx", "--out", str(out)]) == 0
    return openpyxl.load_workbook(out)


def _table(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _codes(facts: dict) -> set[str]:
    """Every code a reader must not meet in a label cell."""
    results = facts["results"]
    codes = set(results["metric"]) | set(RUN_STATUS_LABELS) | set(POT_LABELS)
    codes |= {u for u in results["unit"] if unit_format(u).label != u}
    for choices in CHOICE_LABELS.values():
        codes |= {c for c in choices if choices[c] != c}
    codes |= {"budget.regional2_share", "need.trend_per_year"}
    return codes


# --------------------------------------------------------------------------- must show


def test_xlsx_of_two_scenarios_has_no_codes_and_formats_every_number(book, facts):
    """Issue 16, "Must show": no code names, number formats on every number, frozen headers."""
    assert book.sheetnames == [
        "Hinweise",
        "Übersicht",
        "Übersicht je Punkt",
        "Läufe",
        "Jahreswerte",
    ]
    codes = _codes(facts)
    numbers = 0
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == ws.dimensions, ws.title
        for k in range(1, ws.max_column + 1):
            letter = openpyxl.utils.get_column_letter(k)
            assert ws.column_dimensions[letter].width >= 8, (ws.title, letter)
        assert all(c.font.b for c in ws[1]), ws.title
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    assert value not in codes, (ws.title, cell.coordinate, value)
                    assert not value.startswith(("{", "[")), (ws.title, cell.coordinate)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
                    numbers += 1
    assert numbers > 1000


def test_every_metric_and_unit_of_the_store_has_a_label_and_a_format(facts):
    """A metric added to the engine without a German label fails here (and in the workbook)."""
    for metric, unit in zip(facts["results"]["metric"], facts["results"]["unit"], strict=True):
        label = metric_label(metric)
        assert label.label != metric and label.unit == unit, metric
        assert unit in UNIT_FORMATS, (metric, unit)


def test_metrics_units_and_status_are_german_with_their_formats(book, facts):
    yearly = _table(book["Jahreswerte"])
    labels = {metric_label(m).label for m in facts["yearly"]["metric"]}
    assert set(yearly["Kennzahl"]) == labels
    assert set(yearly["Einheit"]) == {unit_format(u).label for u in facts["yearly"]["unit"]}
    ws = book["Jahreswerte"]
    heading = [c.value for c in ws[1]]
    k = heading.index("Wert")
    for row in ws.iter_rows(min_row=2, max_row=400):
        unit = row[heading.index("Einheit")].value
        fmt = next(f for f in UNIT_FORMATS.values() if f.label == unit).number_format
        assert row[k].number_format == fmt, unit
    euro = next(r for r in ws.iter_rows(min_row=2) if r[heading.index("Einheit")].value == "€")
    assert euro[k].number_format == '#,##0 "€"'
    runs = _table(book["Läufe"])
    assert set(runs["Status"]) == {"abgeschlossen"}
    assert len(runs) == len(facts["runs"])


def test_yearly_rows_carry_scenario_point_and_replicate(book, facts):
    yearly = _table(book["Jahreswerte"])
    store = facts["yearly"]
    assert len(yearly) == len(store)
    runs = facts["runs"].set_index("run_id")
    for lauf, group in yearly.groupby("Lauf"):
        run = runs.loc[lauf]
        assert set(group["Szenario"]) == {run["scenario"]}
        assert set(group["Punkt"]) == {run["point_id"]}
        assert set(group["Wiederholung"]) == {run["seed"]}  # seeds 1, 2 are replicates 1, 2
    total = store[(store["metric"] == "total_spent") & (store["region"] == "Gesamt")]
    shown = yearly[(yearly["Kennzahl"] == "Ausgaben gesamt") & (yearly["Region"] == "Gesamt")]
    assert sorted(shown["Wert"]) == pytest.approx(sorted(total["value"]))


def test_summary_per_scenario_covers_every_point_and_replicate(book, facts):
    summary = _table(book["Übersicht"])
    assert list(summary.columns[:4]) == ["Szenario", "Jahr", "Region", "Kennzahl"]
    store = facts["yearly"]
    runs = facts["runs"]
    for scenario in (A, B):
        rows = summary[summary["Szenario"] == scenario]
        assert set(rows["Läufe"]) == {int((runs["scenario"] == scenario).sum())}
        spent = store[
            (store["scenario"] == scenario)
            & (store["metric"] == "total_spent")
            & (store["region"] == "Gesamt")
        ]
        for year, values in spent.groupby("year")["value"]:
            row = rows[(rows["Jahr"] == year) & (rows["Kennzahl"] == "Ausgaben gesamt")]
            row = row[row["Region"] == "Gesamt"].iloc[0]
            assert row["Median"] == pytest.approx(values.median())
            assert row["5-%-Quantil"] == pytest.approx(values.quantile(0.05))
            assert row["95-%-Quantil"] == pytest.approx(values.quantile(0.95))
    assert (summary["5-%-Quantil"] <= summary["Median"] + 1e-9).all()


def test_summary_per_point_shows_the_levers_as_columns(book, facts):
    ws = book["Übersicht je Punkt"]
    points = _table(ws)
    heading = [c.value for c in ws[1]]
    assert SHARE in heading and parameter_label("need.trend_per_year").label in heading
    sweep = points[points["Szenario"] == B]
    assert set(sweep[SHARE]) == {0.1, 0.3}
    assert set(sweep["Läufe"]) == {2}
    assert points[points["Szenario"] == A][SHARE].isna().all()  # the status quo has no sweep
    share = heading.index(SHARE)
    assert {r[share].number_format for r in ws.iter_rows(min_row=2) if r[share].value} == {"0.0 %"}
    runs = _table(book["Läufe"])
    assert set(runs.loc[runs["Szenario"] == B, SHARE]) == {0.1, 0.3}
    assert "Punkt-Parameter" not in runs.columns and "Parameter" not in runs.columns


# --------------------------------------------------------------------------- Excel's limits


def _sheet_rows(book: openpyxl.Workbook, prefix: str) -> list[tuple]:
    rows: list[tuple] = []
    for name in book.sheetnames:
        if name == prefix or name.startswith(prefix + " "):
            rows.extend(list(book[name].iter_rows(min_row=2, values_only=True)))
    return rows


def test_regression_xlsx_refuses_a_store_too_big_for_one_sheet(
    store, book, facts, tmp_path, capsys, monkeypatch
):
    """Too many yearly rows for one sheet: the rest continues on more sheets, nothing cut
    (the export used to stop with an error; about 460 Lüneburg runs were too many)."""
    rows = len(facts["yearly"])
    limit = rows // 2 - 1  # three sheets
    monkeypatch.setattr(ex, "XLSX_MAX_ROWS", limit)
    out = tmp_path / "geteilt.xlsx"
    assert main(["export", "--store", str(store), "--format", "xlsx", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Hinweis: Jahreswerte:" in said and "3 Blättern" in said
    split = openpyxl.load_workbook(out)
    assert split.sheetnames[-3:] == ["Jahreswerte", "Jahreswerte 2", "Jahreswerte 3"]
    assert [split[n].max_row - 1 for n in split.sheetnames[-3:]] == [limit, limit, rows - 2 * limit]
    for name in split.sheetnames[-3:]:
        ws = split[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions
    assert _sheet_rows(split, "Jahreswerte") == _sheet_rows(book, "Jahreswerte")
    notes = _table(split["Hinweise"])
    note = notes.loc[notes["Thema"] == "Jahreswerte (aufgeteilt)", "Hinweis"].iloc[0]
    assert "Nichts ist weggelassen" in note and "„Jahreswerte 3“" in note


def test_levers_too_many_for_the_columns_go_to_a_sheet_of_their_own(
    store, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(ex, "XLSX_MAX_COLUMNS", 17)  # the manifest's 16 columns + 1
    out = tmp_path / "schmal.xlsx"
    assert main(["export", "--store", str(store), "--format", "xlsx", "--out", str(out)]) == 0
    assert "Blatt „Punkte“" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert "Punkte" in book.sheetnames
    assert SHARE not in _table(book["Läufe"]).columns
    levers = _table(book["Punkte"])
    assert list(levers.columns) == ["Szenario", "Punkt", "Hebel", "Wert", "Auswahl"]
    share = levers[levers["Hebel"] == SHARE]
    assert set(share["Wert"].dropna()) == {0.1, 0.3}
    assert book["Punkte"].freeze_panes == "A2"


def test_aggregated_xlsx_leaves_out_the_yearly_values(store, tmp_path, capsys):
    out = tmp_path / "kurz.xlsx"
    argv = ["export", "--store", str(store), "--format", "xlsx", "--aggregiert", "--out", str(out)]
    assert main(argv) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Hinweise", "Übersicht", "Übersicht je Punkt", "Läufe"]
    notes = _table(book["Hinweise"])
    assert "--aggregiert" in notes.loc[notes["Thema"] == "Jahreswerte", "Hinweis"].iloc[0]


# --------------------------------------------------------------------------- CSV


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def test_regression_results_csv_has_no_scenario_column(store, facts, tmp_path, capsys):
    """Every row of results.csv names scenario, point and replicate: no join by hand."""
    out = tmp_path / "csv"
    assert main(["export", "--store", str(store), "--format", "csv", "--out", str(out)]) == 0
    assert "Hinweis" not in capsys.readouterr().out  # small enough for Excel
    results = _csv(out / "results.csv")
    assert list(results.columns) == [
        "Szenario",
        "Punkt",
        "Wiederholung",
        "Region",
        "Kennzahl",
        "Jahr",
        "Monat",
        "Wert",
        "Einheit",
        "Lauf",
        "Kennzahl-Code",
    ]
    assert len(results) == int(facts["results"]["n"].sum())
    runs = _csv(out / "runs.csv")
    joined = results.merge(runs, on="Lauf", suffixes=("", "_lauf"))
    assert len(joined) == len(results)
    assert (joined["Szenario"] == joined["Szenario_lauf"]).all()
    assert (joined["Punkt"] == joined["Punkt_lauf"]).all()
    assert (joined["Wiederholung"] == joined["Wiederholung_lauf"]).all()
    assert set(runs["Status"]) == {"abgeschlossen"}
    codes = set(facts["results"]["metric"])
    assert set(results["Kennzahl-Code"]) == codes and not set(results["Kennzahl"]) & codes
    assert (results.loc[results["Kennzahl-Code"] == "total_spent", "Einheit"] == "€").all()


def test_a_csv_too_long_for_excel_says_so_and_offers_the_aggregated_form(
    store, facts, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(ex, "CSV_EXCEL_MAX_LINES", 1000)
    out = tmp_path / "csv"
    assert main(["export", "--store", str(store), "--format", "csv", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    lines = int(facts["results"]["n"].sum()) + 1
    expected = f"Hinweis: results.csv hat {lines:,} Zeilen".replace(",", ".")
    assert expected in said and "--aggregiert" in said and "höchstens 1.000" in said

    argv = ["export", "--store", str(store), "--format", "csv", "--aggregiert", "--out", str(out)]
    assert main(argv) == 0  # replaces the full export in the same folder
    assert "results.csv" not in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(ex.AGGREGATED_CSV_FILES.values())
    summary = _csv(out / "uebersicht.csv")
    groups = facts["yearly"].groupby(["scenario", "year", "region", "metric"]).ngroups
    assert len(summary) == groups
    assert set(summary["Läufe"]) == {2, 4}  # status quo: 2 runs; RB2: 2 points × 2
    points = _csv(out / "uebersicht_punkte.csv")
    assert set(points[SHARE].dropna()) == {0.1, 0.3}
    with (out / "uebersicht.csv").open(encoding="utf-8-sig", newline="") as f:
        heading = next(csv.reader(f, delimiter=";"))
    assert heading[:4] == ["Szenario", "Jahr", "Region", "Kennzahl"]


def test_aggregated_parquet_is_refused_in_one_german_line(store, tmp_path, capsys):
    argv = ["export", "--store", str(store), "--format", "parquet", "--aggregiert"]
    assert main([*argv, "--out", str(tmp_path / "pq")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Fehler:") and "--aggregiert" in err[0]
    assert not (tmp_path / "pq").exists()


def test_a_point_without_levers_and_a_bad_point_give_empty_lever_cells(store, tmp_path, capsys):
    """A damaged point (a list, not an object) in a store: the export runs, levers empty."""
    copy = tmp_path / "kaputt.duckdb"
    shutil.copy(store, copy)
    with ResultsStore(copy) as s:
        assert s.con is not None
        s.con.execute("UPDATE runs SET point = '[1, 2]' WHERE seed = 1 AND point_id = 'p000'")
    out = tmp_path / "k.xlsx"
    assert main(["export", "--store", str(copy), "--format", "xlsx", "--out", str(out)]) == 0
    runs = _table(openpyxl.load_workbook(out)["Läufe"])
    bad = runs[(runs["Punkt"] == "p000") & (runs["Seed"] == 1) & (runs["Szenario"] == B)]
    assert len(bad) == 1 and pd.isna(bad[SHARE].iloc[0])


def test_missing_region_metric_or_unit_give_empty_cells_not_a_broken_file(store, tmp_path):
    """Rows whose texts are missing (a damaged store) stay rows: empty cells, a number format."""
    copy = tmp_path / "luecken.duckdb"
    shutil.copy(store, copy)
    with ResultsStore(copy) as s:
        assert s.con is not None
        s.con.execute("UPDATE results SET unit = NULL WHERE metric = 'total_spent'")
        s.con.execute("UPDATE results SET region = NULL WHERE metric = 'escalations'")
        s.con.execute("UPDATE results SET metric = NULL WHERE metric = 'hhi'")
    out = tmp_path / "l.xlsx"
    assert main(["export", "--store", str(copy), "--format", "xlsx", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["Jahreswerte"]
    heading = [c.value for c in ws[1]]
    region, metric, value, unit = (
        heading.index(h) for h in ("Region", "Kennzahl", "Wert", "Einheit")
    )
    rows = list(ws.iter_rows(min_row=2))
    no_unit = [r for r in rows if r[metric].value == "Ausgaben gesamt"]
    assert no_unit and all(r[unit].value is None for r in no_unit)
    assert {r[value].number_format for r in no_unit} == {FALLBACK_NUMBER_FORMAT}
    assert any(r[region].value is None and r[metric].value == "Eskalationen" for r in rows)
    assert any(r[metric].value is None for r in rows)


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_rows_of_a_text_column_are_slices_of_its_buffer(kind):
    """The rows of a query go to the sheet as slices of Arrow's buffer, sliced arrays too."""
    import pyarrow as pa

    column = pa.array(["<a/>", "<bb/>", "", "<ccc/>", "<ü/>"], type=getattr(pa, kind)())
    for part in (column, column.slice(1, 3)):
        rows = ex._utf8_rows(part)
        texts = part.to_pylist()
        for start in range(len(texts)):
            for end in range(start, len(texts) + 1):
                assert bytes(rows(start, end)) == "".join(texts[start:end]).encode()
    with_null = pa.array(["<a/>", None, "<c/>"])
    assert ex._utf8_rows(with_null)(0, 3) == "<a/><c/>"
