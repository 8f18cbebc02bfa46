# Every target sets itself up: Debian packages, virtualenv in .venv, dependencies, database,
# migrations, translations, static files. Running a target twice does no harm.
#
# The commands docker-compose.yml runs are the same commands as `make web`, `make worker`,
# `make beat` and `make migrate`; change them together.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages. gettext compiles the translations; Pango, HarfBuzz and libffi are loaded by
# WeasyPrint to render certificates (the Dockerfile installs the same list; without
# libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools, several times slower); chromium
# runs the browser tests (Playwright drives it; nothing downloads a browser); poppler-utils gives
# the tests a second text extractor (pdftotext) next to pypdf; docker-compose checks the
# production compose file (`docker-compose config`; no Docker engine is needed).
RUNTIME_DEBS := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8
TEST_DEBS := chromium poppler-utils docker-compose

.PHONY: run test worker beat web lint format setup system-deps test-deps messages static database \
	migrate demo makemessages require-redis clean bench backup restore screenshots

# Installs whichever of the given Debian packages are missing. Elsewhere than on Debian/Ubuntu
# it does nothing: install the equivalents with your system's package manager.
define apt_install
	@if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; \
	  for package in $(1); do \
	    dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	fi
endef

# With DATABASE_URL pointing at PostgreSQL, create the database if it does not exist yet.
# If the server cannot be reached here, `migrate` reports the connection error.
define CREATE_DATABASE
import environ
url = environ.Env().str("DATABASE_URL", default="")
config = environ.Env.db_url_config(url) if url else {}
if "postgresql" in config.get("ENGINE", ""):
    import psycopg2
    from psycopg2 import sql
    params = {key.lower(): config[key] for key in ("USER", "PASSWORD", "HOST", "PORT") if config.get(key)}
    try:
        connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **params)
    except psycopg2.Error:
        connection = None
    if connection is not None:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
                print("Datenbank " + config["NAME"] + " angelegt.")
        connection.close()
endef
export CREATE_DATABASE

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

system-deps:
	$(call apt_install,$(RUNTIME_DEBS))

test-deps:
	$(call apt_install,$(RUNTIME_DEBS) $(TEST_DEBS))

setup: system-deps $(STAMP) messages static

# Compiles the .po files; a checkout without any translation catalogue has nothing to compile.
messages: $(STAMP)
	@if [ -n "$$(find . -path ./$(VENV) -prune -o -name '*.po' -print | head -n1)" ]; then \
	  echo "$(PY) manage.py compilemessages"; \
	  $(PY) manage.py compilemessages --ignore=$(VENV) -v0; \
	fi

static: $(STAMP)
	$(PY) manage.py collectstatic --noinput -v0

database: $(STAMP)
	@$(PY) -c "$$CREATE_DATABASE"

migrate: setup database
	$(PY) manage.py migrate --noinput -v1

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "  Das Portal läuft unter http://$(HOST):$(PORT)/  (beenden mit Strg+C)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production web process, as docker-compose runs it.
web: migrate
	$(VENV)/bin/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers 2

test: test-deps setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# A worker and the scheduler only make sense with a broker: without REDIS_URL every task
# already runs inside the web process.
require-redis:
	@test -n "$(REDIS_URL)" || { \
	  echo "REDIS_URL fehlt, z. B.: REDIS_URL=redis://127.0.0.1:6379/0 make $(MAKECMDGOALS)" >&2; \
	  echo "(Ohne REDIS_URL laufen alle Aufgaben sofort im Webprozess; ein Worker ist dann unnötig.)" >&2; \
	  exit 1; }

# Celery worker and beat (schedules from django_celery_beat's DatabaseScheduler, set in
# settings), as docker-compose runs them.
worker: require-redis migrate
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2

