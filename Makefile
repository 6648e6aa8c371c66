# Every target sets itself up on a fresh machine: uv (installed with pip when missing), the
# virtual environment from the committed lock file, then the work.

SHELL := /bin/bash
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN = $(UV) run --frozen
# Python keeps its compiled modules: without them every command compiles all it imports again
# (8–10 s of CPU per command where the environment sets PYTHONDONTWRITEBYTECODE).
unexport PYTHONDONTWRITEBYTECODE
DEMO_HOME ?= var/demo
DEMO_PORT ?= 8000
FUZZ_SECONDS ?= 300

.PHONY: setup demo demo-data test lint bench fuzz clean

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here): setup
# installs it when missing and it can (as root with apt-get, as on CI), else says how.
setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet
	@if [ ! -x /usr/bin/chromium ] && [ -z "$$DOSTYK_CHROMIUM" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq \
			&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				chromium >/dev/null; \
		else \
			echo "Browser tests need Chromium: run 'sudo apt-get install chromium' (or set DOSTYK_CHROMIUM)"; \
		fi; \
	fi

# The demo: 30 simulated days of the whole network up to the present (work still in progress at
# every post), one ready account per role, and the app at http://127.0.0.1:$(DEMO_PORT) until
# Ctrl-C. `make demo-data` does all but serving, for scripts and for timing.
demo: demo-data
	$(RUN) dostyk --home $(DEMO_HOME) serve --port $(DEMO_PORT)

demo-data: setup
	rm -rf $(DEMO_HOME)
	$(RUN) dostyk --home $(DEMO_HOME) init
	$(RUN) dostyk --home $(DEMO_HOME) simulate --days 30 --seed 1 --until-now
	$(RUN) dostyk --home $(DEMO_HOME) users demo

lint: setup
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks
	$(RUN) mypy

test: lint
	$(RUN) pytest -n 2 -q --durations=15

bench: setup
	$(RUN) python -m benchmarks

# Fuzz the data-package reader and the JSON documents for FUZZ_SECONDS each; the corpus grows in
# tests/fuzz/corpus (commit it). A crashing input lands in var/fuzz/.
fuzz: setup
	$(RUN) python -m tests.fuzz.campaign --seconds $(FUZZ_SECONDS)

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
