# The warehouse: tables are created by `python -m spark_jobs load` from the table contract
# (spark_jobs/contract.py); Terraform owns only the dataset, its location and its access.
resource "google_bigquery_dataset" "warehouse" {
  # checkov:skip=CKV_GCP_81:Encrypted with Google-managed keys; a customer-managed key needs a Cloud KMS key ring this project does not create.
  dataset_id                 = var.bq_dataset
  project                    = var.project_id
  location                   = var.region
  friendly_name              = "Clickstream analytics"
  description                = "Clean e-commerce events, marts and the views Looker Studio reads (loaded monthly by the Kestra flows)."
  delete_contents_on_destroy = false
  labels                     = local.labels

  depends_on = [google_project_service.required]
}
