# Slate: one command to run it, one to test it.
#
#   make run             set up .venv, migrate, seed a demo on a new database,
#                        serve on http://127.0.0.1:$(PORT)/ (PORT=8000)
#   make test            lint, Django checks, then every test (incl. browser)
#   make test-postgres   the tests against a throw-away PostgreSQL
#   make test-dates      the date-sensitive tests again on fixed awkward days
#
# Everything lives in .venv beside this file, made with a Python >= 3.12 found
# by tools/find-python (set PYTHON=/path/to/python3.12 to choose one).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
# SEED=1 always loads the demo data on `make run`, SEED=0 never; by default
# only a new database (no migrations applied yet) gets it.
SEED ?= auto
# Settings for `make bench`: the test settings (own SECRET_KEY, fast hasher).
BENCH_SETTINGS ?= tests.settings

VENV := .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install -q --disable-pip-version-check
DB_FILE := db.sqlite3

DEMO_PASSWORD := slate-demo

# `manage.py check` and `makemigrations --check` in `make test`: production
# settings with a throw-away key, on an in-memory database so that neither
# db.sqlite3 nor a DATABASE_URL database is touched.
CHECK_ENV := SECRET_KEY="$${SECRET_KEY:-slate-checks-only-not-secret}" DATABASE_URL="sqlite://:memory:"

# A .venv whose Python is gone or older than 3.12 (e.g. made by hand with the
# system python3) cannot be used: remove it so that it is made again.
ifneq ($(wildcard $(VENV)),)
ifneq ($(shell $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo ok),ok)
$(info $(VENV) has no working Python >= 3.12: removing it to make it again.)
$(shell rm -rf $(VENV))
endif
endif

.PHONY: help deps dev-deps run test test-postgres test-dates bench bench-scale lint format check clean clean-db

help:
	@echo "Slate — make targets:"
	@echo "  make run            run Slate with a demo production on SQLite (PORT=$(PORT))"
	@echo "  make test           lint, Django checks and all tests (PYTEST_ARGS='...')"
	@echo "  make test-postgres  all tests against a throw-away PostgreSQL"
	@echo "  make test-dates     date-sensitive tests on month ends, a leap day, DST changes"
	@echo "  make bench          performance benchmark (BENCH_ARGS='...')"
	@echo "  make bench-scale    the same plus two app servers on one PostgreSQL:"
	@echo "                      bash tools/with-postgres make bench-scale"
	@echo "  make lint           ruff check + ruff format --check"
	@echo "  make format         ruff format + ruff check --fix"
	@echo "  make clean          remove .venv, collected static files, test artifacts"
	@echo "  make clean-db       remove the local SQLite database (db.sqlite3)"

# --- the virtual environment ---------------------------------------------------
# .created is written last, so an interrupted creation is started over.
$(VENV)/.created:
	@rm -rf $(VENV)
	@py="$$(bash tools/find-python)"; \
	echo "==> Creating $(VENV) with $$py (Python $$("$$py" -c 'import platform; print(platform.python_version())'))"; \
	"$$py" -m venv $(VENV)
	@touch $@

$(VENV)/.installed-run: requirements.txt $(VENV)/.created
	@echo "==> Installing runtime dependencies (requirements.txt)"
	@$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.created
	@echo "==> Installing development dependencies (requirements-dev.txt)"
	@$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

deps: $(VENV)/.installed-run
dev-deps: $(VENV)/.installed-dev

# --- run ----------------------------------------------------------------------------
# DEBUG=1 for everything here: local settings, and seed_demo refuses to run
# with DEBUG off. A database is "new" when (without DATABASE_URL) db.sqlite3
# does not exist yet, or when no migration has been applied to it.
#
# The e-mail worker (manage.py db_worker) runs beside the web server and stops
# with it, however the server ends (Ctrl-C, a signal, an error). It does not
# reload on code changes (its reloader would outlive a kill): restart
# `make run` after changing a task.
run: export DEBUG := 1
run: $(VENV)/.installed-run
	@new_db=0; \
	if [ -z "$${DATABASE_URL:-}" ] && [ ! -e $(DB_FILE) ]; then \
		new_db=1; \
	else \
		applied="$$($(PY) manage.py showmigrations --plan 2>/dev/null || true)"; \
		case "$$applied" in *"[X]"*) ;; *) new_db=1 ;; esac; \
	fi; \
	case "$(SEED)" in 1|yes|true) seed=1 ;; 0|no|false) seed=0 ;; *) seed=$$new_db ;; esac; \
	echo "==> Migrating the database"; \
	$(PY) manage.py migrate --noinput; \
	if [ "$$seed" = 1 ]; then \
		echo "==> Loading the demo production (seed_demo)"; \
		$(PY) manage.py seed_demo; \
	fi; \
	echo; \
	echo "  Slate is running at  http://127.0.0.1:$(PORT)/"; \
	echo "  Demo logins (password: $(DEMO_PASSWORD)):"; \
	echo "    producer  supervising producer"; \
	echo "    ap, ap2   associate producers"; \
	echo "    editor    editor"; \
	echo "    writer    writer"; \
	echo "    outsider  on no production"; \
	echo "  E-mails are sent by a worker beside it, printed here unless EMAIL_HOST is set."; \
	echo "  Stop both with Ctrl-C."; \
	echo; \
	export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	trap 'kill $${worker:-} 2>/dev/null || true; wait 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# --- tests ---------------------------------------------------------------------------