beat: require-redis migrate
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Backup and restore (see README, "Betrieb"). `make backup` writes backups/<time>/ (or
# BACKUP_DIR): a pg_dump in custom format, every stored file, and manifest.json with checksums,
# the release, each app's latest migration and the keys' fingerprints; only its owner can read it,
# and with PORTAL_BACKUP_RECIPIENTS it is encrypted. `make restore BACKUP_DIR=backups/<time>`
# (BACKUP_IDENTITY=<age key file> for an encrypted one) first checks checksums, schema and keys,
# then restores it into an empty installation and migrates it to the current schema. Both need
# PostgreSQL (DATABASE_URL) and Debian's postgresql-client of the server's major version.
backup: setup
	$(call apt_install,postgresql-client)
	$(PY) manage.py backup $(if $(BACKUP_DIR),--output $(BACKUP_DIR))

restore: setup database
	$(call apt_install,postgresql-client)
	@test -n "$(BACKUP_DIR)" || { echo "BACKUP_DIR fehlt, z. B.: make restore BACKUP_DIR=backups/20261127T150000Z" >&2; exit 1; }
	$(PY) manage.py restore $(BACKUP_DIR) $(if $(BACKUP_IDENTITY),--identity $(BACKUP_IDENTITY))

# Benchmarks (tests/bench/): the portal against the bare tools it is built on, each figure next
# to its baseline. Prints a table and writes BENCHMARKS.md; takes a few minutes. Needs PostgreSQL
# and Redis: the database named here is dropped and created again, the Redis database emptied.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
# `make bench SCALE=federal` instead builds a simulated nationwide rollout (100,000 applications,
# 1,000,000 mails) and measures every page and background job before and after it, then the
# evaluation waves and the network in worlds of their own (about 25 minutes).
# The two worlds are kept as copies of the database; `REUSE=1` measures them again without building.
SCALE ?= default
REUSE ?=
bench: system-deps $(STAMP) messages
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m tests.bench.run --scale $(SCALE) $(if $(REUSE),--reuse)

# `make format` rewrites files with ruff's formatter; `make lint` checks both, and that imports
# point one way (import-linter's contracts in pyproject.toml, see docs/architecture.md).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	@# Known vulnerabilities in the installed packages (needs PyPI's JSON API; where the machine
	@# cannot reach it, pip-audit lists the packages it could not check instead).
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable
	$(PY) manage.py makemigrations --check --dry-run -v0

format: $(STAMP)
	$(VENV)/bin/ruff check --fix --select I .
	$(VENV)/bin/ruff format .

# The pictures of a certificate in docs/ (needs poppler-utils for pdftoppm): a usual name, and a
# long one in Arabic script, which the certificate sets smaller and in its shipped Arabic font.
LONG_NAME := عبد الرحمن محمد بن عبد العزيز بن سليمان آل الحسيني القحطاني
certificate-example: demo
	@command -v pdftoppm >/dev/null || $(SUDO) apt-get install -y -qq poppler-utils >/dev/null
	$(PY) manage.py certificate_example docs/certificate-example.pdf
	pdftoppm -r 110 -png -singlefile docs/certificate-example.pdf docs/certificate-example
	$(PY) manage.py certificate_example docs/certificate-example-long-name.pdf --holder "$(LONG_NAME)" --municipality "Frankfurt (Oder)"
	pdftoppm -r 110 -png -singlefile docs/certificate-example-long-name.pdf docs/certificate-example-long-name
	rm docs/certificate-example.pdf docs/certificate-example-long-name.pdf

# Pictures of every page for every role at 1366, 390 and 320 px, from the demo data, in
# screenshots/<role>/<width>-<page>.png, for people to look at. The same run checks the layout
# (tests/e2e/test_layout.py); a page that breaks a rule is still pictured, and named at the end.
# The pictures the README shows are copied to docs/ (picture in the run:name in docs/).
SCREENSHOTS ?= screenshots
README_SCREENSHOTS := \
	coordinator/1366-coordination:screen-coordination-1366 \
	coordinator/1366-progress:screen-progress-1366 \
	coordinator/1366-certificates:screen-issuing-1366 \
	member/1366-projects:screen-network-projects-1366 \
	member/390-thread:screen-network-exchange-390
screenshots: test-deps setup
	@rm -rf $(SCREENSHOTS)
	PORTAL_SCREENSHOTS=$(SCREENSHOTS) $(VENV)/bin/pytest tests/e2e/test_layout.py -q -p no:cacheprovider -k test_page \
	  || echo "Einige Seiten verletzen die Layoutregeln (siehe oben); die Bilder liegen trotzdem in $(SCREENSHOTS)/."
	@for pair in $(README_SCREENSHOTS); do \
	  if [ -f "$(SCREENSHOTS)/$${pair%%:*}.png" ]; then cp "$(SCREENSHOTS)/$${pair%%:*}.png" "docs/$${pair##*:}.png"; \
	  else echo "Für die README fehlt $(SCREENSHOTS)/$${pair%%:*}.png"; fi; \
	done
	@echo "Bildschirmfotos: $(SCREENSHOTS)/<Rolle>/<Breite>-<Seite>.png; die der README in docs/"

makemessages: $(STAMP)
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-deps
	@mkdir -p locale
	$(PY) manage.py makemessages -l en --ignore=$(VENV) --ignore=staticfiles --no-obsolete

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .import_linter_cache
