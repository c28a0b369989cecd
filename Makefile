# Two set-up commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo)

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

LUENEBURG := $(basename $(notdir $(wildcard scenarios/library/lueneburg/*.yaml)))

demo: $(STAMP) $(CHROMIUM)
	mkdir -p out
	$(VENV)/bin/sozialraum batch $(LUENEBURG) --replicates 10 --store out/ergebnisse.duckdb
	$(VENV)/bin/sozialraum compare lueneburg-status-quo lueneburg-rb2-20-rueckbehalt --replicates 10 --store out/ergebnisse.duckdb
	$(VENV)/bin/sozialraum export --store out/ergebnisse.duckdb --format xlsx --out out/ergebnisse.xlsx
	$(VENV)/bin/sozialraum dashboard --store out/ergebnisse.duckdb

# The dashboard's browser tests and PDF/PNG exports use Debian's Chromium.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

test: $(STAMP) $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_batch.py
	$(PY) benchmarks/bench_plan.py
	$(PY) benchmarks/bench_reading.py
	$(PY) benchmarks/bench_export.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
