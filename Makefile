# The two commands that matter: `make run` (the site on 127.0.0.1:8000) and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
# Two stamps: the site's own dependencies (make run), and those plus the test tools (make
# test). The second one keeps its old name, so a .venv made by an older Makefile counts.
RUN_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The settings follow these too (SITE_URL, unless it is set), so links name this port.
RUN_ENV := HOST=$(HOST) PORT=$(PORT)

.PHONY: install install-dev run test lint fix check pytest bench bench-send bench-setup loadtest fault-test worker clean container-check audit

# uv when it can be had, else pip (scripts/install-requirements). A venv with the test
# tools already has everything the site needs.
$(RUN_STAMP): requirements.txt
	@if [ -f $(DEV_STAMP) ] && [ $(DEV_STAMP) -nt requirements.txt ]; then :; \
	  else scripts/install-requirements requirements.txt; fi
	@touch $(RUN_STAMP)

$(DEV_STAMP): requirements.txt requirements-dev.txt
	@scripts/install-requirements requirements-dev.txt
	@touch $(DEV_STAMP) $(RUN_STAMP)

## install: create .venv with what the site needs to run (make run, make worker)
install: $(RUN_STAMP)

## install-dev: add the test and lint tools (make test and the scripts)
install-dev: $(DEV_STAMP)

## run: migrate a SQLite database under var/, load demo content once, serve the site with a worker
run: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py seed_demo --if-empty
	$(RUN_ENV) $(PY) manage.py ensure_superuser
	@echo "Starting the site on http://$(HOST):$(PORT)/ and the background worker (email; its log: var/worker.log). Ctrl-C stops both."
	@$(PY) scripts/devserver.py --host $(HOST) --port $(PORT)

## test: lint (ruff, the import contracts), Django's checks, migrations up to date, then the whole pytest suite
test: install-dev lint check pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

## fix: apply ruff's fixes and formatting
fix: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run --no-input

pytest: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

## container-check: build the image with podman and check it against the local PostgreSQL
container-check:
	scripts/container-smoke.sh

## audit: axe-core, Nu HTML Checker, Lighthouse, page weight and screenshots (see scripts/audit.py)
audit: install-dev
	cd audit && npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/audit.py

## bench: wrk against gunicorn at 10,000 posts, cached and uncached (scripts/bench.py)
bench: install-dev
	$(PY) scripts/bench.py

## bench-compare: this checkout's uncached pages against REV's, interleaved (REV=<commit> required)
.PHONY: bench-compare
bench-compare: install-dev
	@if [ -z "$(REV)" ]; then echo "usage: make bench-compare REV=<commit>" >&2; exit 2; fi
	$(PY) scripts/bench_compare.py $(REV) $(BENCH_ARGS)

## loadtest: 60 s at 64 connections on the home page, a post and the newsletter page
loadtest: install-dev
	$(PY) scripts/bench.py --soak

## worker: the background worker that sends email (run it beside `make run`)
worker: install
	$(RUN_ENV) $(PY) manage.py db_worker

## bench-setup: a fresh clone's first `make run` (empty package cache) and a second one, timed; the .venv's size
bench-setup:
	@py=$$(scripts/find-python) && "$$py" scripts/bench_setup.py $(BENCH_ARGS)

## bench-send: messages/second for one issue to 10,000 subscribers: db_worker vs a bare smtplib loop
bench-send: install-dev
	$(PY) scripts/bench_send.py $(BENCH_ARGS)

## bench-bounces: bounce messages read per second by process_bounce (scripts/bench_bounces.py)
.PHONY: bench-bounces
bench-bounces: install-dev
	$(PY) scripts/bench_bounces.py $(BENCH_ARGS)

## bench-webhooks: provider webhook events per second at gunicorn (scripts/bench_webhooks.py)
.PHONY: bench-webhooks
bench-webhooks: install-dev
	$(PY) scripts/bench_webhooks.py $(BENCH_ARGS)

## fault-test: restart a private PostgreSQL under load, signups and sending (scripts/fault_test.py)
fault-test: install-dev
	$(PY) scripts/fault_test.py
