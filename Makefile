# Two commands matter: `make run` builds the warehouse, `make test` runs the tests.
# Both create the environment from uv.lock first if it is missing or out of date.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
# The environment is installed with its bytecode compiled (--compile-bytecode): where Python may
# not write bytecode (PYTHONDONTWRITEBYTECODE, a read-only checkout), every run would otherwise
# compile Dagster, dbt and GX from source again, about 1.5 s of every run's start.
SYNCED := $(VENV)/.synced-$(UV_VERSION)-bytecode
# A DuckDB 1.x client in its own environment, for the test that old BI drivers can read the build.
OLD_CLIENT := .venv-duckdb1
OLD_CLIENT_SYNCED := $(OLD_CLIENT)/.synced-$(UV_VERSION)

# Nothing may wait on the network: telemetry of dbt, Dagster and GX off; uv never fetches Pythons.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export DBT_USE_COLORS := False
export DAGSTER_HOME := $(CURDIR)/.dagster
export PYTHONPATH := $(CURDIR)
# dagster-dbt and sqlfluff run the `dbt` executable of the project's environment.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)


.PHONY: run test dev lint format docs clean setup rollback browser bench fuzz mutation

run: $(SYNCED)  ## build, audit and publish the warehouse from data_raw/ (YEARS=2026: those budget lines only; FORCE=1: even when nothing changed)
	$(PY) -m pipelines run $(if $(YEARS),--years $(YEARS)) $(if $(FORCE),--force)

# Lint first: a lint or type error fails `make test`, and so CI (.ci/run), before the suite runs.
test: lint $(SYNCED) $(OLD_CLIENT_SYNCED) browser  ## lint, then run the whole test suite
	$(PY) -m pytest

# The reports' browser tests drive Debian's Chromium (Playwright downloads no browser here) and
# check that Korean labels are drawn, with a Korean font (Nanum: Debian's smallest Hangul font).
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	[ -n "$$(fc-list :lang=ko 2>/dev/null)" ] || missing="$$missing fonts-nanum"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing for the browser tests: $$missing (sudo apt-get install $$missing)"; \
	  fi; \
	fi

# Not part of `make test`: generates up to ~4 GB of synthetic lines and runs for about half an hour.
bench: $(SYNCED)  ## benchmark on synthetic budget lines (BENCH_SIZES=1000000,10000000,30000000; ~4 GB of data) into bench/results.md
	$(PY) -m bench.run

# Not part of `make test` (which fuzzes 50 inputs per reader): 1,000 per reader, about 10 minutes.
fuzz: $(SYNCED)  ## fuzz every reader of raw files with BND_FUZZ_EXAMPLES mutated inputs each (default 1000)
	BND_FUZZ_EXAMPLES=$${BND_FUZZ_EXAMPLES:-1000} $(PY) -m pytest tests/fuzz -n 0 -p no:cacheprovider -q

# Not part of `make test`: each mutant of the plain modules runs their unit tests (minutes per
# module). MODULES=limits runs one; the score per module and every survivor are printed.
mutation: $(SYNCED)  ## mutation testing of core/limits, sources/amounts, control_totals, cited_figures, local_budget_book, csv_rows and page_table against their unit tests
	$(PY) -m tests.mutation.run $(MODULES)

rollback: $(SYNCED)  ## publish the previous kept build again (TO=<build id> for another one)
	$(PY) -m pipelines rollback $(if $(TO),--to $(TO))

# The Dagster UI and daemon as `dagster dev` runs them, behind a guard (pipelines/ui/): only
# Host names in BND_UI_ALLOWED_HOSTS (plus localhost and the host below), no mutation over GET.
dev: $(SYNCED)  ## Dagster UI on DAGSTER_HOST:DAGSTER_PORT (environment or .env; 127.0.0.1:3000 by default)
	$(PY) -m pipelines prepare
	exec $(PY) -m pipelines.ui $(if $(DAGSTER_HOST),--host $(DAGSTER_HOST)) $(if $(DAGSTER_PORT),--port $(DAGSTER_PORT))

docs: $(SYNCED)  ## dbt docs site for the published warehouse, into warehouse/reports/dbt_docs
	$(PY) -m pipelines docs

# mypy checks the plain layers ([tool.mypy] in pyproject.toml: core, sources, landing, checks,
# reports, lifecycle). sqlfluff's dbt templater parses the project with the lint profile: into a
# target folder of its own, so that the builds' parse state and manifest in dbt_project/target
# stay theirs; two processes lint the models in about 35 s instead of 50 s on two cores.
lint: $(SYNCED)  ## ruff for Python, mypy for the plain layers, sqlfluff (dbt templater, duckdb dialect) for the dbt models
	$(VENV)/bin/ruff check pipelines tests bench
	$(VENV)/bin/ruff format --check pipelines tests bench
	$(VENV)/bin/mypy
	BND_BUILD_DB=$(CURDIR)/dbt_project/target/lint/lint.duckdb BND_LANDING_DB=$(CURDIR)/dbt_project/target/lint/lint_landing.duckdb \
	  DBT_TARGET_PATH=$(CURDIR)/dbt_project/target/lint \
	  $(VENV)/bin/sqlfluff lint --processes 2 dbt_project/models

format: $(SYNCED)
	$(VENV)/bin/ruff check --fix pipelines tests bench
	$(VENV)/bin/ruff format pipelines tests bench

setup: $(SYNCED)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(SYNCED): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode
	touch $@

$(OLD_CLIENT_SYNCED): tests/compat/duckdb1/uv.lock tests/compat/duckdb1/pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(OLD_CLIENT) $(UV) sync --frozen --project tests/compat/duckdb1
	touch $@

clean:  ## remove build outputs (keeps the published warehouse, its exports and history)
	rm -rf dbt_project/target dbt_project/logs warehouse/.build
