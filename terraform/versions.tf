# Provider versions are pinned to one major line; `terraform init` writes the exact build to
# .terraform.lock.hcl (commit it after the first init).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.14"
    }
  }
}

# Credentials come from Application Default Credentials (`gcloud auth application-default login`
# or the runner's attached service account); no key file is referenced here.
provider "google" {
  project = var.project_id
  region  = var.region
}
