# What the README tells a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := exchange

.PHONY: help install run db test fuzz test-browser screenshots lint format translations extract-messages update-catalog demo bench clean

help:
	@echo "make run    - set up, migrate, seed and serve on http://127.0.0.1:5000 (and send e-mails)"
	@echo "make test   - set up, lint (ruff, mypy) and run the whole test suite (browser tests included)"
	@echo "make lint   - ruff and mypy only"
	@echo "make test-browser - only the real-browser tests (Chromium, axe-core)"
	@echo "make fuzz   - generated values to every form and filter (20,000+ requests), no 500"
	@echo "make screenshots  - retake docs/screenshots/*.png in English and Polish"
	@echo "make demo   - fill the development database with synthetic demo data"
	@echo "make bench  - benchmarks at 25 years of data (SQLite and PostgreSQL)"
	@echo "make format - format the code with ruff"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $@

install: $(STAMP) translations

# compiled catalogs (.mo) are build output, not committed
translations: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

db: install
	$(BIN)/flask check-db
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	$(BIN)/flask ensure-admin

# the e-mail worker runs beside the web server and stops with it (Ctrl+C)
run: db
	$(BIN)/flask send-mail & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# synthetic exchanges for trying the app out; refuses a database that already has exchanges
demo: db
	$(BIN)/flask demo-data

# 25 years of synthetic data on SQLite and PostgreSQL (see docs/PERFORMANCE.md); not part of
# `make test`. BENCH_POSTGRES_URL names the server (default: postgres@127.0.0.1:5432).
bench: install
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r exchange -lll
	$(BIN)/pytest

# the fuzzer of tests/test_fuzz.py with many examples: FUZZ_EXAMPLES per form and filter, on
# SQLite and on PostgreSQL when TEST_DATABASE_URL names a server; it prints the statuses it got
FUZZ_EXAMPLES ?= 500
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:cacheprovider tests/test_fuzz.py

# the journeys in Chromium (/usr/bin/chromium) with the axe-core checks; they run in `make test`
test-browser: install
	$(BIN)/pytest -m browser

screenshots: install
	$(BIN)/pytest tests/browser/make_screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project olsztyn-exchange -o translations/messages.pot .

update-catalog: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
