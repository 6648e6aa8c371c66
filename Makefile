# Every target sets itself up on a fresh machine: uv (installed with pip when missing), the
# virtual environment from the committed lock file, then the work.

SHELL := /bin/bash
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN = $(UV) run --frozen
DEMO_HOME ?= var/demo
FUZZ_SECONDS ?= 300

.PHONY: setup demo test lint bench fuzz clean

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

demo: setup
	rm -rf $(DEMO_HOME)
	$(RUN) dostyk --home $(DEMO_HOME) init
	$(RUN) dostyk --home $(DEMO_HOME) simulate --days 30 --seed 1

lint: setup
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks
	$(RUN) mypy

test: lint
	$(RUN) pytest -n 2 -q

bench: setup
	$(RUN) python -m benchmarks

# Fuzz the data-package reader and the JSON documents for FUZZ_SECONDS each; the corpus grows in
# tests/fuzz/corpus (commit it). A crashing input lands in var/fuzz/.
fuzz: setup
	$(RUN) python -m tests.fuzz.campaign --seconds $(FUZZ_SECONDS)

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
