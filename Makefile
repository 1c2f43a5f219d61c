# The two entry points of the README: `make run` and `make test`. Each creates the virtual
# environment and installs what it needs, so a fresh machine with Python 3.11 is enough.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint format clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/survey validate questionnaires/*.yaml
	$(BIN)/survey init-db
	$(BIN)/survey demo
	$(BIN)/survey run --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check survey tests
	$(BIN)/ruff format --check survey tests

test: lint
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff format survey tests
	$(BIN)/ruff check --fix survey tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
