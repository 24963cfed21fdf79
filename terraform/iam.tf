# Two identities, each with only what its steps need, granted on the bucket or dataset itself
# wherever Google offers a resource-level grant. No owner/editor roles. Both accounts wait for the
# APIs (iam, cloudresourcemanager), so a first apply does not race their enabling.

# Kestra: runs `ingest` (writes raw/), submits and cancels the Dataproc batches, uploads the packaged
# job to staging, runs `load` (reads lake/, writes the dataset Terraform created).
resource "google_service_account" "kestra" {
  account_id   = "${var.name_prefix}-kestra"
  project      = var.project_id
  display_name = "Kestra orchestrator for the clickstream pipeline"

  depends_on = [google_project_service.required]
}

# Dataproc Serverless workloads: read raw/, write lake/, read the packaged job.
resource "google_service_account" "dataproc" {
  account_id   = "${var.name_prefix}-dataproc"
  project      = var.project_id
  display_name = "Dataproc Serverless batches of the clickstream pipeline"

  depends_on = [google_project_service.required]
}

# objectUser, not objectAdmin: create, read, overwrite and delete objects (ingest's parts and
# manifest, its _tmp/ leftovers, the staged job), without changing object ACLs or IAM.
resource "google_storage_bucket_iam_member" "kestra_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectUser"
  member = google_service_account.kestra.member
}

resource "google_storage_bucket_iam_member" "kestra_staging" {
  bucket = google_storage_bucket.staging.name
  role   = "roles/storage.objectUser"
  member = google_service_account.kestra.member
}

# dataEditor on the dataset only: tables, load staging tables and views inside it. `load` looks the
# dataset up and never needs bigquery.datasets.create (spark_jobs/warehouse/bigquery_loader.py).
resource "google_bigquery_dataset_iam_member" "kestra_warehouse" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.warehouse.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.kestra.member
}

# Jobs (loads, queries) and batches are project-level resources: these two grants cannot be
# narrowed to a bucket or dataset. serverlessEditor, not dataproc.editor: batches (create, get,
# cancel) and their operations, without clusters, jobs or workflow templates.
resource "google_project_iam_member" "kestra_project" {
  for_each = toset(["roles/bigquery.jobUser", "roles/dataproc.serverlessEditor"])

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

# What Dataproc Serverless requires of a batch's service account. roles/dataproc.worker also holds
# object read/write (storage.objects.*) at project level, i.e. on every bucket of the project
# (`gcloud iam roles describe roles/dataproc.worker` lists it): while it is granted, the two bucket
# grants below are not the boundary, the project is. Keep the pipeline in a project of its own, or
# set dataproc_worker_role to a custom role without storage permissions; then the bucket grants are
# the batches' only storage access, and they are exactly what the job needs.
resource "google_project_iam_member" "dataproc_worker" {
  project = var.project_id
  role    = var.dataproc_worker_role
  member  = google_service_account.dataproc.member
}

resource "google_storage_bucket_iam_member" "dataproc_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectUser"
  member = google_service_account.dataproc.member
}

resource "google_storage_bucket_iam_member" "dataproc_staging" {
  bucket = google_storage_bucket.staging.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.dataproc.member
}
