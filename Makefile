# The two commands that matter: `make run` (the site on 127.0.0.1:8000) and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint fix check pytest bench loadtest clean container-check audit

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || { py=$$(scripts/find-python) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

## install: create .venv with the pinned dependencies (used by run, test and scripts)
install: $(STAMP)

## run: migrate a SQLite database under var/, load demo content once, serve the site
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py ensure_superuser
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
