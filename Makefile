# Claud.IA — Chorus Pro assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10: the first working interpreter among these.
PYTHON310 := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/claudia.tar.gz
# Extra arguments of bench/nlu_compare.py, e.g. make bench-nlu COMPARE_ARGS="--folds 3 --seeds 1"
COMPARE_ARGS ?=
# The web widget: npm dependencies pinned in widget/package-lock.json, bundled by esbuild.
WIDGET_BUNDLE := widget/dist/claudia-widget.js
WIDGET_SOURCES := $(wildcard widget/src/*)
# The desk's « Formation » page script with its charts (Chart.js), pinned in desk/formation/package-lock.json.
FORMATION_BUNDLE := desk/formation/dist/formation.js
FORMATION_SOURCES := $(wildcard desk/formation/src/*)
TRAINING_INPUTS := config.yml $(shell find domain data components policies -name '*.yml' -o -name '*.py' 2>/dev/null)

include scripts/process.env
export $(shell sed -n 's/^\([A-Z_]*\)=.*/\1/p' scripts/process.env)

.PHONY: help install train run shell validate lint test test-unit test-data test-stories \
	test-integration test-e2e test-logs widget formation bench bench-nlu bench-latency bench-load \
	bench-workbench hostile run-production run-cluster migration purge lock clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt constraints.txt pyproject.toml
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (pyenv install 3.10)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

install: $(BIN)/.installed ## Create the virtual environment with the pinned dependencies

# Rasa prints one line per graph component it trains or takes from its cache (.rasa/cache). The
# data is checked by `make validate` (test-data runs it), not again here. The venv is an
# order-only prerequisite: reinstalling packages does not retrain the model.
$(MODEL): $(TRAINING_INPUTS) | $(BIN)/.installed
	@echo "==> [1/2] Training NLU (config.yml, data/nlu) and dialogue (domain/, data/rules, data/stories)"
	@start=$$(date +%s); $(BIN)/rasa train --domain domain --fixed-model-name claudia --out models \
	  --skip-validation && \
	  echo $$(( $$(date +%s) - start )) > models/claudia.train_seconds && \
	  touch -d "@$$start" $@  # as old as the inputs it read: an edit made meanwhile retrains
	@echo "==> [2/2] Model $@ written ($$(du -h $@ | cut -f1)) in $$(cat models/claudia.train_seconds) s"

train: $(MODEL) ## Train the model when data, domain or config changed

widget/node_modules/.installed: widget/package.json widget/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20 and npm"; exit 1; }
	cd widget && npm ci --no-audit --no-fund
	touch $@

$(WIDGET_BUNDLE): widget/node_modules/.installed $(WIDGET_SOURCES)
	cd widget && npm run --silent build

widget: $(WIDGET_BUNDLE) ## Build the web widget (npm ci + esbuild) into widget/dist

desk/formation/node_modules/.installed: desk/formation/package.json desk/formation/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20 and npm"; exit 1; }
	cd desk/formation && npm ci --no-audit --no-fund
	touch $@

$(FORMATION_BUNDLE): desk/formation/node_modules/.installed $(FORMATION_SOURCES)
	cd desk/formation && npm run --silent build

formation: $(FORMATION_BUNDLE) ## Build the desk's « Formation » page script (npm ci + esbuild)

run: $(MODEL) $(WIDGET_BUNDLE) $(FORMATION_BUNDLE) ## Start the assistant (action server + Rasa REST/socket.io) on embedded defaults
	scripts/run.sh

run-production: $(MODEL) $(FORMATION_BUNDLE) ## The production start: checks the settings, then servers behind nginx
	scripts/ensure_debian.sh nginx
	scripts/run.sh --production

REPLICAS ?= 2
run-cluster: $(MODEL) $(FORMATION_BUNDLE) ## REPLICAS Rasa replicas (default 2) on PostgreSQL + Redis behind nginx
	scripts/ensure_debian.sh nginx
	scripts/run.sh --replicas $(REPLICAS)

shell: $(MODEL) ## Talk to the assistant in the terminal (starts the action server)
	scripts/run.sh --shell

validate: $(BIN)/.installed ## Check domain, data and stories for consistency
	$(BIN)/rasa data validate --domain domain --fail-on-warnings --quiet

lint: $(BIN)/.installed ## Ruff on the Python code
	$(BIN)/ruff check assistance actions components channels nlg policies servers tracker_stores desk tests \
		bench scripts

test: test-unit test-data test-stories test-integration test-e2e test-logs ## Run every test tier, then scan their logs
	@echo "All test tiers passed."

test-unit: $(BIN)/.installed lint ## Pure helpers and actions, no server
	$(BIN)/pytest -q tests/unit

test-data: validate $(MODEL) ## Data checks and the NLU gate on both held-out sets
	$(BIN)/pytest -q tests/data
	$(BIN)/python bench/nlu_eval.py --check --test-file tests/nlu/test_nlu.yml \
		--test-file tests/nlu/test_nlu_blind.yml

test-stories: $(MODEL) ## Test stories must be predicted without error
	$(BIN)/rasa test core --stories tests/stories --model $(MODEL) --fail-on-prediction-errors \
		--out results/stories --quiet

test-integration: $(MODEL) ## Real Rasa + action servers over HTTP, SQLite and PostgreSQL/Redis, nginx
	scripts/ensure_debian.sh nginx
	$(BIN)/pytest -q tests/integration

test-e2e: $(MODEL) $(WIDGET_BUNDLE) $(FORMATION_BUNDLE) ## Whole conversations in a real browser
	scripts/ensure_debian.sh chromium
	$(BIN)/pytest -q tests/e2e

test-logs: $(BIN)/.installed ## No personal data in the test servers' logs (results/test-logs) nor logs/
	$(BIN)/python scripts/scan_logs.py

bench: bench-nlu bench-latency ## Print every benchmark figure

bench-nlu: $(MODEL) ## Held-out figures; stock vs ours: external benchmark, cross-validation, training and load times
	$(BIN)/python bench/nlu_eval.py
	$(BIN)/python bench/nlu_compare.py $(COMPARE_ARGS)

bench-latency: $(MODEL) ## p50/p95 of /model/parse and of a full webhook turn
	$(BIN)/python bench/latency.py

bench-load: $(MODEL) ## 200 conversations through nginx on 1 and 2 replicas, one killed: rates and tally
	scripts/ensure_debian.sh nginx
	$(BIN)/python bench/load.py

bench-workbench: $(MODEL) ## Time the trainers' loop: teach a sentence, retrain, gate, activate
	$(BIN)/python bench/workbench_loop.py

hostile: $(MODEL) ## The hostile-input and fault suite's tally (cases passed / total)
	scripts/ensure_debian.sh nginx
	$(BIN)/python scripts/hostile_tally.py

purge: $(BIN)/.installed ## Delete personal data older than its retention (DRY_RUN=1 only counts)
	. scripts/env.sh && $(BIN)/python scripts/privacy.py purge $(if $(DRY_RUN),--dry-run)

migration: $(BIN)/.installed ## Write a new database migration from the models: make migration M="what changes"
	@test -n "$(M)" || { echo 'Say what changes: make migration M="add a column"'; exit 1; }
	$(BIN)/alembic -c assistance/db/alembic.ini revision --autogenerate -m "$(M)"

lock: ## Re-resolve every pin into constraints.txt
	$(BIN)/pip freeze --exclude-editable | grep -v '^pkg_resources' > constraints.txt

clean: ## Remove models, results and local databases
	rm -rf models/*.tar.gz results var
