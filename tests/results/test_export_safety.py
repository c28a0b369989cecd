"""Exports that cannot carry formulas, and exports that are atomic (issue 10).

Before, a scenario description, region or provider name beginning with ``=`` was
written into the XLSX as a live formula and into the CSV as ``=…`` (Excel runs both
when the file is opened); an export into an unwritable directory ended in a
traceback; a killed export left hidden temporary files and a CSV folder could end
as a mix of old and new files.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from cli.main import main
from results import atomic
from results import export as ex
from results.store import ResultsStore
from scenarios.loader import find_scenario

ROOT = Path(__file__).resolve().parents[2]
A = "lueneburg-status-quo"
VARIANT = "formel-test"
EVIL_SCENARIO = '=HYPERLINK("http://example.org/s","Szenario")'
EVIL_TEXTS = {
    "description": "=1+1 und eine Beschreibung mit Gleichheitszeichen",
    "region": '=HYPERLINK("http://example.org/r","Region 1")',
    "provider": "@SUM(1+1)*cmd|' /C calc'!A0",
    "worker": "+41-1",
    "unit": "-2+3",
    "pot": "\t=1+2",
    "item": "\r=3+4",
}
"""A text starting with each formula character, in the tables they can reach."""


def _inject(path: Path, scenario: str | None = None) -> None:
    """Put the evil texts into the store's text columns (files cannot hold all of them)."""
    t = EVIL_TEXTS
    with ResultsStore(path) as store:
        con = store.con
        assert con is not None
        con.execute("UPDATE results SET region = ? WHERE region = 'Region 1'", [t["region"]])
        con.execute("UPDATE closings SET region = ? WHERE region = 'Region 1'", [t["region"]])
        con.execute(
            "UPDATE providers SET provider = ? WHERE provider = 'Nordstern'", [t["provider"]]
        )
        con.execute("UPDATE flows SET provider = ? WHERE provider = 'Nordstern'", [t["provider"]])
        con.execute("UPDATE runs SET worker = ?", [t["worker"]])
        con.execute("UPDATE results SET unit = ? WHERE unit = 'Termine'", [t["unit"]])
        con.execute("UPDATE flows SET pot = ?, item = ? WHERE rowid % 2 = 0", [t["pot"], t["item"]])
        if scenario is not None:
            for table_name in ("runs", "batch_runs"):
                con.execute(
                    f"UPDATE {table_name} SET scenario = ? WHERE scenario = ?",
                    [scenario, VARIANT],
                )


