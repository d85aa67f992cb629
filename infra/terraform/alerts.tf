# Cloud Monitoring alerting policies: one per rule of infra/prometheus/alerts.yaml, whose PromQL runs
# as the policy's condition. The rules are written once, there; docs/alerts.md explains each.
# - mobius-services reads the services' /metrics, which reach Cloud Monitoring through Managed
#   Service for Prometheus (GKE: infra/prometheus/gmp-pod-monitoring.yaml). On Cloud Run (delivery =
#   push) nothing scrapes them yet, so those policies see no data.
# - mobius-pubsub reads Pub/Sub's own metrics (subscription/num_undelivered_messages,
#   subscription/oldest_unacked_message_age, the dead-letter topics' ~peek subscriptions), in both
#   delivery variants.

locals {
  alert_groups = yamldecode(file("${path.module}/../prometheus/alerts.yaml")).groups
  alert_rules = merge([
    for group in local.alert_groups : {
      for rule in group.rules : rule.alert => merge(rule, { group = group.name, interval = group.interval })
    }
  ]...)
  # Prometheus durations (`0m`, `5m`, `60s`, `1h`) as the API's seconds.
  alert_duration_unit_seconds = { s = 1, m = 60, h = 3600 }
  alert_for_seconds = {
    for name, rule in local.alert_rules : name => tonumber(regex("^[0-9]+", rule["for"])) * local.alert_duration_unit_seconds[regex("[smh]$", rule["for"])]
  }
  alert_interval_seconds = {
    for name, rule in local.alert_rules : name => tonumber(regex("^[0-9]+", rule.interval)) * local.alert_duration_unit_seconds[regex("[smh]$", rule.interval)]
  }
}

resource "google_monitoring_alert_policy" "mobius" {
  for_each              = local.alert_rules
  display_name          = "Mobius: ${each.key}"
  combiner              = "OR"
  severity              = upper(each.value.labels.severity)
  notification_channels = var.alert_notification_channels
  user_labels           = merge(local.labels, { concern = each.value.labels.concern })

  conditions {
    display_name = each.value.annotations.summary
    condition_prometheus_query_language {
      query               = each.value.expr
      duration            = format("%ds", local.alert_for_seconds[each.key])
      evaluation_interval = format("%ds", local.alert_interval_seconds[each.key])
      rule_group          = each.value.group
      alert_rule          = each.key
      labels              = each.value.labels
      # The services' metrics exist only once Managed Prometheus has scraped them: create the policy anyway.
      disable_metric_validation = true
    }
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "Mobius: ${each.value.annotations.summary}"
    content   = join("\n\n", [each.value.annotations.description, "**What to do:** ${each.value.annotations.runbook}"])
  }

  alert_strategy {
    auto_close = "1800s"
  }
}
