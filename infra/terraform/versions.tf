# Terraform for the Mobius platform on Google Cloud: Pub/Sub topics and subscriptions, BigQuery
# datasets and tables, the Vertex AI Vector Search index, one service account per service with least
# privilege, the Secret Manager secrets they read, and (delivery = "push") the Cloud Run services.
# The catalogues it deploys live in the *.auto.tfvars.json files beside it, which the tests compare
# with the code (test/infra-terraform.test.ts); change the code and the catalogue together.
terraform {
  required_version = ">= 1.6"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  labels = { "app" = "mobius" }
  # Google's Pub/Sub service agent: forwards dead letters and signs push tokens.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}
