"""gs:// from a local Spark session (engine=local on the Kestra worker): the connector jar and the key.

No real GCS here: these check the session settings gcs_conf() gives for each kind of credential file.
Reading and writing gs:// through the same connector runs against fake-gcs-server in test_e2e_cloud.py.
"""

from __future__ import annotations

import json
import logging

from spark_jobs import gcs_connector

KEYFILE = "spark.hadoop.google.cloud.auth.service.account.json.keyfile"


def credential(tmp_path, kind: str):
    path = tmp_path / "gcp-credentials.json"
    path.write_text(json.dumps({"type": kind, "client_email": "kestra@demo.iam.gserviceaccount.com"}))
    return path


def test_a_service_account_key_is_the_connectors_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    key = credential(tmp_path, "service_account")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))

    conf = gcs_connector.gcs_conf()

    assert conf["spark.jars"].endswith(".jar") and "gcs-connector" in conf["spark.jars"]
    assert conf[KEYFILE] == str(key)
    assert conf["spark.hadoop.fs.gs.auth.service.account.json.keyfile"] == str(key)


def test_without_a_credential_file_the_connector_asks_the_metadata_server(monkeypatch):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)

    conf = gcs_connector.gcs_conf()

    assert KEYFILE not in conf and "spark.hadoop.fs.gs.auth.service.account.enable" not in conf


def test_a_credential_the_connector_cannot_read_is_not_passed_and_is_named(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credential(tmp_path, "external_account")))

    with caplog.at_level(logging.WARNING, logger="spark_jobs.gcs"):
        conf = gcs_connector.gcs_conf()

    assert KEYFILE not in conf
    assert "holds an external_account credential" in caplog.text


def test_the_emulator_gets_no_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credential(tmp_path, "service_account")))

    conf = gcs_connector.gcs_conf(emulator="http://127.0.0.1:4443")

    assert KEYFILE not in conf and conf["spark.hadoop.fs.gs.auth.null.enable"] == "true"
