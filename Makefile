# cardwatch — `make demo` runs the pipeline, `make test` runs every quality gate.
# Both set up what they need: a project-local uv (.tools/) and the workspace virtualenv (.venv/).

SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS ?= never
export UV_LINK_MODE ?= copy
UV = $(shell scripts/ensure-uv.sh)
RUN = $(UV) run --frozen --no-sync
PACKAGES = -p cardwatch_shared -p cardwatch_ingest -p cardwatch_scorer -p cardwatch_notifier \
           -p kinesis_consumer -p cardwatch_ml -p cardwatch_local -p cardwatch_tui
PYTEST_FAST = -m "not slow" -n 2 --dist worksteal --durations=15  # two workers: the suite is CPU-bound and CI has two cores
ENV ?= dev
ADMIN_EMAIL ?=
OPS_EMAIL ?=
SAM_CLI_VERSION = 1.170.0
CHECKOV_VERSION = 3.3.30
SAM = $(UV) tool run --from aws-sam-cli==$(SAM_CLI_VERSION) sam
CHECKOV = $(UV) tool run --from checkov==$(CHECKOV_VERSION) checkov
TEMPLATES = infra/sam/template.yaml $(wildcard infra/sam/*/template.yaml)

.PHONY: help setup demo tui test coverage lint typecheck infra-check unit contracts examples bench bench-sustained chaos clean \
        deploy-core deploy-ingest deploy-scorer deploy-notifier deploy-all

help: ## list the targets
	@grep -E '^[a-z% -]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# --compile-bytecode: every later process (tests, workers, the emulator, the benchmarks) reads
# .pyc files instead of compiling scikit-learn, SciPy and pandas from source each time, which it
# would do when PYTHONDONTWRITEBYTECODE is set (it is on this CI's machines).
.venv/.synced: uv.lock pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml)
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

setup: .venv/.synced ## install uv (if missing) and the locked workspace into .venv

demo: setup ## run the main job: the pipeline on the local stack
	$(RUN) cardwatch demo

demo-feedback: setup ## the feedback loop: days of uploads, labels days late, weekly retraining, precision per week
	$(RUN) cardwatch demo --delayed-labels --cards $(FEEDBACK_CARDS) --days $(FEEDBACK_DAYS) \
		$(if $(filter 1,$(FEEDBACK_CONTROL)),--control)

tui: setup ## the terminal app (talks to the local stack started by make demo / cardwatch local up)
	$(RUN) cardwatch tui

lint: setup ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: setup ## mypy --strict on every package and the tests
	$(RUN) mypy $(PACKAGES)
	$(RUN) mypy tests bench

infra-check: setup ## cfn-lint (errors and warnings) and checkov on every SAM template
	$(RUN) cfn-lint $(TEMPLATES)
	$(CHECKOV) --directory infra/sam --framework cloudformation --quiet --compact --skip-download

test: lint typecheck infra-check ## lint, type-check and the test suite (the CI gate)
	$(RUN) pytest $(PYTEST_FAST)

coverage: setup ## the test suite with branch coverage (a third slower, so not in make test)
	$(RUN) pytest $(PYTEST_FAST) --cov --cov-report=term:skip-covered --cov-report=xml:.coverage.xml

unit: setup ## only the unit tests
	$(RUN) pytest -m unit

BENCH_OUT ?=
bench: setup ## benchmarks, as ratios against a floor measured in the same run (not in make test)
	$(RUN) python -m bench.run_all $(if $(BENCH_OUT),--out $(BENCH_OUT))

SUSTAINED_ROWS ?= 100000
bench-sustained: setup ## the end-to-end benchmark on a 100,000-row file (about 45 min on moto)
	$(RUN) python -m bench.pipeline_path --latency-files 1 --sustained-rows $(SUSTAINED_ROWS) \
		$(if $(BENCH_OUT),--out $(BENCH_OUT))

CHAOS_TRANSACTIONS ?= 100000
FEEDBACK_CARDS ?= 300
FEEDBACK_DAYS ?= 56
FEEDBACK_CONTROL ?= 0
CHAOS_SUMMARY ?=
chaos: setup ## faults injected into the whole local pipeline at full size (not in make test)
	$(RUN) cardwatch chaos --transactions $(CHAOS_TRANSACTIONS) \
		$(if $(CHAOS_SUMMARY),--summary-json $(CHAOS_SUMMARY))

contracts: setup ## regenerate the committed JSON Schemas of the contracts
	$(RUN) python -m cardwatch_shared.schema_registry

examples: setup ## regenerate the committed example emails
	$(RUN) python -m cardwatch_notifier.example_email

deploy-core: setup ## deploy the core stack: ENV=dev|prod ADMIN_EMAIL=you@example.com [OPS_EMAIL=]
	@test -n "$(ADMIN_EMAIL)" || { echo "ADMIN_EMAIL=you@example.com is required"; exit 2; }
	cd infra/sam/core && $(SAM) deploy --config-env $(ENV) --parameter-overrides \
		$$(python3 ../../../scripts/sam_overrides.py . $(ENV)) AdminEmail=$(ADMIN_EMAIL) OpsEmail=$(OPS_EMAIL)

deploy-ingest deploy-scorer deploy-notifier: deploy-%: setup ## build and deploy one service stack (ENV=dev|prod)
	cd infra/sam/$* && $(SAM) build --config-env $(ENV) && $(SAM) deploy --config-env $(ENV)

deploy-all: setup ## everything as one nested stack: ENV=dev|prod ADMIN_EMAIL=you@example.com
	@test -n "$(ADMIN_EMAIL)" || { echo "ADMIN_EMAIL=you@example.com is required"; exit 2; }
	cd infra/sam && $(SAM) build --config-env $(ENV) && $(SAM) deploy --config-env $(ENV) \
		--parameter-overrides $$(python3 ../../scripts/sam_overrides.py . $(ENV)) \
		AdminEmail=$(ADMIN_EMAIL) OpsEmail=$(OPS_EMAIL)

clean: ## remove the virtualenv, tools and caches
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.xml
