# Names derived once from the variables; every other file refers to these locals.
locals {
  lake_bucket_name    = "${var.project_id}-${var.name_prefix}-lake"
  staging_bucket_name = "${var.project_id}-${var.name_prefix}-staging"
  labels              = merge(var.labels, { component = var.name_prefix })
}
