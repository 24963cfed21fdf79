# Two identities, each with only what its steps need, granted on the bucket or dataset itself
# wherever Google offers a resource-level grant. No owner/editor roles.

# Kestra: runs `ingest` (writes raw/), submits the Dataproc batches, uploads the packaged job to
# staging, runs `load` (reads lake/, writes the dataset).
resource "google_service_account" "kestra" {
  account_id   = "${var.name_prefix}-kestra"
  project      = var.project_id
  display_name = "Kestra orchestrator for the clickstream pipeline"
}

# Dataproc Serverless workloads: read raw/, write lake/, read the packaged job.
resource "google_service_account" "dataproc" {
  account_id   = "${var.name_prefix}-dataproc"
  project      = var.project_id
  display_name = "Dataproc Serverless batches of the clickstream pipeline"
}

resource "google_storage_bucket_iam_member" "kestra_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.kestra.member
}

resource "google_storage_bucket_iam_member" "kestra_staging" {
  bucket = google_storage_bucket.staging.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.kestra.member
}

resource "google_bigquery_dataset_iam_member" "kestra_warehouse" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.warehouse.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.kestra.member
}

# Jobs (loads, queries) and batches are project-level resources: these two grants cannot be
# narrowed to a bucket or dataset.
resource "google_project_iam_member" "kestra_project" {
  for_each = toset(["roles/bigquery.jobUser", "roles/dataproc.editor"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.kestra.member
}

# Kestra may start batches that run as the Dataproc identity, and only as that one.
resource "google_service_account_iam_member" "kestra_acts_as_dataproc" {
  service_account_id = google_service_account.dataproc.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.kestra.member
}

resource "google_project_iam_member" "dataproc_worker" {
  project = var.project_id
  role    = "roles/dataproc.worker"
  member  = google_service_account.dataproc.member
}

resource "google_storage_bucket_iam_member" "dataproc_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.dataproc.member
}

resource "google_storage_bucket_iam_member" "dataproc_staging" {
  bucket = google_storage_bucket.staging.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.dataproc.member
}
