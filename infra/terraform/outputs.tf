output "service_accounts" {
  description = "The service account of each service (GKE: the iam.gke.io/gcp-service-account annotations)."
  value       = { for name, sa in google_service_account.service : name => sa.email }
}

output "cloud_run_urls" {
  description = "delivery = push: each service's URL."
  value       = { for name, service in google_cloud_run_v2_service.service : name => service.uri }
}

output "vertex" {
  description = "VERTEX_INDEX_ID, VERTEX_INDEX_ENDPOINT_ID and VERTEX_DEPLOYED_INDEX_ID (GKE: envsubst them)."
  value = {
    index_id          = google_vertex_ai_index.rag.name
    index_endpoint_id = google_vertex_ai_index_endpoint.rag.name
    deployed_index_id = var.vertex_deployed_index_id
  }
}
