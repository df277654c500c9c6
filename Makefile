# The single entry point, locally and in CI:  make setup && make run  /  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup install index run test test-fast eval eval-check bench lint format clean

## setup: create .venv, install everything, build the index of seeds/
setup: install index

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	# torch first and pinned: the CPU build; any other spec pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# The browser tests drive Debian's Chromium; install it where it is missing and apt can.
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
	  || echo "note: Chromium is not installed; the browser tests will be skipped (apt-get install chromium)"; }
	touch $(STAMP)

## index: build (or refresh) index/ from seeds/
index: install
	$(BIN)/qa index

## run: the chat UI on the seed corpus (http://127.0.0.1:7860; QA_HOST / QA_PORT to change)
run: install
	$(BIN)/qa ui

## test: the whole test suite, slow tests included
test: install
	$(BIN)/python -m pytest

## test-fast: skip the tests that load the model
test-fast: install
	$(BIN)/python -m pytest -m "not slow"

## eval: score the bundled question set, compare configurations; then the held-out set; reports in eval-report/
eval: install
	$(BIN)/qa eval --compare --out eval-report
	$(BIN)/qa eval --questions qa/eval/heldout.jsonl --no-baseline --out eval-report/heldout

## eval-check: fail when a headline metric drops below eval-thresholds.json, or the held-out set's below eval-thresholds-heldout.json (the CI gate)
eval-check: install
	$(BIN)/qa eval --out eval-report --check eval-thresholds.json
	$(BIN)/qa eval --questions qa/eval/heldout.jsonl --no-baseline --out eval-report/heldout --check eval-thresholds-heldout.json

## bench: build/query/cold-start/concurrency benchmarks: seeds, a 5,000-passage haystack, 100,000 passages with synthetic vectors (bench-report/)
bench: install
	$(BIN)/qa bench --out bench-report

lint: install
	$(BIN)/ruff check qa tests
	$(BIN)/ruff format --check qa tests

format: install
	$(BIN)/ruff format qa tests
	$(BIN)/ruff check --fix qa tests

clean:
	rm -rf $(VENV) index/build-* index/.tmp-* index/.embedding-checkpoint index/CURRENT eval-report bench-report bench-work .pytest_cache
