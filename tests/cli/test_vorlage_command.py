"""``sozialraum vorlage``: the dashboard's briefing as HTML and PDF from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from cli.vorlage_command import SHOWN_NAMES, chosen_scenarios
from dashboard import MAX_COMPARED, DashboardData, build_briefing
from dashboard.printing import pdf_page_count
from experiments import plan_batch, run_batch
from results import ResultsStore
from scenarios import ScenarioError
from tests.bad_days.harness import (
    ROOT,
    Case,
    assert_clear_input_error,
    file_digest,
    run_case,
    run_in_process,
    run_subprocess,
)

BASE = "lueneburg-status-quo"
REFORM = "lueneburg-rb2-20-rueckbehalt"
STORE = "ergebnisse.duckdb"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two Lüneburg scenarios × 2 seeds, one year at 10 % scale."""
    path = tmp_path_factory.mktemp("vorlage") / STORE
    with ResultsStore(path) as s:
        assert run_batch(plan_batch([BASE, REFORM], 2, years=1, scale=0.1), s).complete
    return path


def _text(document: str) -> str:
    """The document without its images (plotly's SVG ids are random) and creation time."""
    document = re.sub(r'src="data:image/svg\+xml;base64,[^"]+"', 'src=""', document)
    document = re.sub(r"\d{2}\.\d{2}\.\d{4}", "DATUM", document)
    return re.sub(r"\d{2}:\d{2} Uhr", "ZEIT Uhr", document)


def test_writes_the_dashboards_html_briefing(store, tmp_path, capsys):
    out = tmp_path / "vorlage.html"
    before = file_digest(store)
    argv = ["vorlage", "--store", str(store), "--basis", BASE, "--szenarien", REFORM]
    outcome = run_in_process([*argv, "--out", str(out)], capsys)
    assert outcome.code == 0, outcome.err
    assert outcome.err == ""
    assert "geschrieben:" in outcome.out and "vorlage.html" in outcome.out
    written = out.read_text(encoding="utf-8")
    data = DashboardData(store)
    try:
        expected = build_briefing(
            data, BASE, [BASE, REFORM], store_label=STORE, created=datetime.now()
        )
    finally:
        data.close()
    assert _text(written) == _text(expected)  # the same function, the same document
    assert "Jugendhilfeausschuss" in written and "Lüneburg Status quo" in written
    assert file_digest(store) == before  # the store is only read
    assert [p.name for p in tmp_path.iterdir()] == ["vorlage.html"]  # no temporary left


def test_writes_pdf_by_extension_or_format(store, tmp_path, capsys):
    base = ["vorlage", "--store", str(store), "--basis", BASE, "--szenarien", REFORM]
    by_suffix = tmp_path / "vorlage.pdf"
    assert run_in_process([*base, "--out", str(by_suffix)], capsys).code == 0
    pdf = by_suffix.read_bytes()
    assert pdf.startswith(b"%PDF") and 2 <= pdf_page_count(pdf) <= 4
    by_option = tmp_path / "sitzung-2026"
    assert run_in_process([*base, "--format", "pdf", "--out", str(by_option)], capsys).code == 0
    assert by_option.read_bytes().startswith(b"%PDF")


def test_replaces_an_earlier_briefing_whole(store, tmp_path, capsys):
    out = tmp_path / "vorlage.html"
    out.write_text("alte Vorlage", encoding="utf-8")
    argv = ["vorlage", "--store", str(store), "--basis", BASE, "--out", str(out)]
    assert run_in_process(argv, capsys).code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "2 Varianten" not in out.read_text(encoding="utf-8")  # the baseline alone


def _argv(workdir: Path, *more: str) -> list[str]:
    return ["vorlage", "--store", str(workdir / STORE), *more]


BAD_CASES = [
    Case(
        "unknown-baseline",
        "Basisszenario ohne Läufe im Ergebnisspeicher",
        lambda w: _argv(w, "--basis", "gibt-es-nicht", "--out", str(w / "v.html")),
        (STORE, "Feld --basis", "„gibt-es-nicht“", "keine abgeschlossenen Läufe", BASE),
    ),
    Case(
        "unknown-compared",
        "Vergleichsszenario ohne Läufe im Ergebnisspeicher",
        lambda w: _argv(
            w,
            "--basis",
            BASE,
            "--szenarien",
            REFORM,
            "celle-status-quo",
            "--out",
            str(w / "v.html"),
        ),
        (STORE, "Feld --szenarien", "„celle-status-quo“", "vorhanden:"),
    ),
    Case(
        "out-is-a-folder",
        "--out nennt ein Verzeichnis",
        lambda w: _argv(w, "--basis", BASE, "--out", str(w)),
        ("Feld --out", "keine gewöhnliche Datei"),
    ),
    Case(
        "out-folder-missing",
        "--out in einem Verzeichnis, das es nicht gibt",
        lambda w: _argv(w, "--basis", BASE, "--out", str(w / "fehlt" / "v.html")),
        ("v.html", "Feld --out", "Verzeichnis", "fehlt"),
    ),
    Case(
        "out-is-the-store",
        "--out nennt den Ergebnisspeicher (er würde ersetzt)",
        lambda w: _argv(w, "--basis", BASE, "--format", "html", "--out", str(w / STORE)),
        (STORE, "Feld --out", "Ergebnisspeicher selbst"),
    ),
    Case(
        "suffix-does-not-fit",
        "--format pdf mit --out vorlage.html",
        lambda w: _argv(w, "--basis", BASE, "--format", "pdf", "--out", str(w / "vorlage.html")),
        ("vorlage.html", "Feld --out", "Endung .html passt nicht zum Format pdf"),
    ),
    Case(
        "pdf-without-chromium",
        "PDF, aber Chromium fehlt (SOZIALRAUM_CHROMIUM zeigt ins Leere)",
        lambda w: _argv(w, "--basis", BASE, "--out", str(w / "vorlage.pdf")),
        ("vorlage.pdf", "Feld --format", "Chromium", "SOZIALRAUM_CHROMIUM"),
        subprocess=True,
        env={"SOZIALRAUM_CHROMIUM": "/nirgends/chromium"},
    ),
    Case(
        "store-missing",
        "--store nennt eine Datei, die es nicht gibt",
        lambda w: [
            "vorlage",
            "--store",
            str(w / "fehlt.duckdb"),
            "--basis",
            BASE,
            "--out",
            str(w / "v.html"),
        ],
        ("fehlt.duckdb", "Feld --store", "nicht gefunden"),
    ),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.ident for c in BAD_CASES])
