# The two commands a new user needs: `make run` and `make test`. Both build .venv when it is
# missing or older than pyproject.toml.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INPUT ?= data/sample/2019-Oct-sample.csv.gz
MONTH ?= 2019-10
LAKE ?= data/lake
WAREHOUSE ?= data/warehouse.duckdb
export SPARK_LOCAL_IP ?= 127.0.0.1
export PYSPARK_PYTHON ?= $(CURDIR)/$(PY)

.PHONY: help run test lint clean java-check env

help:
	@echo "make run    - run the whole local pipeline on INPUT (default: the bundled sample)"
	@echo "make test   - run every test"
	@echo "make lint   - ruff"
	@echo "make clean  - remove generated data and environments"

java-check:
	@command -v java >/dev/null 2>&1 || { \
	  echo "ERROR: Java is not installed. PySpark needs Java 17 or 21."; \
	  echo "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless"; \
	  echo "  macOS:         brew install openjdk@17"; exit 1; }

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

env: $(STAMP)

run: java-check $(STAMP)
	$(PY) -m spark_jobs run --input "$(INPUT)" --lake "$(LAKE)"

test: java-check $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check spark_jobs tests
	$(PY) -m ruff format --check spark_jobs tests

clean:
	rm -rf $(VENV) $(VENV)-* data/lake data/warehouse.duckdb data/reports spark-warehouse \
	  .pytest_cache .ruff_cache test-artifacts build dist *.egg-info
