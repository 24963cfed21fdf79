# APIs the pipeline calls. Disabling them on destroy could break other workloads in the project.
# cloudresourcemanager: google_project_iam_member reads and writes the project's IAM policy through it
# (a project created without it fails the first apply at the project-level grants). sts and
# iamcredentials: the key-less credential of the README (workload identity federation) exchanges the
# worker's own token and then impersonates the Kestra service account.
locals {
  required_apis = toset([
    "bigquery.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "dataproc.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "storage.googleapis.com",
    "sts.googleapis.com",
  ])
}

resource "google_project_service" "required" {
  for_each = local.required_apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
