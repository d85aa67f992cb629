# Vertex AI Vector Search: one streaming index (vertex-sync upserts and removes datapoints as mart
# runs arrive), an endpoint with a public domain, and the index deployed on it (chat queries it).
# Cosine distance, as the memory and local indexes compute it (1 - cos).

resource "google_vertex_ai_index" "rag" {
  region              = var.region
  display_name        = "mobius-rag"
  description         = "Published RAG embeddings (one datapoint per published row; restricts per document metadata)."
  index_update_method = "STREAM_UPDATE"
  labels              = local.labels

  metadata {
    config {
      dimensions                  = var.embedding_dimensions
      approximate_neighbors_count = 150
      distance_measure_type       = "COSINE_DISTANCE"
      feature_norm_type           = "NONE"
      shard_size                  = "SHARD_SIZE_SMALL"
      algorithm_config {
        tree_ah_config {
          leaf_node_embedding_count    = 1000
          leaf_nodes_to_search_percent = 10
        }
      }
    }
  }
}

resource "google_vertex_ai_index_endpoint" "rag" {
  region                  = var.region
  display_name            = "mobius-rag"
  public_endpoint_enabled = true
  labels                  = local.labels
}

resource "google_vertex_ai_index_endpoint_deployed_index" "rag" {
  index_endpoint    = google_vertex_ai_index_endpoint.rag.id
  index             = google_vertex_ai_index.rag.id
  deployed_index_id = var.vertex_deployed_index_id
  display_name      = "mobius-rag"

  dedicated_resources {
    machine_spec {
      machine_type = "e2-standard-2"
    }
    min_replica_count = 1
    max_replica_count = 2
  }
}
