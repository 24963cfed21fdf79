"""Shared fixtures: one local SparkSession for the whole test run (cold start costs ~7 s)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

# Real servers for integration tests: fake_gcs_server/fake_gcs (fake-gcs-server), http_files (HTTP),
# bigquery_emulator/bigquery_client (bqemulator); fake_dataproc, a stand-in for the Dataproc batches API.
pytest_plugins = ["servers.gcs", "servers.http", "servers.bigquery", "servers.dataproc"]


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from spark_jobs.session import get_spark

    os.environ.setdefault("SPARK_SHUFFLE_PARTITIONS", "2")
    session = get_spark(
        "spark_jobs_tests",
        master="local[2]",
        extra_conf={
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.driver.memory": "2g",
            "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse")),
        },
    )
    yield session
    session.stop()
