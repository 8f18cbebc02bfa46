# Every target sets itself up: virtualenv in .venv, dependencies, migrations, translations,
# static files. Running a target twice does no harm.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test worker beat lint bench setup system-deps messages static migrate demo makemessages web clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian packages the portal and its tests need: gettext compiles the translations,
# chromium runs the browser tests (Playwright drives it; nothing downloads a browser).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

setup: $(STAMP) messages static

messages: $(STAMP)
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-deps
	$(PY) manage.py compilemessages --ignore=.venv -v0

static: $(STAMP)
	$(PY) manage.py collectstatic --noinput -v0

migrate: setup
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
	$(VENV)/bin/gunicorn portal.wsgi:application --bind $(HOST):$(PORT) --workers 2 --access-logfile -

test: system-deps setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

worker: migrate
	$(VENV)/bin/celery -A portal worker --loglevel=INFO --concurrency=2

beat: migrate
	$(VENV)/bin/celery -A portal beat --loglevel=INFO

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v0

makemessages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --no-obsolete

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
