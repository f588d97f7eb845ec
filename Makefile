# The two commands that matter: `make run` (the site on 127.0.0.1:8000) and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint fix check pytest bench bench-send loadtest fault-test worker clean container-check audit

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || { py=$$(scripts/find-python) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

## install: create .venv with the pinned dependencies (used by run, test and scripts)
install: $(STAMP)

## run: migrate a SQLite database under var/, load demo content once, serve the site with a worker
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py ensure_superuser
	@echo "Starting the background worker (sends email) and the site on http://$(HOST):$(PORT)/"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --reload >var/worker.log 2>&1 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## test: lint, Django's checks, migrations up to date, then the whole pytest suite
test: install lint check pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## fix: apply ruff's fixes and formatting
fix: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run --no-input

pytest: install
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

## container-check: build the image with podman and check it against the local PostgreSQL
container-check:
	scripts/container-smoke.sh

## audit: axe-core, Nu HTML Checker, Lighthouse, page weight and screenshots (see scripts/audit.py)
audit: install
	cd audit && npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/audit.py

## bench: wrk against gunicorn at 10,000 posts, cached and uncached (scripts/bench.py)
bench: install
	$(PY) scripts/bench.py

## loadtest: 60 s at 64 connections on the home page, a post and the newsletter page
loadtest: install
	$(PY) scripts/bench.py --soak

## worker: the background worker that sends email (run it beside `make run`)
worker: install
	$(PY) manage.py db_worker

## bench-send: messages/second for one issue to 10,000 subscribers: db_worker vs a bare smtplib loop
bench-send: install
	$(PY) scripts/bench_send.py $(BENCH_ARGS)

## fault-test: restart PostgreSQL under load and signups (root, local cluster; scripts/fault_test.py)
fault-test: install
	$(PY) scripts/fault_test.py
