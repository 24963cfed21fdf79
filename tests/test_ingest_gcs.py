"""Ingest into gs:// on a real fake-gcs-server: upload, skip, --force, concurrency, failures.

fake-gcs-server enforces `if_generation_match` on uploads (the lock and the manifest) but not on
server-side copies, so the concurrency guarantee shown here rests on the lock object.
"""

from __future__ import annotations

import json

import pytest
from servers.concurrency import run_in_threads
from servers.gcs import gcs_client, new_bucket
from servers.month_data import data_lines, gzipped, kaggle_csv, month_lines

from spark_jobs.errors import UserError
from spark_jobs.ingest.download import RetryPolicy
from spark_jobs.ingest.gcs_store import GcsStore
from spark_jobs.ingest.job import ingest_month

pytestmark = pytest.mark.integration

CSV = kaggle_csv(rows=3000)
MONTH_PREFIX = "raw/year=2019/month=10/"


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "2019-Oct.csv.gz"
    path.write_bytes(gzipped(CSV))
    return str(path)


@pytest.fixture
def bucket(fake_gcs):
    return new_bucket("ingest")


def ingest(source: str, bucket: str, **options) -> dict:
    options.setdefault("part_size_mb", 0.05)
    return ingest_month(
        month="2019-10", source=source, dest=f"gs://{bucket}/raw", progress_bar=False, **options
    )


def objects(bucket: str) -> dict[str, object]:
    return {blob.name: blob for blob in gcs_client().list_blobs(bucket)}


def stored_month(bucket: str) -> tuple[dict, list[bytes]]:
    client = gcs_client()
    manifest = json.loads(client.bucket(bucket).blob(MONTH_PREFIX + "_manifest.json").download_as_bytes())
    parts = [
        client.bucket(bucket).blob(MONTH_PREFIX + entry["name"]).download_as_bytes()
        for entry in manifest["parts"]
    ]
    return manifest, parts


def test_a_month_is_uploaded_as_parts_with_the_manifest_written_last(source, bucket):
    summary = ingest(source, bucket)

    manifest, parts = stored_month(bucket)
    assert summary["month_uri"] == f"gs://{bucket}/raw/year=2019/month=10"
    assert sorted(objects(bucket)) == sorted(
        [MONTH_PREFIX + "_manifest.json", *(MONTH_PREFIX + entry["name"] for entry in manifest["parts"])]
    )
    assert len(parts) >= 3
    assert month_lines(parts) == data_lines(CSV)
    assert manifest["rows"] == 3000
    manifest_blob = objects(bucket)[MONTH_PREFIX + "_manifest.json"]
    for entry in manifest["parts"]:
        blob = objects(bucket)[MONTH_PREFIX + entry["name"]]
        assert (blob.md5_hash, blob.crc32c, blob.size) == (entry["md5"], entry["crc32c"], entry["bytes"])
        assert blob.time_created <= manifest_blob.time_created
        assert blob.content_type == "application/vnd.apache.parquet"


def test_csv_parts_are_uploaded_with_the_header_when_asked_for(source, bucket):
    ingest(source, bucket, part_format="csv")

    manifest, parts = stored_month(bucket)
    assert manifest["format"] == "csv"
    assert all(entry["name"].endswith(".csv.gz") for entry in manifest["parts"])
    assert month_lines(parts) == data_lines(CSV)
    assert ingest(source, bucket, part_format="csv")["status"] == "skipped"


def test_a_rerun_is_skipped_when_the_stored_checksums_match(source, bucket):
    ingest(source, bucket)
    generations = {name: blob.generation for name, blob in objects(bucket).items()}

    summary = ingest(source, bucket)

    assert summary["status"] == "skipped"
    assert {name: blob.generation for name, blob in objects(bucket).items()} == generations


def test_force_replaces_every_object_of_the_month(source, bucket, tmp_path):
    ingest(source, bucket)
    other = tmp_path / "other.csv"
    other.write_bytes(kaggle_csv(rows=10, seed=99))

    summary = ingest(str(other), bucket, force=True)

    manifest, parts = stored_month(bucket)
    assert summary["status"] == "ingested"
    assert manifest["rows"] == 10
    assert month_lines(parts) == data_lines(kaggle_csv(rows=10, seed=99))
    assert sorted(objects(bucket)) == [MONTH_PREFIX + "_manifest.json", MONTH_PREFIX + "part-00000.parquet"]


def test_leftover_parts_without_a_manifest_are_replaced(source, bucket):
    stray = gcs_client().bucket(bucket).blob(MONTH_PREFIX + "part-00042.csv.gz")
    stray.upload_from_string(b"from a run that was killed while publishing")

    assert ingest(source, bucket)["status"] == "ingested"
    assert MONTH_PREFIX + "part-00042.csv.gz" not in objects(bucket)


def test_two_concurrent_runs_leave_one_complete_month(source, bucket):
    results, errors = run_in_threads(lambda: ingest(source, bucket))

    assert errors == []
    assert [result["rows"] for result in results] == [3000, 3000]
    manifest, parts = stored_month(bucket)
    assert month_lines(parts) == data_lines(CSV)
    assert sorted(objects(bucket)) == sorted(
        [MONTH_PREFIX + "_manifest.json", *(MONTH_PREFIX + entry["name"] for entry in manifest["parts"])]
    )


def test_a_failed_run_leaves_nothing_in_the_bucket(bucket, tmp_path):
    broken = tmp_path / "2019-Oct.csv.gz"
    broken.write_bytes(gzipped(CSV)[:5000])

    with pytest.raises(UserError, match="truncated or corrupt gzip data"):
        ingest(str(broken), bucket)

    assert objects(bucket) == {}


def test_a_failed_forced_run_keeps_the_month_that_was_there(source, bucket, tmp_path):
    ingest(source, bucket)
    before = {name: blob.generation for name, blob in objects(bucket).items()}
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzipped(CSV)[:5000])

    with pytest.raises(UserError):
        ingest(str(broken), bucket, force=True)

    assert {name: blob.generation for name, blob in objects(bucket).items()} == before


def test_a_lock_left_by_a_killed_run_is_taken_over_once_stale(bucket):
    lock_name = "raw/_tmp/locks/year=2019-month=10.lock"
    gcs_client().bucket(bucket).blob(lock_name).upload_from_string(b"{}")
    store = GcsStore(f"gs://{bucket}/raw", client=gcs_client(), lock_stale_s=0.0, lock_poll_s=0.01)

    with store._lock(2019, 10):
        holder = json.loads(gcs_client().bucket(bucket).blob(lock_name).download_as_bytes())
        assert set(holder) == {"host", "pid", "at"}

    assert objects(bucket) == {}


def test_a_month_downloaded_over_a_flaky_connection_lands_complete_in_gcs(http_files, bucket):
    url = http_files.serve("/2019-Oct.csv.gz", gzipped(CSV))
    http_files.faults.fail_first = 1
    http_files.faults.drop_after, http_files.faults.drops = 10_000, 1

    ingest(url, bucket, retry=RetryPolicy(attempts=4, backoff_s=0.01, timeout_s=10))

    manifest, parts = stored_month(bucket)
    assert manifest["source"]["uri"] == url
    assert month_lines(parts) == data_lines(CSV)
    assert [request["range"] for request in http_files.requests] == [None, None, "bytes=10000-"]
