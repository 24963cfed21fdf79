"""Real REES46 rows (../shared/data/real, never committed) through ingest and through the direct path.

The expected figures were counted independently of Spark (Python's csv module and the contract's
rules) and agree with the folder's README: 17,434 rows + 1 cut line (CRLF), 683 November rows, the
cosmetics shop's remove_from_cart events and about 5.6% exact duplicates, 10 empty sessions in
December. The bundled sample is checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from real_data import (
    COSMETICS_DEC,
    COSMETICS_DEC_INDEXED,
    COSMETICS_OCT,
    COSMETICS_OCT_INDEXED,
    MULTI_NOV_DERIVED,
    MULTI_NOV_NO_HEADER,
    MULTI_OCT_CRLF_CUT,
    real_file,
)

from spark_jobs import contract
from spark_jobs.errors import UserError
from spark_jobs.ingest.job import ingest_month
from spark_jobs.jobs import clean_batch
from spark_jobs.lake import Lake

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "2019-Oct-sample.csv.gz"


@dataclass(frozen=True)
class Expected:
    month: str
    rows_read: int
    rows_valid: int
    duplicates: int
    quarantined: dict[str, int]
    events: dict[str, int]


CASES = {
    "multi-2019-10-crlf-cut-last-line": (
        lambda: real_file(MULTI_OCT_CRLF_CUT),
        Expected("2019-10", 17435, 17429, 5, {"malformed_row": 1}, {"view": 17051, "cart": 164, "purchase": 214}),
    ),
    "multi-2019-11-with-header": (
        lambda: real_file(MULTI_NOV_DERIVED),
        Expected("2019-11", 683, 683, 0, {}, {"view": 678, "cart": 3, "purchase": 2}),
    ),
    "cosmetics-2019-10": (
        lambda: real_file(COSMETICS_OCT),
        Expected(
            "2019-10", 22283, 21041, 1242, {},
            {"view": 9371, "cart": 6482, "remove_from_cart": 3468, "purchase": 1720},
        ),
    ),
    "cosmetics-2019-12": (
        lambda: real_file(COSMETICS_DEC),
        Expected(
            "2019-12", 20286, 19079, 1197, {"missing_session": 10},
            {"view": 9050, "cart": 5560, "remove_from_cart": 3123, "purchase": 1346},
        ),
    ),
    "bundled-sample": (
        lambda: SAMPLE,
        Expected(
            "2019-10", 30001, 29924, 60,
            {"malformed_row": 3, **dict.fromkeys(
                ("bad_event_time", "bad_event_type", "bad_product_id", "bad_category_id", "bad_price",
                 "bad_user_id", "missing_session"), 2)},
            {"view": 28499, "cart": 895, "purchase": 530},
        ),
    ),
}  # fmt: skip


def clean_through(spark, path: str, source: Path, month: str, lake: Lake):
    if path == "ingest":
        ingested = ingest_month(month=month, source=str(source), dest=lake.path("raw"), progress_bar=False)
        inputs = [ingested["month_uri"]]
    else:
        inputs = [str(source)]
    return clean_batch(spark, inputs, lake, batch_id=month, max_quarantine_share=1.0)


@pytest.mark.parametrize("path", ["ingest", "direct"])
@pytest.mark.parametrize("case", list(CASES))
def test_real_rows_give_the_exact_counts(spark, tmp_path, case, path):
    locate, expected = CASES[case]
    lake = Lake(str(tmp_path / "lake"))
    report = clean_through(spark, path, locate(), expected.month, lake)
    assert (report.rows_read, report.rows_valid, report.duplicates_removed) == (
        expected.rows_read,
        expected.rows_valid,
        expected.duplicates,
    )
    assert report.quarantined_by_reason == expected.quarantined
    events = spark.read.parquet(lake.table_path(contract.EVENTS)).groupBy("event_type").count().collect()
    assert {row["event_type"]: row["count"] for row in events} == expected.events
    assert report.months == [expected.month]


@pytest.mark.parametrize("path", ["ingest", "direct"])
def test_the_november_file_without_a_header_is_refused_saying_so(spark, tmp_path, path):
    source = real_file(MULTI_NOV_NO_HEADER)
    with pytest.raises(UserError, match=r"has no header line \(its first line is a data row: '2019-11-01 "):
        clean_through(spark, path, source, "2019-11", Lake(str(tmp_path / "lake")))


@pytest.mark.parametrize("path", ["ingest", "direct"])
@pytest.mark.parametrize("name", [COSMETICS_OCT_INDEXED, COSMETICS_DEC_INDEXED])
def test_a_file_saved_with_its_pandas_index_is_refused_saying_how_to_fix_it(spark, tmp_path, path, name):
    with pytest.raises(UserError, match=r"has an extra first column .* pandas index .* cut -d, -f2-"):
        clean_through(spark, path, real_file(name), "2019-10", Lake(str(tmp_path / "lake")))
