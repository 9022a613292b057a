# Luukku: `make demo` serves the API with demo data; `make test` runs every suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL server for the PostgreSQL suite (a fresh database is created and dropped on it).
PG_TEST_SERVER ?= postgres://postgres@127.0.0.1:5432
PYTEST_ARGS ?=

.PHONY: install runtime graphiql node-clients demo demo-reset serve test test-sqlite test-postgres schema bench bench-upload lint clean

# What the API and the demo need (make demo, make serve); `install` adds the test tools.
runtime: $(VENV)/.runtime
install: $(VENV)/.installed

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[demo]'
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,demo]'
	touch $@

# GraphiQL's browser assets come from npm packages (no CDN at run time).
graphiql: app/graphiql/node_modules/.installed

app/graphiql/node_modules/.installed: app/graphiql/package-lock.json
	npm ci --prefix app/graphiql --no-audit --no-fund --loglevel=error
	touch $@

# The real third-party client of the live-tracking tests (npm graphql-ws).
node-clients: tests/node/node_modules/.installed

tests/node/node_modules/.installed: tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
	touch $@

# The Python packages and GraphiQL's npm packages are installed side by side (-j2).
demo:
	@$(MAKE) --no-print-directory -j2 runtime graphiql
	$(BIN)/luukku demo

# Forget everything in the demo's database (var/luukku.sqlite3) and start the demo afresh.
demo-reset:
	@$(MAKE) --no-print-directory -j2 runtime graphiql
	$(BIN)/luukku demo reset
	$(BIN)/luukku demo

serve: runtime graphiql
	$(BIN)/luukku serve

schema: runtime
	$(BIN)/luukku schema export schema/schema.graphql

# Both suites, each with the Redis tests (REDIS at LUUKKU_TEST_REDIS, default
# redis://127.0.0.1:6379/0); a skipped test fails the run (LUUKKU_TEST_NO_SKIP=1).
test: install graphiql node-clients
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install graphiql node-clients
	LUUKKU_TEST_NO_SKIP=1 LUUKKU_TEST_DATABASE=sqlite $(BIN)/pytest -q -m "not postgres" $(PYTEST_ARGS)

test-postgres: install graphiql node-clients
	LUUKKU_TEST_NO_SKIP=1 LUUKKU_TEST_DATABASE=$(PG_TEST_SERVER) $(BIN)/pytest -q $(PYTEST_ARGS)

# Benchmarks (bench/README.md): one run, results in bench/results/YYYY-MM-DD.md.
bench: install node-clients
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The upload benchmark alone (bench/upload.py; BENCH_ARGS="--storage postgres" for large objects).
bench-upload: install
	$(BIN)/python -m bench.upload $(BENCH_ARGS)

lint: install
	$(BIN)/pip install --quiet ruff mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var app/graphiql/node_modules tests/node/node_modules .pytest_cache