def test_bad_input_is_one_german_line(case: Case, store, tmp_path, capsys):
    workdir = tmp_path / "fall"
    workdir.mkdir()
    (workdir / STORE).write_bytes(store.read_bytes())
    before = file_digest(workdir / STORE)
    outcome = run_case(case, workdir, capsys)
    assert_clear_input_error(outcome, *case.expect)
    assert file_digest(workdir / STORE) == before  # nothing stored is lost
    assert sorted(p.name for p in workdir.iterdir()) == [STORE]  # nothing written


def test_charts_without_chromium_are_one_german_line(store, tmp_path):
    """Chromium for the charts cannot start: kaleido's English warning stays hidden."""
    browser = tmp_path / "chromium-kaputt"
    browser.write_text("#!/bin/sh\necho 'kann nicht starten' >&2\nexit 3\n", encoding="utf-8")
    browser.chmod(0o755)
    workdir = tmp_path / "fall"
    workdir.mkdir()
    (workdir / STORE).write_bytes(store.read_bytes())
    argv = _argv(workdir, "--basis", BASE, "--out", str(workdir / "vorlage.html"))
    outcome = run_subprocess(argv, cwd=workdir, env={"BROWSER_PATH": str(browser)})
    assert_clear_input_error(outcome, "vorlage.html", "Feld --format", "Grafiken der Vorlage")
    assert sorted(p.name for p in workdir.iterdir()) == [STORE]


def test_at_most_four_compared_scenarios(tmp_path):
    """The limit of the dashboard's selection; the message names it."""
    stored = [BASE, *(f"variante-{i}" for i in range(MAX_COMPARED + 1))]
    allowed = stored[1 : MAX_COMPARED + 1]
    assert chosen_scenarios(stored, BASE, [*allowed, BASE, allowed[0]], tmp_path, MAX_COMPARED) == [
        BASE,
        *allowed,
    ]
    with pytest.raises(ScenarioError) as info:
        chosen_scenarios(stored, BASE, stored[1:], tmp_path, MAX_COMPARED)
    assert info.value.field == "--szenarien"
    assert f"höchstens {MAX_COMPARED}" in info.value.message
    assert MAX_COMPARED == 4  # the help text says "höchstens vier"


def test_long_store_listing_is_cut(tmp_path):
    stored = [f"szenario-{i:02d}" for i in range(SHOWN_NAMES + 3)]
    with pytest.raises(ScenarioError) as info:
        chosen_scenarios(stored, "fehlt", [], tmp_path, MAX_COMPARED)
    assert f"szenario-{SHOWN_NAMES - 1:02d} und 3 weitere" in info.value.message
    assert f"szenario-{SHOWN_NAMES:02d}" not in info.value.message


def test_full_disk_keeps_the_earlier_briefing(store, tmp_path):
    """The command's write on a full disk (a file-size limit) leaves the old file whole.

    The limit is set after the briefing is built: Chromium, which draws the charts,
    cannot start under it.
    """
    out = tmp_path / "vorlage.html"
    out.write_text("alte Vorlage", encoding="utf-8")
    script = f"""
import resource, sys
from datetime import datetime
from pathlib import Path
from dashboard import DashboardData, build_briefing
from results import atomic_file
from scenarios import ScenarioError
data = DashboardData({str(store)!r})
page = build_briefing(data, {BASE!r}, [{BASE!r}], store_label="x", created=datetime.now())
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # the briefing has 30 KB or more
try:
    atomic_file(Path({str(out)!r}), lambda tmp: tmp.write_bytes(page.encode()))
except ScenarioError as err:
    print(err.cli_line())
    sys.exit(2)
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.startswith("Fehler: Datei ") and "Feld --out" in proc.stdout
    assert "kann nicht geschrieben werden" in proc.stdout
    assert out.read_text(encoding="utf-8") == "alte Vorlage"
    assert [p.name for p in tmp_path.iterdir()] == ["vorlage.html"]


def test_briefing_gets_shared_permissions(store, tmp_path, capsys):
    out = tmp_path / "v.html"
    mask = os.umask(0o022)
    try:
        argv = ["vorlage", "--store", str(store), "--basis", BASE, "--out", str(out)]
        assert run_in_process(argv, capsys).code == 0
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644  # 0666 minus the umask, not mkstemp's 0600
