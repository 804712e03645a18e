# srmscan — every target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-peers browser clean help

help:
	@echo "make demo   - scan the built-in demo account, reports in srmscan-demo/"
	@echo "make test   - run the test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - benchmark against moto_server (small and large synthetic accounts)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,demo]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/srmscan demo --output-dir srmscan-demo --format json --format html --format csv

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check srmscan rules tests
	$(BIN)/ruff format --check srmscan rules tests
	$(BIN)/mypy srmscan

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) srmscan-demo dist build .pytest_cache .mypy_cache .ruff_cache
