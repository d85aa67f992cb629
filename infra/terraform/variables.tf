variable "project_id" {
  description = "The Google Cloud project of every resource (one project per environment)."
  type        = string
}

variable "region" {
  description = "Region of Cloud Run, the Vertex index and the Cloud SQL instance."
  type        = string
  default     = "us-central1"
}

variable "delivery" {
  description = "push: the services run on Cloud Run and Pub/Sub pushes to them with OIDC tokens. pull: they run on GKE (infra/gke) and pull; no Cloud Run service is created."
  type        = string
  default     = "push"
  validation {
    condition     = contains(["push", "pull"], var.delivery)
    error_message = "delivery must be push (Cloud Run) or pull (GKE)."
  }
}

variable "image" {
  description = "The Mobius image (./Dockerfile), e.g. us-central1-docker.pkg.dev/PROJECT/mobius/mobius:TAG."
  type        = string
}

variable "topic_prefix" {
  description = "TOPIC_PREFIX: prefix of every topic and subscription (and the services' TOPIC_PREFIX)."
  type        = string
  default     = ""
}

variable "auth_allowed_emails" {
  description = "AUTH_ALLOWED_EMAILS of the APIs people reach (console, rag): emails, comma-separated, whose mobius-user access token is admitted (docs/security.md). Empty: no person, only the service token."
  type        = string
  default     = ""
}

variable "auth_allowed_roles" {
  description = "AUTH_ALLOWED_ROLES of the APIs people reach (console, rag): role names (role.name), comma-separated, whose users' access tokens are admitted. Empty: none by role."
  type        = string
  default     = ""
}

variable "google_client_id" {
  description = "GOOGLE_CLIENT_ID of the user service: the OAuth web client id Google ID tokens must be issued for (public, not a secret). Empty: Google sign-in answers 503."
  type        = string
  default     = ""
}

variable "user_admin_emails" {
  description = "MOBIUS_USER_ADMIN_EMAILS of the user service: emails, comma-separated, whose access tokens may call the /api/v1/users writers (docs/api/user.md). Empty: only the internal key."
  type        = string
  default     = ""
}

variable "set_password_url_base" {
  description = "MOBIUS_SET_PASSWORD_URL_BASE of the user service: the page that consumes ?token= links of password-reset and invite mails. Empty: no such mail is sent."
  type        = string
  default     = ""
}

variable "cloud_sql_instance" {
  description = "Connection name (project:region:instance) of the Cloud SQL instance holding the module databases; it is not managed here."
  type        = string
}

variable "bq_dataset" {
  description = "BQ_DATASET: the mart dataset."
  type        = string
  default     = "mobius_rag"
}

variable "bq_landing_dataset" {
  description = "BQ_LANDING_DATASET: the landing dataset."
  type        = string
  default     = "landing_rag"
}

variable "bq_location" {
  description = "BQ_LOCATION: where the datasets live and the jobs run."
  type        = string
  default     = "US"
}

variable "embedding_dimensions" {
  description = "EMBEDDING_DIMENSIONS: length of every embedding (the published contract says 1536)."
  type        = number
  default     = 1536
}

variable "vertex_deployed_index_id" {
  description = "VERTEX_DEPLOYED_INDEX_ID: the id the index is deployed under on its endpoint."
  type        = string
  default     = "mobius_rag_deployed"
}

variable "gke_namespace" {
  description = "delivery = pull: the GKE namespace of the Kubernetes service accounts (infra/gke)."
  type        = string
  default     = "mobius"
}

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channels (projects/PROJECT/notificationChannels/ID) every Mobius alerting policy notifies (alerts.tf); empty: the policies open incidents without notifying."
  type        = list(string)
  default     = []
}

variable "public_services" {
  description = "delivery = push: Cloud Run services anyone may invoke (they check their own bearer tokens)."
  type        = list(string)
  default     = ["chat", "user"]
}

# --- Catalogues (*.auto.tfvars.json) ---

variable "pubsub_topics" {
  description = "Every topic: the contracts catalogue's topics and each subscription's dead-letter topic."
  type        = list(string)
}

variable "pubsub_subscriptions" {
  description = "Every subscription of the contracts catalogue: its topic, dead-letter topic and consuming service."
  type = map(object({
    topic             = string
    dead_letter_topic = string
    consumer          = string
  }))
}

variable "pubsub_settings" {
  description = "Subscription settings, equal to what the bus creates itself (PUBSUB_DEFAULTS in @mobius/bus)."
  type = object({
    ack_deadline_seconds      = number
    min_backoff_seconds       = number
    max_backoff_seconds       = number
    max_delivery_attempts     = number
    retain_acked_messages     = bool
    message_retention_seconds = number
    enable_message_ordering   = bool
    peek_ack_deadline_seconds = number
  })
}

variable "services" {
  description = "Every deployed service: what it may touch (IAM) and, for Cloud Run, its sizing and environment."
  type = map(object({
    port         = number
    subscription = optional(string)
    publishes    = list(string)
    bigquery     = map(string)
    vertex       = bool
    cloud_sql    = bool
    secrets      = map(string)
    cloud_run = object({
      cpu_idle        = bool
      timeout_seconds = number
      ingress         = string
      min_instances   = number
      max_instances   = number
      concurrency     = number
      cpu             = string
      memory          = string
      env             = map(string)
    })
  }))
}

variable "secrets" {
  description = "Secret Manager secrets (id => what it holds). Versions are added by operators, never by Terraform."
  type        = map(string)
}

variable "bigquery_tables" {
  description = "The BigQuery warehouse's tables except mart_lock (libs/warehouse/src/adapters/bigquery/tables.ts)."
  type = map(object({
    dataset         = string
    description     = string
    fields          = list(object({ name = string, type = string, mode = string }))
    partition_field = optional(string)
    clustering      = list(string)
  }))
}

variable "bigquery_mart_lock" {
  description = "mart_lock is created with its one row by this DDL job ({project_id} and {bq_dataset} filled in)."
  type = object({
    table = string
    ddl   = string
  })
}
