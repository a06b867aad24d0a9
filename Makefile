# The two commands of the README, plus a few helpers. Everything runs inside .venv.
# .python-version makes pyenv's python3 be 3.12 here; python3.12 is tried first elsewhere.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Links printed and emailed by `make run` point at the server it starts, unless SITE_URL is given.
SITE_URL ?= http://$(HOST)

.PHONY: run test setup install demo lint format clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "Python 3.12 or newer is needed (found $$($(PYTHON) --version)). Install it, e.g. pyenv install 3.12."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## One command to try it: install, migrate SQLite, load the bank and demo data, serve on $(HOST)
## with a task worker beside the server (it sends the emails: printed here). Ctrl+C stops both.
## `make run HOST=127.0.0.1:8001` serves elsewhere; SITE_URL follows HOST unless given.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_default_bank
	SITE_URL='$(SITE_URL)' $(PY) manage.py load_demo
	SITE_URL='$(SITE_URL)' $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SITE_URL='$(SITE_URL)' $(PY) manage.py runserver $(HOST)

## One command to run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
## Fails under the coverage floor of pyproject.toml ([tool.coverage.report] fail_under).
test: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive betterway places assessments actions workshops --severity-level medium --exclude '*/migrations/*'
	$(PY) -m pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

demo: install
	$(PY) manage.py load_demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
