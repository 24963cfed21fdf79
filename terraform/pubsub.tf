# Fresh data on GCP: a collector publishes one JSON object per event (the nine Kaggle fields) to the
# topic; a Cloud Storage subscription batches the messages into newline-delimited JSON files under
# the landing prefix of the lake bucket, which `stream` (the micro_batch flow) processes. No code of
# ours runs between the collector and the landing zone.

resource "google_project_service" "pubsub" {
  project            = var.project_id
  service            = "pubsub.googleapis.com"
  disable_on_destroy = false
}

data "google_project" "current" {
  project_id = var.project_id
}

locals {
  # Pub/Sub writes Cloud Storage subscription files as its service agent.
  pubsub_service_agent  = "serviceAccount:service-${data.google_project.current.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  landing_object_prefix = "${var.lake_prefix}/${var.landing_folder}/"
}

resource "google_pubsub_topic" "events" {
  # checkov:skip=CKV_GCP_83:Google-managed encryption keys, like the buckets and the dataset; a CMEK would need a KMS key ring this project does not create.
  name                       = "${var.name_prefix}-events"
  project                    = var.project_id
  labels                     = local.labels
  message_retention_duration = "${var.events_topic_retention_hours * 3600}s"

  depends_on = [google_project_service.pubsub]
}

resource "google_pubsub_subscription" "landing" {
  name    = "${var.name_prefix}-landing"
  project = var.project_id
  topic   = google_pubsub_topic.events.id
  labels  = local.labels

  # A file is finished after landing_file_seconds or landing_file_max_bytes, whichever comes first;
  # Cloud Storage makes an object visible only once it is complete, so `stream` never reads half a file.
  ack_deadline_seconds       = 600
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = "" # never expires, however quiet the shop
  }

  cloud_storage_config {
    bucket          = google_storage_bucket.lake.name
    filename_prefix = local.landing_object_prefix
    filename_suffix = ".json"
    max_duration    = "${var.landing_file_seconds}s"
    max_bytes       = var.landing_file_max_bytes
  }

  depends_on = [
    google_storage_bucket_iam_member.pubsub_landing_writer,
    google_storage_bucket_iam_member.pubsub_landing_bucket_reader,
  ]
}

# What the Pub/Sub service agent needs on the bucket to write subscription files (Google's
# Cloud Storage subscription prerequisites): create objects and read the bucket's metadata.
resource "google_storage_bucket_iam_member" "pubsub_landing_writer" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectCreator"
  member = local.pubsub_service_agent

  depends_on = [google_project_service.pubsub]
}

resource "google_storage_bucket_iam_member" "pubsub_landing_bucket_reader" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.legacyBucketReader"
  member = local.pubsub_service_agent

  depends_on = [google_project_service.pubsub]
}

# Who may publish events (the collector's identity), granted on the topic only.
resource "google_pubsub_topic_iam_member" "publishers" {
  for_each = toset(var.event_publishers)

  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = each.value
}
