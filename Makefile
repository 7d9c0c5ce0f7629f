# Every developer action has a name here (docs/architecture.md). `make demo` and `make test` work on a
# fresh clone: they install uv, the locked Python environment and the pinned CDK CLI first.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin

# docs/toolchain.md: without bytecode, every process recompiles aws_cdk (import 1.3 s -> 6.5 s)
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON_DOWNLOADS := never
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true

.PHONY: dev venv cdk-cli browser test test-fast lint format docs demo synth deploy bench clean

dev: venv cdk-cli ## the development environment in .venv (with the demo extra) and the pinned CDK CLI

venv: $(VENV)/.synced
$(VENV)/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --extra demo --python $(PYTHON)
	@touch $@

cdk-cli: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser: ## Debian's chromium, for the HTML report's tests in a real browser (tests/browser)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: dev browser ## the whole test suite (unit, integration, infrastructure, statemachine, browser)
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: venv ## unit tests only
	$(BIN)/pytest tests/unit -q

lint: venv ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: venv ## rewrite the generated part of docs/resource-types.md from the declarations
	$(BIN)/python -c "import pathlib, maptag.resources.catalog as c; p = pathlib.Path('docs/resource-types.md'); t = p.read_text(); head, rest = t.split(c.START, 1); p.write_text(head + c.START + '\n' + c.markdown() + c.END + rest.split(c.END, 1)[1])"

demo: venv ## the whole pipeline on an embedded AWS (moto server + local Migration Hub)
	$(BIN)/maptag demo

# The engagement file (TOML, as `maptag scan --config`): the deployment refuses to synthesize
# without an MPE id and regions (docs/deploy.md). `make synth CONFIG=maptag.toml`.
CONFIG ?= maptag.toml
ENGAGEMENT = -c maptag:config=$(CONFIG)

synth: dev ## synthesize the CDK app offline (CONFIG=maptag.toml: your engagement file)
	npx cdk synth -q $(ENGAGEMENT)

STACK ?= Maptag
deploy: dev ## deploy the scanner stack (STACK=MaptagMemberRole for a member role) with your credentials
	npx cdk deploy $(STACK) $(ENGAGEMENT)

SIZES ?= 1000,10000
ROUNDS ?= 5
bench: venv ## side-by-side benchmark against Cloud Custodian (not part of make test)
	UV="$(UV)" $(BIN)/python -m bench.run --sizes $(SIZES) --rounds $(ROUNDS)

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache
