PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
COUNTRY ?= in

.PHONY: run test check bench surge load capacity package catalogues clean

# The venv is rebuilt whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt requirements-compat.txt
	@echo "Installing the Python dependencies into $(VENV) (once, or after a requirements file changes: a minute or two)..."
	@test -x $(BIN)/python || { echo "  creating the virtual environment $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "  upgrading pip"; $(BIN)/pip install --quiet --upgrade pip
	@echo "  installing the runtime and the development tools (requirements-dev.txt: about 150 packages)"
	@$(BIN)/pip install --quiet -r requirements-dev.txt
	@echo "  installing the public CoWIN clients the compatibility tests drive (requirements-compat.txt)"
	@$(BIN)/pip install --quiet --no-deps -r requirements-compat.txt
	@touch $(STAMP); echo "  done: $(VENV) is ready"

# The independent SMART Health Card and EU DCC verifiers the tests run (tests/thirdparty, from npm; never shipped).
NODE_TOOLS := tests/thirdparty/node_modules/.package-lock.json
$(NODE_TOOLS): tests/thirdparty/package-lock.json
	npm ci --prefix tests/thirdparty --no-audit --no-fund --loglevel=error

## Start moto (embedded AWS), create every resource, seed demo data and serve the API on 127.0.0.1:$(PORT),
## for the country pack COUNTRY (in, ug, do; chalicelib/countries/).
run: $(STAMP)
	PORT=$(PORT) TEEKA_COUNTRY=$(COUNTRY) $(BIN)/python -m local.run

## Lint, type-check, check the layer contracts, then run the whole test suite.
# loadgroup hands out one test at a time (load sends chunks): the end-to-end tests, collected first,
# spread over both workers and the quick ones fill in after them.
test: check $(NODE_TOOLS)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

## The static checks alone: ruff (ruff.toml), mypy (mypy.ini), import-linter (.importlinter).
check: $(STAMP)
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache > /dev/null || $(BIN)/lint-imports --no-cache

## A booking storm against the running `make run` (ARGS="--queue --people 400 --seats 150").
surge: $(STAMP)
	$(BIN)/python -m local.surge --url http://127.0.0.1:$(PORT) $(ARGS)

## Benchmarks: writes bench/results/report.md.
bench: $(STAMP)
	$(BIN)/python -m local.bench

## The load test: the campaign mix (load/locustfile.py) on a fresh local stack for 60 s, then the invariants
## (ARGS="--users 100 --duration 120"; docs/load.md).
load: $(STAMP)
	$(BIN)/python -m load.run $(ARGS)

## The capacity and cost model: measures on moto (2-3 minutes), writes bench/results/capacity-inputs.json and
## docs/capacity.md (`python -m local.capacity --render` re-renders it from the recorded measurements).
capacity: $(STAMP)
	$(BIN)/python -m local.capacity

## Render COUNTRY's deployable CloudFormation template (chalice package + infra/ resources) into
## build/<country>-<stage>/ (STAGE=dev|prod).
package: $(STAMP)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-ap-south-1} $(BIN)/python -m infra.render --country $(COUNTRY) \
		--stage $${STAGE:-dev} --out build/$(COUNTRY)-$${STAGE:-dev}

## Merge the code's texts into every pack's gettext catalogues (.po) and compile them (.mo), with Babel.
catalogues: $(STAMP)
	$(BIN)/python -m local.catalogues

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
