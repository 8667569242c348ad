# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn's threaded workers (reol/server.py): an idle or slow connection waits in a worker's
# poller, not in a thread, so it never holds up the desk (docs/architecture.md, "The web server").
WORKERS ?= 2
THREADS ?= 4

.PHONY: run test lint test-sqlite test-postgres system-deps messages serve clean locks

# Two locks with hashes (pip-compile --generate-hashes, see README "Dependencies"):
# `make run` installs requirements/runtime.lock only (no Playwright, mypy or ruff on a
# school's laptop); `make test` and `make lint` add requirements/dev.lock on top.
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

$(BIN)/reol: requirements/runtime.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements/runtime.lock
	$(PIP) --no-deps -e .
	touch $@

$(VENV)/.dev: $(BIN)/reol requirements/dev.lock
	$(PIP) --require-hashes -r requirements/dev.lock
	touch $@

# Regenerates both locks from pyproject.toml (the dev lock within the runtime pins).
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
  --no-emit-find-links --no-emit-index-url
locks: $(VENV)/.dev
	$(COMPILE) --output-file=requirements/runtime.lock pyproject.toml
	$(COMPILE) --extra=dev -c requirements/runtime.lock --output-file=requirements/dev.lock \
	  pyproject.toml

# The demo's other catalogues (the other schools', "the public library") are this server's own
# SRU endpoints; Reol sends nothing to its own machine unless REOL_OUTBOUND_ALLOW names it, so
# `make run` names its own address and port (only that port), unless you set it yourself.
run: export REOL_OUTBOUND_ALLOW ?= 127.0.0.1:$(PORT),[::1]:$(PORT)
run: $(BIN)/reol
	$(BIN)/reol migrate --no-input
	$(BIN)/reol collectstatic --no-input --verbosity 0
	$(BIN)/reol demo
	$(BIN)/reol search reindex --if-stale
	@echo "Serving Reol on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/reol search run & indexer=$$!; \
	$(BIN)/reol jobs work & worker=$$!; \
	if [ -n "$$REOL_SIP2_PORT" ]; then $(BIN)/reol sip2 --host $(HOST) --port $$REOL_SIP2_PORT \
	  --workers $(WORKERS) --threads $(THREADS) & sip2=$$!; fi; \
	trap 'kill $$indexer $$worker $$sip2 2>/dev/null' EXIT; \
	$(BIN)/gunicorn reol.wsgi --bind $(HOST):$(PORT) --worker-class reol.server.ThreadWorker \
	  --workers $(WORKERS) --threads $(THREADS) --access-logfile - --graceful-timeout 5

test: lint test-sqlite test-postgres

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy reol

system-deps:
	scripts/ensure-system-deps

# Each pass runs in TEST_WORKERS processes (pytest-xdist; each has its own test database);
# TEST_WORKERS=0 runs in one. pytest exits 5 when it collects nothing: a failure here too.
TEST_WORKERS ?= 2

test-sqlite: $(VENV)/.dev system-deps
	$(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS)

# A throwaway PostgreSQL cluster, started and removed by the suite's own helper.
# The smoke test (fresh clone + `make run`) runs once, in the SQLite pass.
test-postgres: $(VENV)/.dev system-deps
	$(BIN)/python -m tests.pgcluster -- $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) \
	  -m "not smoke"

messages: $(VENV)/.dev
	cd reol && ../$(BIN)/reol makemessages --no-obsolete --no-location -i "*/tests/*" -l da -l nb -l en
	cd reol && ../$(BIN)/reol compilemessages

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache .ruff_cache
