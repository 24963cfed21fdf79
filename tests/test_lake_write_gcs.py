"""`write_partitioned` and `write_batch` on a gs:// lake, on fake-gcs-server: classic Spark writes the
staging through its GCS connector (the session test_e2e_cloud points at the emulator), the project's
swap goes through pyarrow.fs. The swap itself on gs:// is engine-free (tests/test_lake_commit.py)."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F
from servers.gcs import new_bucket
from test_e2e_cloud import spark_on_fake_gcs  # noqa: F401 (the fixture)

from spark_jobs import commit, contract, lake_io
from spark_jobs.lake import Lake, write_batch, write_partitioned
from spark_jobs.schemas import conform

# the shared session with gs:// pointed at the emulator for each test
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("spark_on_fake_gcs")]


def funnel_day(spark, day: str, views: int):
    """One funnel_daily row: `views` in every count column, the day as its date."""
    frame = spark.range(1).select(
        *(
            (F.lit(day).cast("date") if c.name == "event_date" else F.lit(views)).alias(c.name)
            for c in contract.FUNNEL_DAILY.columns
        )
    )
    return conform(frame, contract.FUNNEL_DAILY)


def test_writing_november_keeps_october_on_gcs(classic_spark):
    spark = classic_spark
    lake = Lake(f"gs://{new_bucket('write')}/lake")
    table = contract.FUNNEL_DAILY
    write_partitioned(
        funnel_day(spark, "2019-10-31", 1).union(funnel_day(spark, "2019-11-01", 1)), table, lake
    )
    write_partitioned(funnel_day(spark, "2019-11-01", 2), table, lake)
    stored = spark.read.parquet(lake.table_path(table))
    assert sorted((str(r.event_date), r.view_count) for r in stored.collect()) == [
        ("2019-10-31", 1),
        ("2019-11-01", 2),
    ]
    assert lake_io.list_partition_values(lake.table_path(table), "event_date") == ["2019-10-31", "2019-11-01"]
    assert commit.run_folders(lake.root) == []


def test_a_batch_folder_is_replaced_on_gcs(classic_spark):
    spark = classic_spark
    lake = Lake(f"gs://{new_bucket('batch')}/lake")
    rows = spark.createDataFrame(
        [("2019-10", "valid", None, 5)], "batch_id string, outcome string, reason string, row_count bigint"
    ).withColumn("checked_at", F.current_timestamp())
    write_batch(conform(rows, contract.DATA_QUALITY), contract.DATA_QUALITY, lake, "2019-10")
    write_batch(
        conform(rows.withColumn("row_count", F.lit(7)), contract.DATA_QUALITY),
        contract.DATA_QUALITY,
        lake,
        "2019-10",
    )
    stored = spark.read.parquet(lake.batch_folder(contract.DATA_QUALITY, "2019-10"))
    assert [r.row_count for r in stored.collect()] == [7]
