# Roundtable: `make run` to try it, `make test` to prove it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
PG_URL ?= postgres://postgres@127.0.0.1:5432/roundtable
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Two workers: CI machines have two cores. Override with PYTEST_ARGS= for one process.
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE := roundtable.settings

.PHONY: run test install install-dev assets lint services chromium test-sqlite test-postgres bench bench-quick clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

# Compile our Sass (GOV.UK Frontend + MOJ Frontend from node_modules) and collect static files.
assets: install
	mkdir -p var/build/css
	npx --no-install sass --load-path=. --style=compressed --no-source-map --quiet-deps \
		assets/scss/roundtable.scss var/build/css/roundtable.css
	$(PY) manage.py collectstatic --noinput --verbosity 0

# E-mailed links (printed to the console in development) point at the address served here,
# unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Roundtable is starting on http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	$(VENV)/bin/uvicorn roundtable.asgi:application --host $(HOST) --port $(PORT) --lifespan off

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# PostgreSQL and Redis are on this machine but may be stopped: start them (commands from the env notes).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || (command -v pg_ctlcluster >/dev/null && \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start) || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || (command -v redis-server >/dev/null && \
		mkdir -p /var/lib/redis /var/log/redis && \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/ci.log) || true

# Browser tests drive Debian's Chromium, never a downloaded browser.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: install-dev assets chromium services lint test-sqlite test-postgres

test-sqlite:
	@echo "== Test suite on SQLite (embedded default) =="
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres:
	@if pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
		echo "== Test suite on PostgreSQL + Redis =="; \
		DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL or Redis is unreachable at 127.0.0.1 and CI=true: they are required in CI."; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is unreachable."; \
		echo "Start them (make services) and run: make test-postgres"; \
	fi

# Benchmarks (bench/, results in bench/RESULTS.md). pages.py generates the scale data once per
# generator version and seed (national takes a while) and reuses it; ARGS go to pages.py.
bench: install-dev assets services
	$(PY) bench/pages.py $(ARGS)
	$(PY) bench/meeting_followers.py

# The pages at small scale only: under 5 minutes.
bench-quick: install-dev assets services
	$(PY) bench/pages.py --quick $(ARGS)

clean:
	rm -rf var/static var/build
