# KM Network platform. On a fresh machine: `make run` (everything, prints the URL), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test unit lint format bench contracts frontend infra-up infra-down clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@echo "installing the platform's Python packages into $(VENV) (first run, or pyproject.toml changed)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar off -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/knet up

# Integration tests start their own Kafka and store on free ports (see tests/conftest.py).
test: lint
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit tests/contract

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services tools tests bench

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

contracts: install
	$(BIN)/knet contracts

# Needs Node's npm; the files it copies are committed, so nothing else does.
frontend:
	deploy/frontend/refresh-assets.sh

infra-up: install
	$(BIN)/knet infra up

infra-down: install
	$(BIN)/knet infra down

clean:
	-[ -x $(BIN)/knet ] && $(BIN)/knet infra down
	rm -rf .data .cache $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
