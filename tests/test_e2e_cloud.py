"""The cloud chain end to end: what Kestra's monthly_pipeline runs, in its order, against real emulators.

A generated month is served by a real HTTP server on 127.0.0.1; `ingest` puts it into fake-gcs-server,
`run` (Spark, through the GCS connector) writes the lake into the same emulator, and `load` loads it into
the BigQuery emulator, whose views are then queried. The commands are rendered from the flows themselves
(tests/kestra_commands.py), so a flow change that breaks the chain breaks this test.

Limits, said plainly: Kestra itself cannot run here (no server), so the flows' own plumbing is not
exercised; nor can Dataproc, so the batch's command (what `dataproc-submit` sends after `--`) runs in
this test's Spark session (the submission is tested against a stand-in API in test_dataproc_submit.py); and the BigQuery emulator cannot read gs:// through the GCS API, so before `load` the test copies
the lake's objects from fake-gcs-server into the emulator's local gs:// folder (the bytes BigQuery would
read), and passes `--api-endpoint` to point the client at the emulator.
"""

from __future__ import annotations

import pytest
from kestra_commands import pipeline_commands
from servers.gcs import gcs_client, new_bucket

from spark_jobs import contract
from spark_jobs.cli import main
from spark_jobs.generate import write_month

MONTH = "2019-10"
EMULATOR_KEYS = {
    "fs.gs.auth.null.enable": "true",
    "fs.gs.auth.service.account.enable": "false",
    "fs.gs.project.id": "test",
}

pytestmark = pytest.mark.integration


@pytest.fixture
def spark_on_fake_gcs(classic_spark, fake_gcs):
    """The shared classic session's gs:// pointed at the emulator for this test, then restored."""
    spark = classic_spark
    hadoop = spark.sparkContext._jsc.hadoopConfiguration()
    keys = {**EMULATOR_KEYS, "fs.gs.storage.root.url": fake_gcs}
    previous = {key: hadoop.get(key) for key in keys}
    for key, value in keys.items():
        hadoop.set(key, value)
    yield spark
    for key, value in previous.items():
        hadoop.unset(key) if value is None else hadoop.set(key, value)


def mirror_bucket_prefix(bucket: str, prefix: str, local_root) -> None:
    """Copy gs://bucket/prefix/** from fake-gcs-server into the BigQuery emulator's local gs:// folder."""
    for blob in gcs_client().list_blobs(bucket, prefix=prefix):
        if blob.name.endswith("/"):  # the GCS connector's folder markers
            continue
        target = local_root / bucket / blob.name
        target.parent.mkdir(parents=True, exist_ok=True)
        blob.download_to_filename(str(target))


def test_the_monthly_pipeline_commands_ingest_process_and_load_a_month(
    tmp_path, http_files, spark_on_fake_gcs, bigquery_emulator, bigquery_client, new_dataset
):
    generated = write_month(str(tmp_path / "2019-Oct.csv.gz"), rows=3000, month=MONTH, seed=7, bad_rows=8)
    url = http_files.serve("/2019-Oct.csv.gz", (tmp_path / "2019-Oct.csv.gz").read_bytes())
    bucket = new_bucket("e2e")
    kv = {
        "raw_root": f"gs://{bucket}/raw",
        "lake_root": f"gs://{bucket}/lake",
        "gcp_project_id": bigquery_emulator.project,
        "bq_dataset": new_dataset,
        "bq_location": "US",
        # rendered into the Dataproc submit line, whose batch command this test runs locally instead
        "gcp_region": "europe-west1",
        "staging_bucket": f"{bucket}-staging",
        "dataproc_runtime_version": "2.2",
        "dataproc_service_account": "dataproc@test.iam.gserviceaccount.com",
        "dataproc_subnetwork_uri": "projects/test/regions/europe-west1/subnetworks/dataproc",
    }
    commands = pipeline_commands(MONTH, kv, engine="dataproc", source=url)
    assert [argv[0] for argv in commands] == ["ingest", "run", "load"]

    for argv in commands:
        argv = list(argv)
        if argv[0] == "load":
            mirror_bucket_prefix(bucket, "lake/", bigquery_emulator.gcs_local_root)
            argv += ["--api-endpoint", bigquery_emulator.endpoint, "--timeout", "120"]
        assert main(argv) == 0, argv

    expected_events = 3000 - 8 - generated.duplicates
    lake_events = spark_on_fake_gcs.read.parquet(f"gs://{bucket}/lake/{contract.EVENTS.lake_path}")
    assert lake_events.count() == expected_events
    purchases = lake_events.where("event_type = 'purchase'").count()

    rows = bigquery_client.query(
        f"SELECT COUNT(*) AS days, SUM(purchases) AS purchases, SUM(views) AS views "
        f"FROM `{new_dataset}.v_daily_kpis`",
        timeout=60,
    ).result(timeout=60)
    kpis = next(iter(rows))
    assert (kpis["days"], kpis["purchases"]) == (31, purchases)
    assert kpis["views"] == lake_events.where("event_type = 'view'").count()
