# Local workflow. `make run` and `make test` work on a fresh clone: they create
# the virtualenv and install the pinned requirements on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test worker contract e2e screenshots lint check race fuzz bench profile clean

# The settings default to production (DEBUG off, secrets required); the local
# workflow runs with DEBUG on and a secret key made once per checkout
# (.django-secret-key, git-ignored). The production-mode targets (contract,
# race, fuzz, bench) set their own environment.
run test worker e2e screenshots check profile: export DJANGO_DEBUG ?= 1

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --users
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest

# The background worker that delivers e-mails, with the sweep (beat) in the
# same process; needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1).
# Without a broker, `make run` delivers e-mails itself, to its terminal.
worker: $(STAMP)
	$(BIN)/celery -A config worker --beat --loglevel INFO

# Swagger UI and the admin clicked through in headless Chromium (apt-get install chromium).
# axe-core (accessibility checks in the browser tests) comes from npm, pinned in e2e/axe.
AXE := e2e/axe/node_modules/axe-core/axe.min.js
$(AXE): e2e/axe/package.json e2e/axe/package-lock.json
	npm ci --prefix e2e/axe --no-audit --no-fund

e2e: $(STAMP) $(AXE)
	REQUIRE_E2E=1 $(BIN)/pytest e2e

# The same browser tests, saving the documentation's pictures to docs/img/.
screenshots: $(STAMP) $(AXE)
	REQUIRE_E2E=1 SCREENSHOT_DIR=docs/img $(BIN)/pytest e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What CI checks besides the tests: lint, types, migrations match the models,
# the OpenAPI schema is valid.
check: $(STAMP) lint
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/openapi-spec-validator docs/openapi.yaml

# A Python client generated from the live schema, a typed flow through it (mypy --strict), run.
contract: $(STAMP)
	bash scripts/contract.sh

# Two gunicorn servers, one PostgreSQL, a few hundred clients racing for 30 seats.
race: $(STAMP)
	$(BIN)/python scripts/race.py

# schemathesis against our own OpenAPI schema: no 5xx, every answer as documented.
fuzz: $(STAMP)
	bash scripts/fuzz.sh

$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

# Where one booking, one my-bookings and one /me/ spend their time (cProfile, in-process).
profile: $(STAMP)
	$(BIN)/python scripts/profile_requests.py

# The load benchmark against PostgreSQL (BENCH_DATABASE_URL), driven by wrk
# (apt-get install wrk); see docs/performance.md. BENCH_ARGS="--before <ref>"
# measures another revision alongside, e.g. BENCH_ARGS="--before main".
bench: $(BENCH_STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .coverage staticfiles
