# The warehouse on BigQuery: the landing and mart datasets and every table of
# libs/warehouse/src/adapters/bigquery/tables.ts (warehouse.auto.tfvars.json). No service creates
# them (nothing calls ensureSchema), so they must exist before the pipeline starts.

locals {
  bigquery_datasets = {
    landing = var.bq_landing_dataset
    mart    = var.bq_dataset
  }
}

resource "google_bigquery_dataset" "dataset" {
  for_each                   = local.bigquery_datasets
  dataset_id                 = each.value
  location                   = var.bq_location
  delete_contents_on_destroy = false
  labels                     = local.labels
}

resource "google_bigquery_table" "table" {
  for_each            = var.bigquery_tables
  dataset_id          = google_bigquery_dataset.dataset[each.value.dataset].dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = jsonencode(each.value.fields)
  clustering          = length(each.value.clustering) > 0 ? each.value.clustering : null
  deletion_protection = true
  labels              = local.labels

  dynamic "time_partitioning" {
    for_each = each.value.partition_field == null ? [] : [each.value.partition_field]
    content {
      type  = "DAY"
      field = time_partitioning.value
    }
  }
}

# mart_lock must be created together with its one row (merges claim it by updating that row), which
# only a DDL statement does: CREATE TABLE IF NOT EXISTS ... AS SELECT, the adapter's own statement.
resource "google_bigquery_job" "mart_lock" {
  job_id   = "mobius-create-${var.bq_dataset}-${var.bigquery_mart_lock.table}"
  location = var.bq_location
  labels   = local.labels

  query {
    query              = replace(replace(var.bigquery_mart_lock.ddl, "{project_id}", var.project_id), "{bq_dataset}", var.bq_dataset)
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }

  depends_on = [google_bigquery_dataset.dataset]
}
