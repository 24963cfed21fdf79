"""The ingested parts, read by the clean job, give exactly the clean events of the original file."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from servers.month_data import gzipped, kaggle_csv

from spark_jobs import contract
from spark_jobs.clean import RAW_COLUMNS
from spark_jobs.ingest.job import ingest_month
from spark_jobs.ingest.sources import KAGGLE_HEADER
from spark_jobs.jobs import clean_batch
from spark_jobs.lake import Lake

pytestmark = pytest.mark.integration


def test_ingest_checks_the_header_the_clean_job_reads():
    assert KAGGLE_HEADER.split(",") == list(RAW_COLUMNS)


@pytest.mark.parametrize("part_format", ["parquet", "csv"])
def test_clean_events_from_the_parts_equal_those_from_the_original_file(spark, tmp_path, part_format):
    source = tmp_path / "2019-Oct.csv.gz"
    duplicated = kaggle_csv(rows=3000) + b"\n".join(kaggle_csv(rows=40).splitlines()[1:]) + b"\n"
    with_corrupt = duplicated + b"2019-10-01 00:00:00 UTC,view,1,2,a,b,1.0,7\n"  # 8 fields
    source.write_bytes(gzipped(with_corrupt))  # 40 exact duplicates, which dedup must remove across parts
    ingested = ingest_month(
        month="2019-10", source=str(source), dest=str(tmp_path / "lake-a" / "raw"), part_size_mb=0.1,
        part_format=part_format, progress_bar=False,
    )  # fmt: skip
    assert ingested["parts"] >= 3

    from_parts = clean_batch(
        spark, [ingested["month_uri"]], Lake(str(tmp_path / "lake-a")), batch_id="2019-10"
    )
    from_file = clean_batch(spark, [str(source)], Lake(str(tmp_path / "lake-b")), batch_id="2019-10")

    assert from_parts.rows_read == from_file.rows_read == 3041
    assert from_parts.rows_valid == from_file.rows_valid == 3000
    events_path = contract.EVENTS.lake_path
    assert_df_equality(
        spark.read.parquet(str(tmp_path / "lake-a" / events_path)),
        spark.read.parquet(str(tmp_path / "lake-b" / events_path)),
        ignore_row_order=True,
    )


def test_a_quoted_rfc4180_field_reads_the_same_through_ingest_and_directly(spark, tmp_path):
    # the brand Acme, "Inc" written as an RFC 4180 field (doubled quotes); one raw reader, one answer
    source = tmp_path / "2019-Oct.csv"
    rows = [
        '2019-10-01 10:00:00 UTC,view,1,2,electronics,"Acme, ""Inc""",9.99,7,s-1',
        '2019-10-01 10:00:01 UTC,cart,1,2,electronics,"Acme, ""Inc""",9.99,7,s-1',
        '2019-10-01 10:00:02 UTC,view,1,2,"a,b",brand,-1,7,s-1',
        "2019-10-01 10:00:03 UTC,view,1,2,cut",
    ]
    source.write_text("\n".join([KAGGLE_HEADER, *rows]) + "\n")
    ingested = ingest_month(
        month="2019-10", source=str(source), dest=str(tmp_path / "a" / "raw"), progress_bar=False
    )
    lakes = Lake(str(tmp_path / "a")), Lake(str(tmp_path / "b"))
    clean_batch(spark, [ingested["month_uri"]], lakes[0], batch_id="2019-10", max_quarantine_share=1.0)
    clean_batch(spark, [str(source)], lakes[1], batch_id="2019-10", max_quarantine_share=1.0)

    events = [spark.read.parquet(lake.table_path(contract.EVENTS)) for lake in lakes]
    assert_df_equality(*events, ignore_row_order=True)
    assert {row.brand for row in events[1].collect()} == {'acme, "inc"'}
    quarantine = [spark.read.parquet(lake.table_path(contract.QUARANTINE)) for lake in lakes]
    assert_df_equality(*quarantine, ignore_row_order=True)
    assert sorted((row.reason, row.row_id, row.source_file) for row in quarantine[1].collect()) == [
        ("bad_price", 3, str(source)),
        ("malformed_row", 4, str(source)),
    ]
