# Amparo — everything a fresh machine needs, from Python 3.11+ and make alone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000
DEMO_PEOPLE ?= 2000

.PHONY: install demo run serve test test-pg test-walk test-browser lint check-deploy bench-smoke clean

$(BIN)/activate: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $(BIN)/activate

node_modules/.package-lock.json: package-lock.json $(BIN)/activate
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/activate node_modules/.package-lock.json
	$(BIN)/pybabel compile --use-fuzzy -d amparo/locale -D django --statistics 2>&1 | tail -n 1 || true
	mkdir -p var/static

## First README command: install, create the SQLite database, load demo data, start the app.
demo: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py demo --people $(DEMO_PEOPLE) --if-empty
	$(MAKE) --no-print-directory serve

run: install serve

# The web server and the background worker (imports, deadline sweeps) together; Ctrl-C stops both.
serve:
	$(PY) manage.py db_worker --no-startup-delay >var/worker.log 2>&1 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

## Second README command: the whole test suite (SQLite; browser tests when chromium is present).
test: install
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0
	$(PY) -m pytest -q -p no:cacheprovider

test-pg: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) -m pytest -q -p no:cacheprovider

# The whole-product walk alone (docs/testing.md); on PostgreSQL with DATABASE_URL=postgres://…
test-walk: install
	$(PY) -m pytest -q -p no:cacheprovider -rxX tests/test_walk.py

lint: install
	$(BIN)/ruff check amparo tests bench

check-deploy: install
	AMPARO_ENV=production SECRET_KEY=check-only-$$(date +%s)-not-used-anywhere-0123456789abcdef \
	ALLOWED_HOSTS=amparo.example DATABASE_URL=sqlite:///var/check.sqlite3 \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules var
