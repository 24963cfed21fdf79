"""Servers started by test fixtures: a fault-injecting HTTP file server, fake-gcs-server, the BigQuery
emulator, and a stand-in for the Dataproc batches API (the one mock: Dataproc cannot run here)."""
