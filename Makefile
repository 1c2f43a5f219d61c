# The two entry points of the README: `make run` and `make test`. Each creates the virtual
# environment and installs what it needs, so a fresh machine with Python 3.11 is enough.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

# Debian packages: the browser for the browser tests, poppler to read reports back, and
# WeasyPrint's native libraries (Pango, HarfBuzz's subsetter so fonts are subset in C).
# faketime moves the clock for the suite's second run (test-future).
# Java runs the W3C Nu HTML checker, Node.js's npm installs it and HTML_CodeSniffer.
# nginx, openssl, curl and systemd's systemd-analyze run docs/deployment.md in its test.
# postgresql: the throwaway cluster the suite runs the second store on (tests/pg.py).
SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core faketime openjdk-17-jre-headless nodejs nginx openssl curl systemd zbar-tools postgresql
# The date the suite is run at a second time: no test may depend on today's date.
FUTURE ?= 2031-06-01 12:00:00
BENCH_STAMP := $(VENV)/.bench-installed
# `make run PORT=5001` serves there, and the demo's links lead there.
PORT ?= 5000
# The validators the suite runs (tests/validators/package.json, pinned by its lock file).
VALIDATORS := $(VENV)/validators/.installed-$(shell cat tests/validators/package-lock.json | cksum | cut -d' ' -f1)

.PHONY: run test test-future soak bench lint format docs wheel clean system-deps

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# The demo is served by `survey serve` (gunicorn), the server docs/deployment.md runs.
run: $(STAMP)
	$(BIN)/survey validate questionnaires/*.yaml
	$(BIN)/survey init-db
	$(BIN)/survey demo --host 127.0.0.1 --port $(PORT)

# mypy checks the package (pyproject.toml's [tool.mypy]), strictly for the questionnaire
# core and scoring.
lint: $(STAMP)
	$(BIN)/ruff check survey tests docs bench setup.py
	$(BIN)/ruff format --check survey tests docs bench setup.py
	$(BIN)/mypy

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing Debian packages:$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VALIDATORS): tests/validators/package.json tests/validators/package-lock.json | system-deps
	mkdir -p $(VENV)/validators
	cp tests/validators/package.json tests/validators/package-lock.json $(VENV)/validators/
	cd $(VENV)/validators && npm ci --silent --no-audit --no-fund
	rm -f $(VENV)/validators/.installed-*
	touch $@

test: lint system-deps $(VALIDATORS)
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-future

# The whole suite again with the system clock moved years ahead (libfaketime, inherited by
# every subprocess: SQLite, the browser, the SMTP server): a test that hard-codes a date
# which has since passed fails here years before it would fail on main. Once per test:
# the PostgreSQL runs of tests that run on both stores are left out, as every moment the
# engine stores is computed in Python, never by the database's clock (so a date bug is
# the same on both stores, and the first pass already runs them). The pure scoring
# core's own tests (tests/scoring) are left out too: the core reads no clock, and its
# property tests are the longest of the suite (CI has 90 minutes for both passes).
test-future: $(STAMP) system-deps $(VALIDATORS)
	faketime '$(FUTURE)' $(BIN)/python -c 'import datetime, sys; \
	  sys.exit(str(datetime.date.today()) < "$(FUTURE)"[:10] and "faketime did not move the clock")'
	faketime '$(FUTURE)' $(BIN)/python -m pytest -q -p no:cacheprovider -k 'not postgresql' \
	  --ignore=tests/scoring

# The long fault-injection loops (crash/restart, concurrency) with more iterations, and the
# fuzzing pass over every route with 20 times the examples.
soak: $(STAMP) system-deps
	SURVEY_SOAK=1 $(BIN)/python -m pytest -m soak
	SURVEY_FUZZ_EXAMPLES=30000 SURVEY_FUZZ_SERVER_EXAMPLES=8000 \
	  $(BIN)/python -m pytest -q tests/security/test_fuzzing.py

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

# Benchmarks: not part of `make test`; each prints its figures and ratios.
bench: $(BENCH_STAMP) system-deps
	$(BIN)/python bench/run_all.py

format: $(STAMP)
	$(BIN)/ruff format survey tests setup.py
	$(BIN)/ruff check --fix survey tests setup.py

docs: $(STAMP)
	$(BIN)/python docs/build_format_reference.py
	$(BIN)/python docs/build_settings_table.py
	$(BIN)/python -m survey.report.charts > reports/assets/charts.css

# A release: the sdist and the wheel built from it (the way `pip install` of the sdist
# would), in dist/. Offline: no build isolation, the venv's setuptools builds.
wheel: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .mypy_cache
