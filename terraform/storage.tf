# The data lake: raw/ (source files, written by `ingest`) and lake/ (Spark outputs BigQuery loads).
resource "google_storage_bucket" "lake" {
  # checkov:skip=CKV_GCP_62:Access logs to another bucket are left out to keep the project small; Cloud Audit Logs record who changed what.
  # checkov:skip=CKV_GCP_78:Versioning would keep every partition Spark rewrites (copy + delete) for weeks; lake/ is recomputed from raw/, raw/ can be ingested again, and soft delete keeps deleted objects restorable (README: storage costs).
  name                        = local.lake_bucket_name
  project                     = var.project_id
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  # Deleted and overwritten objects stay restorable this long, at the live object's price.
  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_retention_days * 86400
  }

  # Off by default: every reprocessing (`--force`, a changed cleaning rule) reads raw/ again, and
  # colder classes charge retrieval and early deletion (README: storage costs).
  dynamic "lifecycle_rule" {
    for_each = var.raw_archive_after_days > 0 ? [var.raw_archive_after_days] : []
    content {
      condition {
        age            = lifecycle_rule.value
        matches_prefix = ["${var.raw_prefix}/"]
        with_state     = "LIVE"
      }
      action {
        type          = "SetStorageClass"
        storage_class = var.raw_archive_storage_class
      }
    }
  }

  # The one rule that deletes live objects: what an ingest run that was killed left under raw/_tmp/
  # (parts uploaded before publishing, its lock). A run publishes a month in minutes, and a lock is
  # taken over after 15 minutes, so nothing in use is ever a day old.
  lifecycle_rule {
    condition {
      age            = 1
      matches_prefix = ["${var.raw_prefix}/_tmp/"]
      with_state     = "LIVE"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
}

# Per-run copies of the packaged job (artifacts/<execution id>/) for Dataproc batches.
resource "google_storage_bucket" "staging" {
  # checkov:skip=CKV_GCP_62:Staging holds short-lived copies of the packaged job; access logs would cost more than they tell.
  # checkov:skip=CKV_GCP_78:Every run uploads its artifacts under a new prefix and they expire after artifact_retention_days; versions would only keep garbage.
  name                        = local.staging_bucket_name
  project                     = var.project_id
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = local.labels

  # Per-run copies that the rule below deletes anyway: nothing to restore.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  lifecycle_rule {
    condition {
      age = var.artifact_retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
}
