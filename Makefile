# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 5000
KEY_FILE := instance/dev-keys.json
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test setup install install-test translations keys database services chromium benchmark clean

run: setup
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install-test translations services chromium
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest

setup: install translations keys database

# `make run` needs only the app's own dependencies; `make test` adds the test extras
# (pytest, Hypothesis, Playwright, axe) on top.
install: $(STAMP)

install-test: $(TEST_STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

translations: install
	$(BIN)/pybabel compile --statistics -d translations

keys: install
	test -f $(KEY_FILE) || $(BIN)/flask keys generate --path $(KEY_FILE)
	grep -q '"audit_key"' $(KEY_FILE) || $(BIN)/flask keys generate --path $(KEY_FILE) --add-audit-key

database: install keys
	$(BIN)/flask db upgrade
	$(BIN)/flask structures load
	$(BIN)/flask demo load

services:
	scripts/ensure-services.sh

chromium:
	scripts/ensure-chromium.sh

benchmark: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) instance/*.sqlite
