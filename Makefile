# Newsroom: `make run` serves the demo site, `make test` runs the suite. Both set everything up first.
.DEFAULT_GOAL := help
.PHONY: help install run test check lint format migrate demo clean bench bench-images bench-ingest soak

PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The first Python >= 3.12 found on PATH or under ~/.pyenv/versions/ (this machine's python3 may be older).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.14*/bin/python3); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

help:
	@echo "make run     set up .venv, migrate, load the demo newsroom and serve it on http://127.0.0.1:$(PORT)"
	@echo "make test    set up .venv and run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make install create or update the virtualenv in $(VENV)/"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make check   lint, and migrations in step with the models (what CI runs before the tests)"
	@echo "make bench   the site under load (gunicorn, PostgreSQL, wrk), cached and uncached; ARTICLES=100000"
	@echo "make bench-images  CPU time and memory of one 12-megapixel upload and its renditions (tests/perf/)"
	@echo "make bench-ingest  wire ingest throughput against sanitizing alone (PostgreSQL; BENCH_DATABASE_URL)"
	@echo "make soak    gunicorn on PostgreSQL + Redis under wrk for SOAK_SECONDS (300) while stories change (tests/perf/)"

install: $(STAMP)

# Re-installs only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Newsroom needs Python 3.12 or newer and found none on PATH or under ~/.pyenv/versions/."; \
		echo "Install one (e.g. 'pyenv install 3.13' or your system's python3.13 package), or run 'make PYTHON=/path/to/python3.12'."; \
		exit 1; fi
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --group dev
	@touch $@

migrate: $(STAMP)
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py demo

run: demo
	@echo "Serving the newsroom on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests run with DEBUG off, as production does; SECRET_KEY is then required, so give them a throwaway one.
test: $(STAMP)
	SECRET_KEY=$${SECRET_KEY-tests-only-not-a-secret} $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks, not tests: they print figures and assert nothing.
ARTICLES ?= 100000
DURATION ?= 15
bench: $(STAMP)
	$(BIN)/python tests/perf/bench_site.py --articles $(ARTICLES) --duration $(DURATION)

bench-images: $(STAMP)
	DEBUG=$${DEBUG-1} $(BIN)/python tests/perf/bench_renditions.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What CI checks besides the tests: lint, and migrations in step with the models.
check: lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Not a test: 20,000 generated ninjs items ingested into PostgreSQL, against sanitizing the same bodies alone.
# Uses (and creates, migrates and empties) a database of its own.
BENCH_DATABASE_URL ?= postgres://root@127.0.0.1:5432/bench_ingest
bench-ingest: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=$${SECRET_KEY-bench-only} $(BIN)/python tests/perf/bench_ingest.py $(BENCH_ARGS)

# Not a test: a bounded load test on loopback (gunicorn, PostgreSQL, Redis; wrk from Debian) with publishes, edits
# and withdrawals meanwhile. Passes with 0 errors, worker memory growth < 10%, no stale or early page.
# Uses (and creates, migrates and fills) a database of its own; SOAK_SECONDS, SOAK_PORT, SOAK_REDIS_URL to adjust.
SOAK_DATABASE_URL ?= postgres://root@127.0.0.1:5432/soak
soak: $(STAMP)
	@command -v wrk >/dev/null || { echo "make soak needs wrk: apt-get install wrk"; exit 1; }
	SOAK_DATABASE_URL=$(SOAK_DATABASE_URL) $(BIN)/python tests/perf/soak.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