@pytest.fixture(scope="module")
def formula_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store: a library variant whose title and description begin with ``=``."""
    folder = tmp_path_factory.mktemp("formeln")
    doc = yaml.safe_load(find_scenario("lueneburg-rb2-20-rueckbehalt").read_text("utf-8"))
    doc.update(
        name=VARIANT,
        title='=HYPERLINK("http://example.org/x","klick")',
        description=EVIL_TEXTS["description"],
    )
    # a central budget far below spending, so the store holds negative results too
    doc["overrides"]["budget.central_funds"] = {
        "value": 1_000_000.0,
        "unit": "EUR/year",
        "assumption": "Test: zu kleines Budget, damit Ergebnisse negativ werden",
    }
    scenario = folder / f"{VARIANT}.yaml"
    scenario.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    store = folder / "ergebnisse.duckdb"
    args = ["batch", str(scenario), A, "--replicates", "2", "--years", "1", "--scale", "0.1"]
    assert main([*args, "--workers", "1", "--store", str(store)]) == 0
    _inject(store)
    return store


def _is_number(field: str) -> bool:
    try:
        float(field.replace(".", "").replace(",", "."))
    except ValueError:
        return False
    return True


def _csv_fields(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=";"))


def _assert_no_formula_in_csv(rows: list[list[str]]) -> set[str]:
    """No field begins with a formula character unless it is a number; the texts seen."""
    texts = set()
    for row in rows:
        for field in row:
            if field.startswith(ex.FORMULA_PREFIXES):
                assert _is_number(field), f"Formel im CSV: {field!r}"
            texts.add(field)
    return texts


def _assert_no_formula_in_xlsx(book: openpyxl.Workbook) -> tuple[set[str], list[float]]:
    """No cell is a formula, no text begins with a formula character; texts and numbers."""
    texts: set[str] = set()
    numbers: list[float] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"Formel in {ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not cell.value.startswith(ex.FORMULA_PREFIXES), cell.value
                    texts.add(cell.value)
                elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    numbers.append(cell.value)
    return texts, numbers


def test_regression_export_writes_live_formulas(formula_store, tmp_path, capsys):
    """XLSX and CSV of a store whose texts begin with ``=`` etc. hold no formula."""
    xlsx = tmp_path / "e.xlsx"
    assert (
        main(["export", "--store", str(formula_store), "--format", "xlsx", "--out", str(xlsx)]) == 0
    )
    texts, numbers = _assert_no_formula_in_xlsx(openpyxl.load_workbook(xlsx))
    # every injected text is there, neutralised; numbers stay numbers (negative ones too)
    for key in ("description", "region", "worker", "unit"):
        assert "'" + EVIL_TEXTS[key] in texts, key
    assert any(n < 0 for n in numbers)
    yearly = pd.read_excel(xlsx, sheet_name="Jahreswerte")
    assert yearly["Wert"].dtype.kind == "f" and yearly["Jahr"].dtype.kind == "i"

    out = tmp_path / "csv"
    assert (
        main(["export", "--store", str(formula_store), "--format", "csv", "--out", str(out)]) == 0
    )
    seen: set[str] = set()
    for path in sorted(out.iterdir()):
        seen |= _assert_no_formula_in_csv(_csv_fields(path))
    for text in EVIL_TEXTS.values():
        assert "'" + text in seen, text
    results = pd.read_csv(out / "results.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert results["Wert"].dtype.kind == "f" and (results["Wert"] < 0).any()
    closings = pd.read_csv(out / "closings.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert closings["Ergebnis"].dtype.kind == "i" and (closings["Ergebnis"] < 0).any()


def test_neutralised_frame_keeps_numbers_and_missing_values():
    frame = pd.DataFrame(
        {
            "text": ["=1", "+1", "-1", "@A1", "\tx", "\rx", "gut", None],
            "number": [-1.5, 2.0, -3.0, 0.0, 1.0, 2.0, 3.0, float("nan")],
            "count": [-1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    safe = ex.safe_frame(frame)
    assert list(safe["text"][:7]) == ["'=1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "gut"]
    assert pd.isna(safe["text"].iloc[7])
    pd.testing.assert_series_equal(safe["number"], frame["number"])
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    assert ex.safe_frame(frame.rename(columns={"text": "=x"})).columns[0] == "'=x"


def test_xlsx_cells_hold_control_characters_and_long_texts():
    """Texts Excel cannot hold as they are become valid text cells, not a crash."""
    long = "x" * (ex.XLSX_MAX_CELL_CHARS + 10)
    frame = pd.DataFrame({"t": ["a\x00b\x1fc", long, "#N/A", "=A1"], "n": [1, -2, 3, 4]})
    book = openpyxl.load_workbook(io.BytesIO(ex.xlsx_bytes({"Blatt": frame})))
    cells = [row[0] for row in book["Blatt"].iter_rows(min_row=2)]
    assert cells[0].value == "a\ufffdb\ufffdc"
    assert len(cells[1].value) == ex.XLSX_MAX_CELL_CHARS and cells[1].value.endswith("(gekürzt)")
    assert [c.data_type for c in cells] == ["s"] * 4  # "#N/A" is text, not an error value
    assert cells[3].value == "'=A1"
    assert [row[1].value for row in book["Blatt"].iter_rows(min_row=2)] == [1, -2, 3, 4]


def _dash_export(client, which: str, basis: str, compared: list[str]) -> bytes:
    buttons = ["export-xlsx", "export-csv", "export-html", "export-pdf"]
    payload = {
        "output": "..download.data...export-meldung.children..",
        "outputs": [
            {"id": "download", "property": "data"},
            {"id": "export-meldung", "property": "children"},
        ],
        "inputs": [
            {"id": b, "property": "n_clicks", "value": 1 if b == which else None} for b in buttons
        ],
        "changedPropIds": [f"{which}.n_clicks"],
        "state": [
            {"id": "basis", "property": "value", "value": basis},
            {"id": "vergleich", "property": "value", "value": compared},
        ],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response.get_json()["response"]["download"]["data"]
    assert data["base64"]
    return base64.b64decode(data["content"])


def test_regression_dashboard_downloads_write_live_formulas(formula_store, tmp_path):
    """The dashboard's XLSX and CSV downloads of the comparison hold no formula."""
    from dashboard.app import create_app

    store = tmp_path / "ergebnisse.duckdb"
    shutil.copy(formula_store, store)
    _inject(store, scenario=EVIL_SCENARIO)  # a scenario name (and so title) with "="
    app = create_app(store, cache_dir=tmp_path / "cache")
    try:
        client = app.server.test_client()
        content = _dash_export(client, "export-xlsx", A, [EVIL_SCENARIO])
        texts, numbers = _assert_no_formula_in_xlsx(openpyxl.load_workbook(io.BytesIO(content)))
        assert "'" + EVIL_SCENARIO in texts and numbers
        content = _dash_export(client, "export-csv", A, [EVIL_SCENARIO])
        assert content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        assert "'" + EVIL_SCENARIO in _assert_no_formula_in_csv(rows)
    finally:
        app.data.close()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ex.TEMP_MARK in p.name)


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def big_store(formula_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The formula store with its results repeated 8 times (an export takes a while)."""
    path = tmp_path_factory.mktemp("gross") / "ergebnisse.duckdb"
    shutil.copy(formula_store, path)
    with ResultsStore(path) as store:
        for _ in range(3):
            store.query("INSERT INTO results SELECT * FROM results")
    return path


def _spawn_export(store: Path, fmt: str, out: Path, tmpdir: Path) -> subprocess.Popen[str]:
    argv = ["export", "--store", str(store), "--format", fmt, "--out", str(out)]
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *argv],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _writing(folder: Path, mark: str) -> bool:
    """Whether a temporary file, or a temporary folder with a file, of ``mark`` exists."""
    for path in folder.iterdir():
        if mark in path.name:
            try:
                return path.is_file() or any(path.iterdir())
            except OSError:  # renamed or removed meanwhile
                return False
    return False


def _kill_mid_export(store: Path, fmt: str, out: Path) -> list[str]:
    """Start an export, SIGKILL it while its temporary file or folder is being written.

    The export's system temporary directory is an empty folder of its own: nothing
    may be left there (only pid-marked files beside the target).
    """
    tmpdir = out.parent.parent / f"tmp-{out.name}"
    tmpdir.mkdir()
    proc = _spawn_export(store, fmt, out, tmpdir)
    mark = f"{ex.TEMP_MARK}{proc.pid}-"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if _writing(out.parent, mark):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "Export endete, bevor er abgebrochen wurde"
    left = _leftovers(out.parent)
    assert left and all(mark in name for name in left)  # what a kill leaves: pid-marked
    assert list(tmpdir.iterdir()) == []
    return left


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_regression_killed_export_leaves_temporary_files_and_mixed_folder(
    big_store, tmp_path, capsys, fmt
):
    """A folder export killed by SIGKILL: the old export stays whole; the next export
    removes the dead process's temporary folder and replaces the folder as a whole."""
    out = tmp_path / "ziel" / "export"
    out.parent.mkdir()
    base = ["export", "--store", str(big_store), "--format", fmt]
    assert main([*base, "--out", str(out), "--szenario", A]) == 0  # an older, smaller export
    old = _folder_bytes(out)

    _kill_mid_export(big_store, fmt, out)
    assert _folder_bytes(out) == old  # never a mix of old and new files

    assert main([*base, "--out", str(out)]) == 0
    capsys.readouterr()
    assert _leftovers(out.parent) == []
    assert sorted(p.name for p in out.iterdir()) == sorted(ex.export_files(fmt))
    reference = tmp_path / "referenz"
    assert main([*base, "--out", str(reference)]) == 0
    assert _folder_bytes(out) == _folder_bytes(reference)  # one complete, new export
    read = (
        (lambda p: pd.read_parquet(p))
        if fmt == "parquet"
        else (lambda p: pd.read_csv(p, sep=";", decimal=",", encoding="utf-8-sig"))
    )
    lauf = "run_id" if fmt == "parquet" else "Lauf"
    runs = read(out / f"runs.{fmt}")
    assert len(runs) == 4 and set(read(out / f"results.{fmt}")[lauf]) == set(runs[lauf])


def test_regression_killed_xlsx_export_leaves_temporary_file(big_store, tmp_path, capsys):
    """An XLSX export killed by SIGKILL leaves the old workbook; the next one cleans up."""
    out = tmp_path / "ziel" / "ergebnisse.xlsx"
    out.parent.mkdir()
    base = ["export", "--store", str(big_store), "--format", "xlsx"]
    assert main([*base, "--out", str(out), "--szenario", A]) == 0
    old = out.read_bytes()
    _kill_mid_export(big_store, "xlsx", out)
    assert out.read_bytes() == old
    assert main([*base, "--out", str(out)]) == 0
    assert _leftovers(out.parent) == []
    book = openpyxl.load_workbook(out, read_only=True)
    assert book["Läufe"].max_row == 5  # heading + 4 runs


def test_leftovers_of_living_processes_are_kept(tmp_path):
    """Only temporary files of processes that are gone are removed."""
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        names = {
            pid: f".x.xlsx{ex.TEMP_MARK}{pid}-abc.tmp" for pid in (alive.pid, gone.pid, os.getpid())
        }
        for name in names.values():
            (tmp_path / name).write_text("halb")
        (tmp_path / f".ordner{ex.TEMP_MARK}{gone.pid}-xyz.neu").mkdir()
        (tmp_path / f".ordner{ex.TEMP_MARK}{gone.pid}-xyz.neu" / "runs.csv").write_text("x")
        (tmp_path / "eigene.tmp").write_text("gehört dem Nutzer")
        removed = {p.name for p in ex.remove_leftovers(tmp_path)}
        assert removed == {names[gone.pid], f".ordner{ex.TEMP_MARK}{gone.pid}-xyz.neu"}
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [names[alive.pid], names[os.getpid()], "eigene.tmp"]
        )
    finally:
        alive.kill()
        alive.wait()


