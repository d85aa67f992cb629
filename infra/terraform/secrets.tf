# The secrets the services read (database URLs and JWT_SECRET). Terraform creates the secrets, never
# their values: add a version with `gcloud secrets versions add <id> --data-file=-` (formats in
# infra/README.md). Each service account may read only its own (iam.tf).

resource "google_secret_manager_secret" "secret" {
  for_each  = var.secrets
  secret_id = each.key
  labels    = local.labels
  annotations = {
    holds = each.value
  }

  replication {
    auto {}
  }
}
