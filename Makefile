# The two commands of the README, plus a few helpers. Everything runs inside .venv.
# .python-version makes pyenv's python3 be 3.12 here; python3.12 is tried first elsewhere.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# Links printed and emailed by `make run` point at the server it starts, unless SITE_URL is given.
SITE_URL ?= http://$(HOST)

.PHONY: run test mutation setup install demo lint format clean

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

## Mutation testing (not part of CI; about 5 minutes on 2 cores): mutmut's mutants of
## assessments/scoring.py, suppression.py and audit.py against the pure tests that pin them
## ([tool.mutmut] in pyproject.toml), then the score. Mutants judged equivalent (no behaviour
## changes), left out of the behaviour-changing score:
##   scoring.x_spectrum_mode__mutmut_2: `best` starting at 1, not 0, differs only when k < 2 (k >= 3).
##   scoring.x_lens_gap_reasons__mutmut_13/14: `gap >= 0` / `gap > 1` for `gap > 0`: gaps under
##     14.5 either way have already been skipped.
##   scoring.x__strong_or_developing__mutmut_36: another missing key for .get(): '' either way.
##   scoring.x_benchmark__mutmut_7: quantiles without n=4, which is its default.
##   suppression.x_suppress_partition__mutmut_38/39: `remainder = g` / `-= g`: one hidden group
##     (of k or more) always ends the loop, and the remainder is not used after it.
##   suppression.x__one_side_only__mutmut_5/7: the smaller group is passed first, so its side
##     of a clashing pair is never k or more, and the larger's is never 0.
##   audit.x__rref__mutmut_6/7, x__rank__mutmut_1: the empty matrix, which no caller passes.
##   audit.x__rref__mutmut_34/37/38: zip(strict=...) over rows that are always the same length.
##   audit.x__light_sets__mutmut_3/6/7: the empty set tried first (it never lowers a rank), or
##     no early stop: the same sets are found, more slowly.
##   audit.x__merged_columns__mutmut_22: columns scaled by their lead, not divided: two columns
##     still match only when proportional (c0² = d0²), so the same cells merge.
##   audit.x_determined_cells__mutmut_8: cells of exactly k counted as small: no light set can
##     hold one, so the same leaks are found (only more slowly).
MUTATION_EQUIVALENT = \
	assessments.scoring.x_spectrum_mode__mutmut_2 \
	assessments.scoring.x_lens_gap_reasons__mutmut_13 \
	assessments.scoring.x_lens_gap_reasons__mutmut_14 \
	assessments.scoring.x__strong_or_developing__mutmut_36 \
	assessments.scoring.x_benchmark__mutmut_7 \
	assessments.suppression.x_suppress_partition__mutmut_38 \
	assessments.suppression.x_suppress_partition__mutmut_39 \
	assessments.suppression.x__one_side_only__mutmut_5 \
	assessments.suppression.x__one_side_only__mutmut_7 \
	assessments.audit.x__rref__mutmut_6 \
	assessments.audit.x__rref__mutmut_7 \
	assessments.audit.x__rank__mutmut_1 \
	assessments.audit.x__rref__mutmut_34 \
	assessments.audit.x__rref__mutmut_37 \
	assessments.audit.x__rref__mutmut_38 \
	assessments.audit.x__light_sets__mutmut_3 \
	assessments.audit.x__light_sets__mutmut_6 \
	assessments.audit.x__light_sets__mutmut_7 \
	assessments.audit.x__merged_columns__mutmut_22 \
	assessments.audit.x_determined_cells__mutmut_8

mutation: install
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2
	$(PY) tests/mutation_score.py $(MUTATION_EQUIVALENT)

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
