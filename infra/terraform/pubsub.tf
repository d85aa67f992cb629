# Topics and subscriptions: exactly the contracts catalogue (pubsub.auto.tfvars.json), named as the
# bus names them (TOPIC_PREFIX + name), with the settings the bus would give them itself. The
# services run with PUBSUB_PROVISION=off: they have no admin rights and create nothing.

locals {
  pubsub_settings   = var.pubsub_settings
  message_retention = "${var.pubsub_settings.message_retention_seconds}s"
}

# The catalogue's topics and every subscription's dead-letter topic `<topic>.dlq.<subscription>`
# (inspected, redriven and purged with `mobius dlq`, docs/dead-letters.md).
resource "google_pubsub_topic" "topic" {
  for_each = toset(var.pubsub_topics)
  name     = "${var.topic_prefix}${each.value}"
  labels   = local.labels
}

# One subscription per consumer. Pub/Sub's own dead-letter policy is a safety net behind the bus's
# (which dead-letters after 5 attempts with the reason attached), so its attempt count is higher.
resource "google_pubsub_subscription" "subscription" {
  for_each                   = var.pubsub_subscriptions
  name                       = "${var.topic_prefix}${each.key}"
  topic                      = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds       = local.pubsub_settings.ack_deadline_seconds
  enable_message_ordering    = local.pubsub_settings.enable_message_ordering
  retain_acked_messages      = local.pubsub_settings.retain_acked_messages
  message_retention_duration = local.message_retention
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "${local.pubsub_settings.min_backoff_seconds}s"
    maximum_backoff = "${local.pubsub_settings.max_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.topic[each.value.dead_letter_topic].id
    max_delivery_attempts = local.pubsub_settings.max_delivery_attempts
  }

  # delivery = push: Pub/Sub POSTs to the consumer's Cloud Run service with an OIDC token signed as
  # the push service account, for the audience the service checks (PUSH_AUDIENCE). pull: no push config.
  dynamic "push_config" {
    for_each = var.delivery == "push" ? [each.value.consumer] : []
    content {
      push_endpoint = "${google_cloud_run_v2_service.service[push_config.value].uri}/pubsub/push"
      oidc_token {
        service_account_email = google_service_account.pubsub_push.email
        audience              = local.push_audience[push_config.value]
      }
    }
  }

  depends_on = [google_pubsub_topic_iam_member.dead_letter_forwarding]
}

# The `<topic>~peek` subscription of every topic, which the bus's `peek` reads without consuming. On a
# dead-letter topic it is the list of dead letters (docs/dead-letters.md): `mobius dlq list|show` read it,
# `mobius dlq redrive|purge` acknowledge there what they removed; nothing else acks, so it holds every
# dead letter for the retention period.
resource "google_pubsub_subscription" "peek" {
  for_each                   = toset(var.pubsub_topics)
  name                       = "${var.topic_prefix}${each.value}~peek"
  topic                      = google_pubsub_topic.topic[each.value].id
  ack_deadline_seconds       = local.pubsub_settings.peek_ack_deadline_seconds
  message_retention_duration = local.message_retention
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }
}

# Pub/Sub's service agent forwards undeliverable messages: it publishes to the dead-letter topic and
# acknowledges on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_forwarding" {
  for_each = var.pubsub_subscriptions
  topic    = google_pubsub_topic.topic[each.value.dead_letter_topic].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_forwarding" {
  for_each     = var.pubsub_subscriptions
  subscription = google_pubsub_subscription.subscription[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