# The browser tests find Chromium via $$CHROMIUM (set here from
# tools/ensure-chromium when it finds one) or `chromium` on PATH; live-server
# tests need DJANGO_ALLOW_ASYNC_UNSAFE because Playwright runs an event loop.
test test-postgres test-dates: export DJANGO_ALLOW_ASYNC_UNSAFE := true
# Installs Chromium if it can (a failure stops the run under CI) and passes
# its path on; the shell command that follows runs with it.
WITH_CHROMIUM = chromium="$$(bash tools/ensure-chromium)" || exit 1; \
	if [ -n "$$chromium" ]; then export CHROMIUM="$$chromium"; fi;

test: $(VENV)/.installed-dev
	@$(MAKE) lint
	@$(MAKE) check
	@echo "==> Browser for the browser tests, then pytest"
	@$(WITH_CHROMIUM) $(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev
	@echo "==> pytest on PostgreSQL"
	@$(WITH_CHROMIUM) bash tools/with-postgres $(VENV)/bin/pytest $(PYTEST_ARGS)

# The tests that read the clock, run once per day below with the clock set
# there (SLATE_TEST_NOW, see tests/conftest.py), so that they pass on any day.
DATE_TESTS := tests/test_calendar.py tests/test_views_home.py tests/test_ical.py \
	tests/test_bookings.py tests/test_seed.py tests/test_views_board.py \
	tests/test_views_task_list.py tests/test_views_task.py \
	tests/test_views_projects.py tests/test_episodes.py tests/test_run_of_show.py \
	tests/browser/test_calendar_journey.py
# A month's last day, New Year's Eve and 29 February late in the UTC evening,
# when London in summer time and Auckland are on the next day already; and the
# days the clocks change, in London at 01:00 UTC (New York still on the day
# before) and in New York at 02:00 local: just before they go forward, just
# after they go back.
TEST_DATES := 2027-04-30T23:30:00+00:00 2026-12-31T23:30:00+00:00 \
	2028-02-29T23:30:00+00:00 \
	2027-03-28T00:30:00+00:00 2027-10-31T01:30:00+00:00 \
	2027-03-14T01:30:00-05:00 2027-11-07T01:30:00-05:00

test-dates: $(VENV)/.installed-dev
	@$(WITH_CHROMIUM) failed=(); \
	for now in $(TEST_DATES); do \
		echo "==> pytest with the clock at $$now"; \
		SLATE_TEST_NOW=$$now $(VENV)/bin/pytest $(PYTEST_ARGS) $(DATE_TESTS) \
			|| failed+=("$$now"); \
	done; \
	if (( $${#failed[@]} )); then \
		echo "==> test-dates FAILED with the clock at: $${failed[*]}"; \
		exit 1; \
	fi; \
	echo "==> test-dates: passed on every day"

check: $(VENV)/.installed-dev
	@echo "==> manage.py check"
	@$(CHECK_ENV) $(PY) manage.py check
	@echo "==> manage.py makemigrations --check"
	@$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run

lint: $(VENV)/.installed-dev
	@echo "==> ruff check"
	@$(VENV)/bin/ruff check .
	@echo "==> ruff format --check"
	@$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The benchmark lives with the tests (tests/bench/), outside the app.
bench: $(VENV)/.installed-dev
	@echo "==> python -m tests.bench"
	@chromium="$$(bash tools/ensure-chromium 2>/dev/null || true)"; \
	if [ -n "$$chromium" ]; then export CHROMIUM="$$chromium"; fi; \
	DJANGO_SETTINGS_MODULE=$(BENCH_SETTINGS) $(PY) -m tests.bench $(BENCH_ARGS)

# The benchmark, then its crowd over two app servers, each with a notification
# worker, on the PostgreSQL of DATABASE_URL (tools/with-postgres starts one).
bench-scale:
	@$(MAKE) --no-print-directory bench BENCH_ARGS="--servers 2 $(BENCH_ARGS)"

# --- cleaning ------------------------------------------------------------------------
clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache .hypothesis
	rm -f .test-db*
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

clean-db:
	rm -f $(DB_FILE) $(DB_FILE)-*