def test_folder_swap_without_atomic_exchange(formula_store, tmp_path, capsys, monkeypatch):
    """Where the system has no renameat2, the folder is swapped by two renames."""
    monkeypatch.setattr(atomic, "_renameat2", lambda: None)
    out = tmp_path / "csv"
    base = ["export", "--store", str(formula_store), "--format", "csv", "--out", str(out)]
    assert main([*base, "--szenario", A]) == 0
    assert main(base) == 0
    assert _leftovers(tmp_path) == []
    runs = pd.read_csv(out / "runs.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert len(runs) == 4


def test_export_folder_keeps_normal_permissions(formula_store, tmp_path, capsys):
    old = os.umask(0o022)
    try:
        out = tmp_path / "csv"
        for _ in range(2):  # new, then replaced
            assert (
                main(
                    ["export", "--store", str(formula_store), "--format", "csv", "--out", str(out)]
                )
                == 0
            )
            assert out.stat().st_mode & 0o777 == 0o755
            assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {0o644}
        xlsx = tmp_path / "e.xlsx"
        assert (
            main(["export", "--store", str(formula_store), "--format", "xlsx", "--out", str(xlsx)])
            == 0
        )
        assert xlsx.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_export_through_a_symlink_writes_where_it_points(formula_store, tmp_path, capsys):
    real = tmp_path / "echt"
    link = tmp_path / "verweis"
    link.symlink_to(real, target_is_directory=True)
    real.mkdir()
    base = ["export", "--store", str(formula_store), "--format", "csv"]
    assert main([*base, "--out", str(link)]) == 0
    assert link.is_symlink() and (real / "runs.csv").is_file()
