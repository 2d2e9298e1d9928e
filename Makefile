# Cityhall: `make run` installs and starts the platform with the demo city; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint typecheck migrations-check pytest browser-deps openapi messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/cityhall up --host $(HOST) --port $(PORT)

browser-deps:
	@bash scripts/ensure-chromium

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy cityhall config

migrations-check: install-test
	$(BIN)/cityhall makemigrations --check --dry-run

pytest: install-test browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

openapi: install
	$(BIN)/cityhall export_openapi > docs/api/openapi.json

messages: install
	cd cityhall && ../$(BIN)/cityhall makemessages -l es -l ar --no-obsolete --add-location file
	cd cityhall && ../$(BIN)/cityhall compilemessages

bench: install-test
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var/static
