"""Ingest from a real HTTP server on 127.0.0.1 that injects network and content failures.

The destination is a local folder; what lands there (or that nothing does) is the observable result.
"""

from __future__ import annotations

import json
import os

import pytest
from servers.month_data import data_lines, gzipped, kaggle_csv, month_lines

from spark_jobs.errors import UserError
from spark_jobs.ingest.download import RetryPolicy
from spark_jobs.ingest.job import ingest_month

pytestmark = pytest.mark.integration

CSV = kaggle_csv(rows=4000)
GZ = gzipped(CSV)
FAST_RETRY = RetryPolicy(attempts=4, backoff_s=0.01, timeout_s=10)


def ingest(url: str, dest, **options) -> dict:
    options.setdefault("part_size_mb", 0.1)
    return ingest_month(
        month="2019-10", source=url, dest=str(dest), retry=FAST_RETRY, progress_bar=False, **options
    )


def stored_month(dest) -> tuple[dict, list[bytes]]:
    folder = os.path.join(dest, "year=2019", "month=10")
    with open(os.path.join(folder, "_manifest.json")) as file:
        manifest = json.load(file)
    parts = []
    for entry in manifest["parts"]:
        with open(os.path.join(folder, entry["name"]), "rb") as file:
            parts.append(file.read())
    return manifest, parts


def assert_nothing_published(dest) -> None:
    year = os.path.join(dest, "year=2019")
    assert not os.path.exists(year) or os.listdir(year) == []


def test_a_month_downloaded_over_http_is_stored_as_parquet_parts(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ)

    summary = ingest(url, tmp_path)

    manifest, parts = stored_month(tmp_path)
    assert summary == {"status": "ingested", "month_uri": str(tmp_path / "year=2019/month=10"), "rows": 4000,
                       "parts": len(parts)}  # fmt: skip
    assert len(parts) > 2
    assert all(entry["name"].endswith(".parquet") for entry in manifest["parts"])
    assert month_lines(parts) == data_lines(CSV)
    assert manifest["source"] == {"uri": url, "bytes": len(GZ), "gzip": True}
    assert manifest["rows"] == 4000 == sum(entry["rows"] for entry in manifest["parts"])


def test_a_dropped_connection_is_resumed_with_a_range_request(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ)
    http_files.faults.drop_after, http_files.faults.drops = 20_000, 1

    ingest(url, tmp_path)

    assert [request["range"] for request in http_files.requests] == [None, "bytes=20000-"]
    assert month_lines(stored_month(tmp_path)[1]) == data_lines(CSV)


def test_without_range_support_the_download_restarts_and_skips_what_it_already_had(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ)
    http_files.faults.ranges = False
    http_files.faults.drop_after, http_files.faults.drops = 20_000, 1

    ingest(url, tmp_path)

    assert len(http_files.requests) == 2  # the second one was answered 200 with the whole file
    assert month_lines(stored_month(tmp_path)[1]) == data_lines(CSV)


def test_server_errors_are_retried_until_the_server_recovers(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ)
    http_files.faults.fail_first = 2

    ingest(url, tmp_path)

    assert len(http_files.requests) == 3
    assert month_lines(stored_month(tmp_path)[1]) == data_lines(CSV)


def test_persistent_server_errors_give_up_with_the_url_and_publish_nothing(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ)
    http_files.faults.fail_first = 100

    with pytest.raises(UserError, match=r"2019-Oct.csv.gz: giving up after 4 failed attempts: HTTP 500"):
        ingest(url, tmp_path)

    assert len(http_files.requests) == 4
    assert_nothing_published(tmp_path)


def test_a_body_shorter_than_content_length_is_an_error_after_retries(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ)
    http_files.faults.truncate_at = len(GZ) // 2

    with pytest.raises(UserError, match=rf"giving up after 4 failed attempts: .*{len(GZ) // 2:,}"):
        ingest(url, tmp_path)

    assert_nothing_published(tmp_path)


def test_a_truncated_gzip_file_is_rejected_and_nothing_is_published(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", GZ[: len(GZ) // 2])  # complete download of a broken file

    with pytest.raises(UserError, match=r"truncated or corrupt gzip data"):
        ingest(url, tmp_path)

    assert_nothing_published(tmp_path)


def test_a_file_without_the_kaggle_header_is_rejected(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", gzipped(b"time,type,product\n2019-10-01,view,1\n"))

    with pytest.raises(UserError, match=r"header is not the Kaggle header .*got 'time,type,product'"):
        ingest(url, tmp_path)

    assert_nothing_published(tmp_path)


def test_an_html_page_served_with_status_200_is_rejected(http_files, tmp_path):
    url = http_files.serve("/2019-Oct.csv.gz", b"<!DOCTYPE html><html>Please log in</html>", "text/html")

    with pytest.raises(UserError, match=r"answered 200 with an HTML page \(text/html\), not a CSV file"):
        ingest(url, tmp_path)

    assert_nothing_published(tmp_path)


def test_an_html_page_with_a_binary_content_type_is_recognised_by_its_content(http_files, tmp_path):
    url = http_files.serve(
        "/2019-Oct.csv.gz", b"<!DOCTYPE html>\n<html>Please log in</html>\n", "application/gzip"
    )

    with pytest.raises(UserError, match=r"is an HTML page, not a CSV file"):
        ingest(url, tmp_path)

    assert_nothing_published(tmp_path)


def test_404_for_a_rees46_month_names_the_url_and_the_valid_months(http_files, tmp_path):
    http_files.serve("/2019-Oct.csv.gz", GZ)  # the server has October only

    with pytest.raises(UserError) as raised:
        ingest_month(month="2019-12", source="rees46", base_url=http_files.base_url, dest=str(tmp_path),
                     retry=FAST_RETRY)  # fmt: skip

    assert str(raised.value) == (
        f"{http_files.base_url}/2019-Dec.csv.gz: 404 Not Found; "
        "valid months: 2019-10, 2019-11, 2019-12, 2020-01, 2020-02, 2020-03, 2020-04"
    )


def test_rees46_is_read_from_the_configured_base_url(http_files, tmp_path):
    http_files.serve("/datasets/2019-Oct.csv.gz", GZ)

    summary = ingest_month(month="2019-10", source="rees46", base_url=http_files.url("/datasets/"),
                           dest=str(tmp_path), retry=FAST_RETRY)  # fmt: skip

    assert summary["rows"] == 4000
    assert http_files.requests[0]["path"] == "/datasets/2019-Oct.csv.gz"
