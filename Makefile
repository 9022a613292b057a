# Luukku: `make demo` serves the API with demo data; `make test` runs every suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL server for the PostgreSQL suite (a fresh database is created and dropped on it).
PG_TEST_SERVER ?= postgres://postgres@127.0.0.1:5432
PYTEST_ARGS ?=

.PHONY: install runtime graphiql node-clients web check-node check-chromium demo demo-reset serve test test-sqlite test-postgres fuzz schema bench bench-upload lint clean

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

# `lint` adds the pinned linters and type stubs (the dev extra).
$(VENV)/.dev: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,demo,dev]'
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

# The web client (web/, served under /ui): npm ci when the lockfile changes, a build
# (tsc + vite) only when a source changed.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/tsconfig.json web/tsconfig.app.json web/tsconfig.node.json web/package.json

web: web/dist/.built

web/node_modules/.installed: web/package-lock.json | check-node
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

web/dist/.built: web/node_modules/.installed $(WEB_SOURCES)
	cd web && node node_modules/typescript/bin/tsc -b && node node_modules/vite/bin/vite.js build --logLevel warn
	touch $@

check-node:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "make: Node.js 20 (or newer) with npm is needed for GraphiQL's assets and the web client (web/)."; \
	  echo "      On Debian: apt-get install -y nodejs npm, or Node 20 from nodejs.org."; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || { \
	  echo "make: Node.js $$(node --version) is too old for the web client's Vite 8: 20.19 or newer is needed."; exit 1; }

# The browser tests drive Debian's Chromium (playwright-core, never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
check-chromium:
	@test -x $(CHROMIUM) || { \
	  echo "make: Chromium is needed for the web client's end-to-end and accessibility tests"; \
	  echo "      ($(CHROMIUM) not found): apt-get update && apt-get install -y chromium"; exit 1; }

# The Python packages, GraphiQL's npm packages and the web client are installed side by
# side (-j3).
demo:
	@$(MAKE) --no-print-directory -j3 runtime graphiql web
	$(BIN)/luukku demo

# Forget everything in the demo's database (var/luukku.sqlite3) and start the demo afresh.
demo-reset:
	@$(MAKE) --no-print-directory -j3 runtime graphiql web
	$(BIN)/luukku demo reset
	$(BIN)/luukku demo

serve: runtime graphiql web
	$(BIN)/luukku serve

schema: runtime
	$(BIN)/luukku schema export schema/schema.graphql

# Both suites, each with the Redis tests (REDIS at LUUKKU_TEST_REDIS, default
# redis://127.0.0.1:6379/0); a skipped test fails the run (LUUKKU_TEST_NO_SKIP=1).
# The two suites run side by side (-j2; each keeps its own databases, Redis channels,
# ports and temporary folders), each one's output printed whole when it ends (-O).
test: install graphiql node-clients web check-chromium
	$(MAKE) --no-print-directory -j2 -O test-sqlite test-postgres

test-sqlite: install graphiql node-clients web check-chromium
	LUUKKU_TEST_NO_SKIP=1 CHROMIUM=$(CHROMIUM) LUUKKU_TEST_DATABASE=sqlite $(BIN)/pytest -q -m "not postgres" $(PYTEST_ARGS)

test-postgres: install graphiql node-clients web check-chromium
	LUUKKU_TEST_NO_SKIP=1 CHROMIUM=$(CHROMIUM) LUUKKU_TEST_DATABASE=$(PG_TEST_SERVER) $(BIN)/pytest -q $(PYTEST_ARGS)

# The fuzz suite at length (tests/fuzz): FUZZ_EXAMPLES cases per demo role (12 roles).
FUZZ_EXAMPLES ?= 850
fuzz: install
	LUUKKU_TEST_DATABASE=sqlite FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -s -p no:cacheprovider tests/fuzz

# Benchmarks (bench/README.md): one run, results in bench/results/YYYY-MM-DD.md.
bench: install node-clients
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The upload benchmark alone (bench/upload.py; BENCH_ARGS="--storage postgres" for large objects).
bench-upload: install
	$(BIN)/python -m bench.upload $(BENCH_ARGS)

# ruff, then mypy --strict over the packages named in pyproject.toml ([tool.mypy]).
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var app/graphiql/node_modules tests/node/node_modules web/node_modules web/dist .pytest_cache
