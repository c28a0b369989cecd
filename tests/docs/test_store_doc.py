"""The store's documentation (docs/STORE.md) keeps up with the store's tables.

Every table of :func:`results.schema.expected_schema` has its section, every column a
row in that section's table, every unit a real run stores a row in the units table;
the README links the page; and every SQL example of the page runs on a real store
and returns rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from experiments import plan_batch, run_batch
from results import ResultsStore
from results.schema import CONNECTION_CONFIG, expected_schema

ROOT = Path(__file__).resolve().parents[2]
STORE_DOC = ROOT / "docs" / "STORE.md"


def _sections() -> dict[str, str]:
    """Table name → text of its ``### `table``` section."""
    text = STORE_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_]+)`\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].split("\n## ")[0] for i in range(1, len(parts) - 1, 2)}


def _column_rows(section: str) -> list[str]:
    return re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.MULTILINE)


def test_every_table_and_column_of_the_store_is_documented():
    sections = _sections()
    schema = expected_schema()
    assert set(schema) <= set(sections), sorted(set(schema) - set(sections))
    for table, columns in schema.items():
        documented = _column_rows(sections[table])
        names = [name for name, _type in columns]
        assert documented[: len(names)] == names, (table, documented)


def test_the_readme_links_the_store_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/STORE.md)" in readme


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("speicher") / "ergebnisse.duckdb"
    plan = plan_batch(
        ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"], 1, years=1, scale=0.05
    )
    with ResultsStore(path) as s:
        assert run_batch(plan, s).complete
    return path


def test_every_stored_unit_is_documented(store: Path):
    units_section = _sections()["results"].split("Werte von `unit`:")[1]
    documented = set(re.findall(r"^\| `([^`]+)` \|", units_section, flags=re.MULTILINE))
    con = duckdb.connect(str(store), read_only=True, config=CONNECTION_CONFIG)
    try:
        stored = {u for (u,) in con.execute("SELECT DISTINCT unit FROM results").fetchall()}
    finally:
        con.close()
    assert stored <= documented, sorted(stored - documented)


def test_the_sql_examples_run_on_a_real_store(store: Path):
    text = STORE_DOC.read_text(encoding="utf-8")
    examples = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    assert len(examples) >= 4
    con = duckdb.connect(str(store), read_only=True, config=CONNECTION_CONFIG)
    try:
        for sql in examples:
            rows = con.execute(sql).fetchall()
            assert rows, sql
    finally:
        con.close()


def test_the_python_examples_run_on_a_real_store(store: Path, capsys: pytest.CaptureFixture[str]):
    text = STORE_DOC.read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(examples) == 2
    for code in examples:
        code = code.replace("out/ergebnisse.duckdb", store.as_posix())
        exec(compile(code, str(STORE_DOC), "exec"), {})  # the page's own examples
    out = capsys.readouterr().out
    assert "cases_31" in out and "spent_regional_2" in out
