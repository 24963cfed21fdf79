# Every name and location the pipeline uses is defined here once. outputs.tf exposes them, the
# Kestra flow `setup_kv` copies the outputs into the KV store, and the flows read them with kv().

variable "project_id" {
  description = "Google Cloud project that holds the lake, the warehouse and the Dataproc workloads."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the buckets, the BigQuery dataset, the subnetwork and the Dataproc batches (one region keeps loads and Spark I/O free of cross-region traffic)."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1 or us-central1."
  }
}

variable "name_prefix" {
  description = "Prefix of bucket, service account and network names; buckets are named <project_id>-<name_prefix>-lake and -staging."
  type        = string
  default     = "clickstream"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,17}$", var.name_prefix))
    error_message = "name_prefix must be 3-18 lowercase letters, digits or hyphens, starting with a letter (service account ids are limited to 30 characters)."
  }
}

variable "raw_prefix" {
  description = "Folder of the lake bucket where `ingest` writes the monthly source files (raw/year=YYYY/month=MM/)."
  type        = string
  default     = "raw"

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.raw_prefix))
    error_message = "raw_prefix must be one folder name without slashes."
  }
}

variable "lake_prefix" {
  description = "Folder of the lake bucket that is the lake root for the Spark jobs (clean events, quarantine, quality, marts); BigQuery loads read from it."
  type        = string
  default     = "lake"

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.lake_prefix))
    error_message = "lake_prefix must be one folder name without slashes."
  }
}

variable "raw_archive_after_days" {
  description = "Age in days after which raw source files move to raw_archive_storage_class; 0 (the default) keeps them in STANDARD, because every reprocessing reads them again (README: Deploy on Google Cloud, storage costs)."
  type        = number
  default     = 0

  validation {
    condition     = var.raw_archive_after_days >= 0 && var.raw_archive_after_days <= 3650
    error_message = "raw_archive_after_days must be between 0 (never) and 3650."
  }
}

variable "raw_archive_storage_class" {
  description = "Storage class raw files move to after raw_archive_after_days (when that is above 0)."
  type        = string
  default     = "NEARLINE"

  validation {
    condition     = contains(["NEARLINE", "COLDLINE", "ARCHIVE"], var.raw_archive_storage_class)
    error_message = "raw_archive_storage_class must be NEARLINE, COLDLINE or ARCHIVE."
  }
}

variable "soft_delete_retention_days" {
  description = "Days a deleted or overwritten lake object stays restorable (soft delete; object versioning is off, README: storage costs); 0 turns soft delete off."
  type        = number
  default     = 7

  validation {
    condition     = var.soft_delete_retention_days == 0 || (var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90)
    error_message = "soft_delete_retention_days must be 0 or between 7 and 90 (Cloud Storage's limits)."
  }
}

variable "artifact_retention_days" {
  description = "Days the packaged job (spark_jobs.zip, entrypoint.py) uploaded per run to the staging bucket is kept."
  type        = number
  default     = 30

  validation {
    condition     = var.artifact_retention_days >= 1
    error_message = "artifact_retention_days must be at least 1."
  }
}

variable "bq_dataset" {
  description = "BigQuery dataset that holds the warehouse tables and the views the dashboards read."
  type        = string
  default     = "clickstream"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,1023}$", var.bq_dataset))
    error_message = "bq_dataset must be letters, digits and underscores, not starting with a digit."
  }
}

variable "dataproc_runtime_version" {
  description = "Dataproc Serverless runtime for the Spark batches (2.2 = Spark 3.5, 3.0 = Spark 4.0); the jobs use only APIs both have."
  type        = string
  default     = "2.2"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.dataproc_runtime_version))
    error_message = "dataproc_runtime_version must look like 2.2 or 3.0."
  }
}

variable "dataproc_worker_role" {
  description = "Project role of the Dataproc batches' service account: roles/dataproc.worker (what Dataproc Serverless documents), or a custom role id without storage permissions, so that only the bucket grants give storage access."
  type        = string
  default     = "roles/dataproc.worker"

  validation {
    condition     = can(regex("^(roles/[A-Za-z.]+|projects/[a-z][a-z0-9-]+/roles/[A-Za-z0-9_.]+)$", var.dataproc_worker_role))
    error_message = "dataproc_worker_role must be a predefined role (roles/...) or a custom role id (projects/PROJECT/roles/ROLE)."
  }
}

variable "subnet_cidr" {
  description = "IPv4 range of the subnetwork Dataproc Serverless runs in."
  type        = string
  default     = "10.10.0.0/24"

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 0))
    error_message = "subnet_cidr must be an IPv4 CIDR block such as 10.10.0.0/24."
  }
}

variable "labels" {
  description = "Labels added to every bucket, dataset and workload."
  type        = map(string)
  default = {
    project = "clickstream"
    managed = "terraform"
  }

  validation {
    condition     = alltrue([for key, value in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", key)) && can(regex("^[a-z0-9_-]{0,63}$", value))])
    error_message = "label keys must start with a lowercase letter; keys and values use lowercase letters, digits, _ and - (at most 63 characters)."
  }
}

variable "landing_folder" {
  description = "Folder under the lake root where event files land (the Pub/Sub Cloud Storage subscription writes there; `stream --landing` reads it)."
  type        = string
  default     = "landing"

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.landing_folder))
    error_message = "landing_folder must be one folder name without slashes."
  }
}

variable "landing_file_seconds" {
  description = "Longest time the Cloud Storage subscription keeps a landing file open before it finishes it, in seconds (Pub/Sub allows 60-600); the first term of the end-to-end latency."
  type        = number
  default     = 60

  validation {
    condition     = var.landing_file_seconds >= 60 && var.landing_file_seconds <= 600
    error_message = "landing_file_seconds must be between 60 and 600 (Pub/Sub's limits for max_duration)."
  }
}

variable "landing_file_max_bytes" {
  description = "Largest landing file the subscription writes before it starts a new one, in bytes (Pub/Sub allows 1 KB to 10 GiB)."
  type        = number
  default     = 134217728

  validation {
    condition     = var.landing_file_max_bytes >= 1000 && var.landing_file_max_bytes <= 10737418240
    error_message = "landing_file_max_bytes must be between 1000 and 10737418240."
  }
}

variable "events_topic_retention_hours" {
  description = "How long the events topic keeps published messages, in hours, so a subscription can be replayed by seeking back (10 minutes to 31 days)."
  type        = number
  default     = 24

  validation {
    condition     = var.events_topic_retention_hours >= 1 && var.events_topic_retention_hours <= 744
    error_message = "events_topic_retention_hours must be between 1 and 744."
  }
}

variable "event_publishers" {
  description = "IAM members allowed to publish events to the topic (the collector's identity), e.g. [\"serviceAccount:collector@PROJECT.iam.gserviceaccount.com\"]."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.event_publishers : can(regex("^(serviceAccount|user|group):", member))])
    error_message = "event_publishers must be IAM members such as serviceAccount:NAME@PROJECT.iam.gserviceaccount.com."
  }
}
