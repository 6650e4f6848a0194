# Gapline: `make run` starts the demo, `make test` runs the whole suite. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
ONLY ?=
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-unit lint bench migrate migration worker clock system-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "install: Python packages into $(VENV) (the first time takes a few minutes)"
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the Procore sign-in popup falls back to a plain link"; fi

install: $(BIN)/.installed node_modules/.installed ## Create .venv and node_modules; install Gapline with its test tools

system-deps: ## Install missing Debian packages (tesseract-ocr; redis-server and chromium for tests)
	scripts/system-deps.sh test

run: install ## Set up and start the demo on http://127.0.0.1:5000, or PORT (SQLite, in-process jobs, Procore emulator)
	-scripts/system-deps.sh
	PORT=$(PORT) scripts/run-demo.sh

test: install system-deps ## Set up, lint and run the whole suite (real PostgreSQL, Redis, RQ worker)
	scripts/test.sh $(PYTEST_ARGS)

test-unit: install ## Run only the tests that need no PostgreSQL or Redis
	scripts/test.sh -m "not integration" $(PYTEST_ARGS)

lint: install ## Check style with ruff
	$(BIN)/ruff check .

bench: install system-deps ## Run benchmarks (JSON lines, appended to bench/results.jsonl); ONLY=PREFIX to filter
	$(BIN)/python bench/run.py --only "$(ONLY)"

migrate: install ## Apply database migrations to DATABASE_URL
	$(BIN)/flask --app app db upgrade

migration: install ## Write a new migration from model changes: make migration MSG="what changed"
	$(BIN)/flask --app app db migrate -m "$(MSG)"

worker: install ## Run an RQ worker on REDIS_URL (with the scheduler that holds delayed pushes)
	$(BIN)/rq worker --url "$$REDIS_URL" --worker-class sync_jobs.worker.GaplineWorker --with-scheduler push high emails default low

clock: install ## Run the APScheduler clock that enqueues periodic jobs
	$(BIN)/python -m sync_jobs.clock

clean: ## Remove the virtualenv and the demo database
	rm -rf $(VENV) instance
