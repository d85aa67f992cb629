# delivery = push: every service on Cloud Run, one service per consumer, each running
# `node bin/mobius.js start <service>` from the one image. Consumers take Pub/Sub pushes on
# POST /pubsub/push and check the OIDC token themselves (PUSH_AUDIENCE, PUSH_SERVICE_ACCOUNT) besides
# Cloud Run's own invoker check. Sizing and why: infra/README.md.

locals {
  cloud_run = var.delivery == "push" ? var.services : {}

  # The audience of each consumer's push tokens: Cloud Run accepts it (custom_audiences) and the
  # service checks it (PUSH_AUDIENCE).
  push_audience = { for name, svc in var.services : name => "https://${name}.push.mobius/${var.project_id}" }

  # Placeholders of services.auto.tfvars.json: a value that is exactly one of these keys is replaced.
  env_placeholders = {
    "{project_id}"               = var.project_id
    "{region}"                   = var.region
    "{topic_prefix}"             = var.topic_prefix
    "{bq_dataset}"               = var.bq_dataset
    "{bq_landing_dataset}"       = var.bq_landing_dataset
    "{bq_location}"              = var.bq_location
    "{cloud_sql_socket}"         = "/cloudsql/${var.cloud_sql_instance}"
    "{vertex_index_id}"          = google_vertex_ai_index.rag.name
    "{vertex_index_endpoint_id}" = google_vertex_ai_index_endpoint.rag.name
    "{vertex_deployed_index_id}" = var.vertex_deployed_index_id
    "{push_service_account}"     = google_service_account.pubsub_push.email
    "{auth_allowed_emails}"      = var.auth_allowed_emails
    "{auth_allowed_roles}"       = var.auth_allowed_roles
    "{google_client_id}"         = var.google_client_id
    "{user_admin_emails}"        = var.user_admin_emails
    "{set_password_url_base}"    = var.set_password_url_base
  }

  service_env = {
    for name, svc in var.services : name => {
      for key, value in svc.cloud_run.env : key => lookup(merge(local.env_placeholders, { "{push_audience}" = local.push_audience[name] }), value, value)
    }
  }
}

resource "google_cloud_run_v2_service" "service" {
  for_each         = local.cloud_run
  name             = "mobius-${each.key}"
  location         = var.region
  ingress          = each.value.cloud_run.ingress
  custom_audiences = each.value.subscription == null ? [] : [local.push_audience[each.key]]
  labels           = local.labels

  template {
    service_account                  = google_service_account.service[each.key].email
    max_instance_request_concurrency = each.value.cloud_run.concurrency
    timeout                          = "${each.value.cloud_run.timeout_seconds}s"

    scaling {
      min_instance_count = each.value.cloud_run.min_instances
      max_instance_count = each.value.cloud_run.max_instances
    }

    dynamic "volumes" {
      for_each = each.value.cloud_sql ? [var.cloud_sql_instance] : []
      content {
        name = "cloudsql"
        cloud_sql_instance {
          instances = [volumes.value]
        }
      }
    }

    containers {
      image = var.image
      args  = ["node", "bin/mobius.js", "start", each.key]

      # Cloud Run sets PORT to this; the services listen on PORT.
      ports {
        container_port = each.value.port
      }

      resources {
        limits = {
          cpu    = each.value.cloud_run.cpu
          memory = each.value.cloud_run.memory
        }
        cpu_idle          = each.value.cloud_run.cpu_idle
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.service_env[each.key]
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = each.value.secrets
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      dynamic "volume_mounts" {
        for_each = each.value.cloud_sql ? ["cloudsql"] : []
        content {
          name       = volume_mounts.value
          mount_path = "/cloudsql"
        }
      }

      # The image runs compiled JavaScript and starts in about a second; a minute leaves room for a slow first connection.
      startup_probe {
        period_seconds    = 2
        timeout_seconds   = 2
        failure_threshold = 30
        http_get {
          path = "/healthz"
        }
      }

      liveness_probe {
        period_seconds    = 10
        timeout_seconds   = 2
        failure_threshold = 3
        http_get {
          path = "/healthz"
        }
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.accessor]
}

# The identity Pub/Sub signs push tokens as; it may invoke the consumers and nothing else.
resource "google_service_account" "pubsub_push" {
  account_id   = "mobius-pubsub-push"
  display_name = "Mobius Pub/Sub push"
  description  = "Pub/Sub signs the OIDC tokens of pushes to the Mobius consumers as this account."
}

resource "google_service_account_iam_member" "pubsub_push_token_creator" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = { for name, svc in local.cloud_run : name => svc if svc.subscription != null }
  name     = google_cloud_run_v2_service.service[each.key].name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pubsub_push.email}"
}

resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = var.delivery == "push" ? toset(var.public_services) : toset([])
  name     = google_cloud_run_v2_service.service[each.key].name
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}
