"""`python -m spark_jobs generate` then `run` on the result: the data-quality report, the quarantine and the
marts agree with what the generator put into the file (bad lines of every kind, exact duplicates)."""

from __future__ import annotations

import json

import pytest
from pyspark.sql import functions as F

from spark_jobs import contract
from spark_jobs.clean import REASONS
from spark_jobs.cli import main
from spark_jobs.lake import Lake

ROWS, BAD = 4000, 16  # 16 bad lines: two of each of the eight rules

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def generated_run(spark, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-e2e")
    source, lake = folder / "2019-Oct.csv.gz", Lake(str(folder / "lake"))
    assert main(["generate", "--rows", str(ROWS), "--month", "2019-10", "--seed", "3", "--bad-rows", str(BAD),
                 "--out", str(source)]) == 0  # fmt: skip
    assert main(["run", "--input", str(source), "--lake", lake.root]) == 0
    report = json.loads(open(lake.dq_report_path("2019-10")).read())
    return spark, lake, report


def test_the_report_accounts_for_every_generated_line(generated_run):
    _, _, report = generated_run
    duplicates = round(0.002 * (ROWS - BAD))  # the generator's documented duplicate rate
    assert report["rows_read"] == ROWS
    assert report["duplicates_removed"] == duplicates
    assert report["rows_quarantined"] == BAD
    assert report["quarantined_by_reason"] == {reason: 2 for reason in REASONS}
    assert report["rows_valid"] == ROWS - BAD - duplicates
    assert report["months"] == ["2019-10"]


def test_the_quarantine_holds_each_bad_line_with_its_reason(generated_run):
    spark, lake, _ = generated_run
    quarantine = spark.read.parquet(lake.table_path(contract.QUARANTINE))
    by_reason = {row.reason: row["count"] for row in quarantine.groupBy("reason").count().collect()}
    assert by_reason == {reason: 2 for reason in REASONS}
    assert quarantine.where(F.col("raw_line").isNull() | F.col("source_file").isNull()).count() == 0


def test_the_marts_add_up_to_the_clean_events(generated_run):
    spark, lake, report = generated_run
    events = spark.read.parquet(lake.table_path(contract.EVENTS))
    funnel = spark.read.parquet(lake.table_path(contract.FUNNEL_DAILY))
    hourly = spark.read.parquet(lake.table_path(contract.EVENT_TYPE_BY_HOUR))
    sessions = spark.read.parquet(lake.table_path(contract.SESSIONS))
    counts = {row.event_type: row["count"] for row in events.groupBy("event_type").count().collect()}
    totals = funnel.agg(*(F.sum(f"{stage}_count").alias(stage) for stage in contract.FUNNEL_STAGES)).first()
    assert totals.asDict() == {stage: counts.get(stage, 0) for stage in contract.FUNNEL_STAGES}
    assert hourly.agg(F.sum("event_count")).first()[0] == report["rows_valid"]
    assert sessions.agg(F.sum("event_count")).first()[0] == report["rows_valid"]
    assert sessions.count() == events.select("user_session").distinct().count()
    revenue = events.where("event_type = 'purchase'").agg(F.sum("price")).first()[0]
    assert funnel.agg(F.sum("revenue")).first()[0] == revenue
