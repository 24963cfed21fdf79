# Dataproc Serverless runs in a subnetwork with Private Google Access (workers have no external
# IP, so they reach GCS and BigQuery through Google's private endpoints).
resource "google_compute_network" "dataproc" {
  name                    = "${var.name_prefix}-net"
  project                 = var.project_id
  auto_create_subnetworks = false

  depends_on = [google_project_service.required]
}

resource "google_compute_subnetwork" "dataproc" {
  # checkov:skip=CKV_GCP_76:The subnetwork is IPv4 only, so there is no IPv6 route to Google APIs to enable.
  name                     = "${var.name_prefix}-dataproc"
  project                  = var.project_id
  region                   = var.region
  network                  = google_compute_network.dataproc.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.1
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Spark driver and executors talk to each other on any port; Dataproc Serverless requires the
# subnetwork to accept ingress from itself. Nothing from outside the range is allowed in.
resource "google_compute_firewall" "dataproc_internal" {
  name          = "${var.name_prefix}-dataproc-internal"
  project       = var.project_id
  network       = google_compute_network.dataproc.id
  direction     = "INGRESS"
  source_ranges = [var.subnet_cidr]

  allow {
    protocol = "all"
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
