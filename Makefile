# T-book Gateway: `make run` starts the demo, `make test` runs the tests. Both bootstrap .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
SANDBOX_PORT ?= 5050
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test test-postgres test-all browser-deps bench bench-sync proof lint clean translations

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

## run: the gateway on http://127.0.0.1:$(PORT) with the T-book sandbox on :$(SANDBOX_PORT), SQLite, demo data
run: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo
	@echo "  Gateway:  http://127.0.0.1:$(PORT)/   (sign in, then click Open T-book)"
	@echo "  Sandbox:  http://127.0.0.1:$(SANDBOX_PORT)/   (the T-book stand-in)"
	@echo
	@$(PY) -m sandbox --port $(SANDBOX_PORT) & sandbox=$$!; \
	  trap 'kill $$sandbox 2>/dev/null' EXIT INT TERM; \
	  TBOOK_API_URL=$${TBOOK_API_URL:-http://127.0.0.1:$(SANDBOX_PORT)/api} $(FLASK) run --port $(PORT)

## browser-deps: Debian's Chromium for the browser tests (installed when missing and we are root)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium is missing: 'sudo apt-get install chromium' to run the browser tests"; fi; }

## test: the whole suite on SQLite (PostgreSQL tests too when TEST_DATABASE_URL is set)
test: $(VENV)/.dev browser-deps
	$(PY) -m pytest

## test-postgres: the whole suite again, on the PostgreSQL at $(POSTGRES_URL)
test-postgres: $(VENV)/.dev browser-deps
	TEST_DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest

test-all: test test-postgres

## bench: the gateway under gunicorn on SQLite, then on PostgreSQL (a scratch database bench_gateway at
## $(BENCH_POSTGRES_URL)'s server): static page vs LTI vs authtoken launch, loopback only (bench/README.md)
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
BENCH_ARGS ?=
bench: $(VENV)/.dev
	$(PY) bench/run.py --postgres-url $(BENCH_POSTGRES_URL) $(BENCH_ARGS)

## proof: the proof suite at full scale (tests/proof: generated launches, T-book faults, bad input, attacks,
## secrets, gunicorn load on SQLite and on a scratch PostgreSQL database proof_gateway, bandit), then its table
PROOF_ARGS ?=
proof: $(VENV)/.dev
	$(PY) bench/proof.py --postgres-url $(BENCH_POSTGRES_URL) $(PROOF_ARGS)

## bench-sync: a sync of 10,000 learner profiles into the local sandbox, then a second one (bench/README.md)
BENCH_SYNC_ARGS ?=
bench-sync: $(VENV)/.dev
	$(PY) bench/sync.py $(BENCH_SYNC_ARGS)

## translations: extract the pages' and messages' English text, and add what is new to each translations/*/*.po
## (translate the empty msgstr, then run the tests; the .mo files are compiled from the .po when the app starts)
translations: $(VENV)/.dev
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --no-wrap --sort-output \
	  --project "T-book Gateway" -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-wrap --no-fuzzy-matching \
	  --ignore-obsolete

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
