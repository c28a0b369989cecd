# Two set-up commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

LUENEBURG := $(basename $(notdir $(wildcard scenarios/library/lueneburg/*.yaml)))

demo: $(STAMP)
	mkdir -p out
	$(VENV)/bin/sozialraum batch $(LUENEBURG) --replicates 10 --store out/ergebnisse.duckdb
	$(VENV)/bin/sozialraum compare lueneburg-status-quo lueneburg-rb2-20-rueckbehalt --replicates 10 --store out/ergebnisse.duckdb
	$(VENV)/bin/sozialraum export --store out/ergebnisse.duckdb --format xlsx --out out/ergebnisse.xlsx

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
