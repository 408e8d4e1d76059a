# Every target creates .venv itself on first use; PYTHON must be 3.11 or newer.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install serve sandbox test lint fmt sdl bench bench-index bench-faults bench-abuse audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The four platform simulators on http://127.0.0.1:8700 (see README).
sandbox: $(STAMP)
	$(BIN)/reviews-gateway sandbox --host 127.0.0.1 --port 8700

## Lint, type-check, import contracts, then the test suite: what CI runs.
test: lint
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## The gateway with GraphiQL on http://127.0.0.1:8000/graphql, on the embedded sandbox.
serve: $(STAMP)
	$(BIN)/reviews-gateway serve --host 127.0.0.1 --port 8000

## Calls per query, latency p50/p99 and req/s (figures printed, not asserted).
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/index.py
	$(BIN)/python bench/store_size.py

## The review index against the live fan-out only (backfill under the documented limits, page views).
bench-index: $(STAMP)
	$(BIN)/python bench/index.py

## Share of queries answered, and complete, under injected faults.
bench-faults: $(STAMP)
	$(BIN)/python bench/faults.py

## The costliest anonymous operations the limits allow: calls, time, memory, /healthz.
bench-abuse: $(STAMP)
	$(BIN)/python bench/abuse.py

## The graphql-http audit suite (GraphQL-over-HTTP MUST/SHOULD) against `make serve`.
audit:
	rm -rf .audit && mkdir .audit && cp bench/graphql_http_audit.mjs .audit/
	cd .audit && npm install --silent --no-save graphql graphql-http >/dev/null
	node .audit/graphql_http_audit.mjs http://127.0.0.1:8000/graphql

## Regenerate the committed SDL snapshot after a deliberate schema change.
sdl: $(STAMP)
	$(BIN)/python -c "from schema import schema; print(schema)" > schema/schema.graphql

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .audit
	rm -f data/sandbox.sqlite3 data/sandbox.sqlite3-wal data/sandbox.sqlite3-shm
