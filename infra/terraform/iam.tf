# One service account per service, with only what its code uses (services.auto.tfvars.json):
# publisher on the topics it produces (its own dead-letter topic included: the bus dead-letters with
# the reason attached), subscriber on its own subscription, BigQuery data editor on the dataset it
# writes and viewer on the one it reads (plus job user to run queries), Vertex AI user where it reads
# or writes the index, Cloud SQL client where it connects, and accessor on its own secrets only.
# No project-wide Pub/Sub, BigQuery data or Secret Manager role is granted to any service.

locals {
  service_member = { for name, sa in google_service_account.service : name => "serviceAccount:${sa.email}" }

  publisher_grants = merge([
    for name, svc in var.services : { for topic in svc.publishes : "${name} ${topic}" => { service = name, topic = topic } }
  ]...)

  subscriber_grants = { for name, svc in var.services : name => svc.subscription if svc.subscription != null }

  bigquery_grants = merge([
    for name, svc in var.services : { for dataset, role in svc.bigquery : "${name} ${dataset}" => { service = name, dataset = dataset, role = role } }
  ]...)

  secret_grants = merge([
    for name, svc in var.services : { for variable, secret in svc.secrets : "${name} ${secret}" => { service = name, secret = secret } }
  ]...)
}

resource "google_service_account" "service" {
  for_each     = var.services
  account_id   = "mobius-${each.key}"
  display_name = "Mobius ${each.key}"
  description  = "Runs the Mobius ${each.key} service (mobius start ${each.key})."
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.publisher_grants
  topic    = google_pubsub_topic.topic[each.value.topic].name
  role     = "roles/pubsub.publisher"
  member   = local.service_member[each.value.service]
}

resource "google_pubsub_subscription_iam_member" "subscriber" {
  for_each     = local.subscriber_grants
  subscription = google_pubsub_subscription.subscription[each.value].name
  role         = "roles/pubsub.subscriber"
  member       = local.service_member[each.key]
}

resource "google_bigquery_dataset_iam_member" "dataset" {
  for_each   = local.bigquery_grants
  dataset_id = google_bigquery_dataset.dataset[each.value.dataset].dataset_id
  role       = "roles/bigquery.${each.value.role}"
  member     = local.service_member[each.value.service]
}

resource "google_project_iam_member" "bigquery_job_user" {
  for_each = { for name, svc in var.services : name => svc if length(svc.bigquery) > 0 }
  project  = var.project_id
  role     = "roles/bigquery.jobUser"
  member   = local.service_member[each.key]
}

resource "google_project_iam_member" "vertex_user" {
  for_each = { for name, svc in var.services : name => svc if svc.vertex }
  project  = var.project_id
  role     = "roles/aiplatform.user"
  member   = local.service_member[each.key]
}

resource "google_project_iam_member" "cloud_sql_client" {
  for_each = { for name, svc in var.services : name => svc if svc.cloud_sql }
  project  = var.project_id
  role     = "roles/cloudsql.client"
  member   = local.service_member[each.key]
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each  = local.secret_grants
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.service_member[each.value.service]
}

# delivery = pull: each GKE Deployment runs as its Kubernetes service account `mobius-<service>`
# (infra/gke), which Workload Identity maps onto the service's Google service account.
resource "google_service_account_iam_member" "workload_identity" {
  for_each           = var.delivery == "pull" ? var.services : {}
  service_account_id = google_service_account.service[each.key].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.gke_namespace}/mobius-${each.key}]"
}
