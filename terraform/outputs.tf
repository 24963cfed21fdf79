# Each output is one KV entry of the Kestra namespace `clickstream`: the flow `setup_kv` copies
# `terraform output -json` into the KV store under these exact names, and the flows read them with
# kv('<name>'). tests/test_terraform.py fails when a flow reads a key that is not an output here.

output "gcp_project_id" {
  description = "Project of every resource."
  value       = var.project_id
}

output "gcp_region" {
  description = "Region of the buckets, the dataset and the Dataproc batches."
  value       = var.region
}

output "lake_bucket" {
  description = "Name of the data-lake bucket."
  value       = google_storage_bucket.lake.name
}

output "raw_root" {
  description = "Where `ingest` writes the source months (gs://<lake bucket>/<raw_prefix>)."
  value       = "gs://${google_storage_bucket.lake.name}/${var.raw_prefix}"
}

output "lake_root" {
  description = "Lake root of the Spark jobs and the BigQuery loads (gs://<lake bucket>/<lake_prefix>)."
  value       = "gs://${google_storage_bucket.lake.name}/${var.lake_prefix}"
}

output "staging_bucket" {
  description = "Bucket for the packaged job uploaded by the process flow."
  value       = google_storage_bucket.staging.name
}

output "bq_dataset" {
  description = "BigQuery dataset of the warehouse tables and views."
  value       = google_bigquery_dataset.warehouse.dataset_id
}

output "bq_location" {
  description = "Location of the BigQuery dataset (load jobs run there)."
  value       = google_bigquery_dataset.warehouse.location
}

output "dataproc_service_account" {
  description = "Identity the Dataproc batches run as."
  value       = google_service_account.dataproc.email
}

output "dataproc_subnetwork_uri" {
  description = "Subnetwork (with Private Google Access) of the Dataproc batches."
  value       = google_compute_subnetwork.dataproc.self_link
}

output "dataproc_runtime_version" {
  description = "Dataproc Serverless runtime version of the batches."
  value       = var.dataproc_runtime_version
}

output "kestra_service_account" {
  description = "Identity Kestra uses; its credential (a key-less workload identity configuration, or a key) goes into the Kestra secret GCP_SERVICE_ACCOUNT_JSON (README, Deploy on Google Cloud)."
  value       = google_service_account.kestra.email
}

output "landing_root" {
  description = "Where event files land and `stream --landing` reads (gs://<lake bucket>/<lake_prefix>/<landing_folder>)."
  value       = "gs://${google_storage_bucket.lake.name}/${local.landing_object_prefix}"
}

output "events_topic" {
  description = "Pub/Sub topic a collector publishes events to (one JSON object with the nine Kaggle fields per message)."
  value       = google_pubsub_topic.events.id
}

output "landing_subscription" {
  description = "Cloud Storage subscription that writes the topic's messages into the landing folder."
  value       = google_pubsub_subscription.landing.id
}
