# Setup / run / test plumbing for the store.
#
#   make setup                         venv + the project with its [dev] extra + bun (idempotent)
#   make migrate                       apply schema migrations (also done on first run)
#   make seed                          seed the database (idempotent)
#   make seed ARGS=--reset             wipe and reseed
#   make seed ARGS="--customers 100000"  add synthetic customers
#   make run                           seed if empty, then serve on $PORT (default 3000)
#   make run-prod                      same on PostgreSQL + Redis with several workers (migrations first)
#   make run-cluster                   nginx on $PORT in front of two app hosts (docs/DEPLOY.md)
#   make test [PYTEST_ARGS=...]        full test suite (unit, state, security, e2e)
#   make test-fast                     unit + state + security tests only
#   make lint                          ruff check + format check
#   make screenshots                   README screenshots (docs/screenshot-*.png) from the current build
#   make clean                         remove .web, store.db and caches (keeps .venv)
#
# PORT, DATABASE_URL, REDIS_URL, TEST_DATABASE_URL, CHROMIUM_PATH pass through from the environment.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
REFLEX := $(VENV)/bin/reflex
RUFF   := $(VENV)/bin/ruff

# bun comes from npm (see scripts/bootstrap.sh); Reflex must use it instead of downloading its own.
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1

ARGS ?=
PYTEST_ARGS ?=

.PHONY: help setup seed migrate run test test-fast lint screenshots clean bench run-prod run-cluster

help:
	@sed -n '2,15s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

setup:
	@bash scripts/bootstrap.sh

migrate: setup
	$(PY) -m app.migrate

seed: setup
	$(PY) -m app.seed $(ARGS)

run: setup
	$(PY) -m app.seed --if-empty
	exec $(REFLEX) run --env prod --single-port

test: setup
	@chromium="$$(bash scripts/chromium.sh)"; \
	if [[ -n "$$chromium" ]]; then export CHROMIUM_PATH="$$chromium"; fi; \
	if [[ "$${CI:-}" == "true" ]]; then \
		export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"; \
		export REQUIRE_SERVICES=1; \
	fi; \
	echo "+ $(PY) -m pytest -q $(PYTEST_ARGS)  (CHROMIUM_PATH=$${CHROMIUM_PATH:-playwright default})"; \
	exec $(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q tests/unit tests/state tests/security $(PYTEST_ARGS)

lint: setup
	$(RUFF) check .
	$(RUFF) format --check .

screenshots: setup
	@chromium="$$(bash scripts/chromium.sh)"; \
	if [[ -n "$$chromium" ]]; then export CHROMIUM_PATH="$$chromium"; fi; \
	exec $(PY) scripts/screenshots.py

clean:
	rm -rf .web .states .cluster store.db store.db-journal .pytest_cache .ruff_cache test-artifacts
	find . -path ./.venv -prune -o -path ./.tools -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# make bench [ARGS="--sizes 1000000"]: find-customer benchmark on SQLite, and on PostgreSQL when
# BENCH_DATABASE_URL or TEST_DATABASE_URL is set (scratch database bench_<pid>); see bench/RESULTS.md.
bench: setup
	$(PY) -m bench $(ARGS)

# Production mode on real services: PostgreSQL + Redis, several backend workers (Reflex starts
# 2 x cores + 1 when Redis answers), migrations applied as an explicit step first.
PROD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/store
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
run-prod: setup
	$(eval export DATABASE_URL := $(or $(DATABASE_URL),$(PROD_DATABASE_URL)))
	$(eval export REDIS_URL := $(or $(REDIS_URL),$(PROD_REDIS_URL)))
	$(PY) -m app.migrate --create-database
	$(PY) -m app.seed --if-empty
	exec $(REFLEX) run --env prod --single-port

# nginx on $PORT (default 3000) in front of two app hosts on ports $PORT+1 and $PORT+2 (separate process
# groups, as on two machines), on one PostgreSQL (DATABASE_URL) and one Redis (REDIS_URL): migrations, seed if
# empty, one frontend build, the hosts, then nginx in the foreground; Ctrl-C stops all of it. Generated config
# and logs in .cluster/. CLUSTER_HOSTS, CLUSTER_WORKERS_PER_HOST change the shape. See docs/DEPLOY.md.
CLUSTER_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/store
CLUSTER_REDIS_URL ?= redis://127.0.0.1:6379
run-cluster: setup
	@export NGINX_BIN="$$(bash scripts/nginx.sh)"; \
	export DATABASE_URL="$${DATABASE_URL:-$(CLUSTER_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(CLUSTER_REDIS_URL)}"; \
	exec $(PY) -m storefront_qa.cluster
