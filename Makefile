# Two-command set-up: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench venv clean docs fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,distributed]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/planner validate scenarios/balikpapan-2024.yaml
	$(BIN)/planner plan scenarios/balikpapan-2024.yaml -r 10 --iterations 3 --workers 2

lint: $(STAMP)
	$(BIN)/ruff check planner tests benchmarks
	$(BIN)/mypy planner

test: lint
	$(BIN)/python -m pytest -n 2 -q

fuzz: $(STAMP)
	PLANNER_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-20000} PLANNER_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -m fuzz \
		--hypothesis-show-statistics tests/scenario/test_fuzz_scenarios.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

docs: $(STAMP)
	$(BIN)/python -m planner.scenario.reference > docs/scenario-reference.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
