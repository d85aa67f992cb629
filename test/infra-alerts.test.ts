import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { ALL_SUBSCRIPTIONS, deadLetterTopic } from '@mobius/contracts';
import { buildServiceApp, createLogger, createMetrics, registerInvalidDatapointMetrics, registerOutboxQuarantineMetrics } from '@mobius/service';
import { parser as promql } from '@prometheus-io/lezer-promql';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { PubSubNames } from '../libs/bus/src/adapters/pubsub/names.ts';
import { createReconcileMetrics } from '../services/reconciler/src/reconcile-metrics.ts';
import { CLOUD_SERVICES } from './support/service-env.ts';
import { TERRAFORM_DIR, variableDefault } from './support/terraform.ts';

// The alert rules (infra/prometheus), read by real parsers: YAML by `yaml`, every expression by
// Prometheus's own PromQL grammar (@prometheus-io/lezer-promql), the Terraform by HashiCorp's HCL
// parser (@cdktf/hcl2json, compiled to wasm). The metrics the expressions read are checked against
// what the services really print on /metrics, so a renamed metric or label cannot leave an alert
// silently never firing.

const RULES_FILE = 'infra/prometheus/alerts.yaml';
const CONCERNS = ['freshness', 'dead-letters', 'backlog', 'drift', 'readiness'];

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string; concern: string };
  annotations: { summary: string; description: string; runbook: string };
}
interface Group {
  name: string;
  interval: string;
  rules: Rule[];
}

function yamlOf(file: string): any {
  const document = parseDocument(readFileSync(file, 'utf8'));
  expect(document.errors, file).toEqual([]);
  return document.toJS();
}

const groups: Group[] = yamlOf(RULES_FILE).groups;
const rules = groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, group: group.name })));

/** A selector an expression reads: its metric name and the label matchers it applies. */
interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Parses a PromQL expression; fails on any syntax error, else returns its selectors and grouping labels. */
function parsePromql(expr: string): { selectors: Selector[]; grouping: string[] } {
  const tree = promql.parse(expr);
  const errors: number[] = [];
  const selectors: Selector[] = [];
  const grouping: string[] = [];
  const text = (node: { from: number; to: number } | null) => (node ? expr.slice(node.from, node.to) : '');
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) errors.push(ref.from);
      if (ref.name === 'VectorSelector') {
        const matchers = ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
        selectors.push({
          metric: text(ref.node.getChild('Identifier')),
          matchers: matchers.map((m) => ({
            label: text(m.getChild('LabelName')),
            op: text(m.getChild('MatchOp')),
            value: JSON.parse(text(m.getChild('StringLiteral'))) as string,
          })),
        });
      }
      if (ref.name === 'GroupingLabels') grouping.push(...ref.node.getChildren('LabelName').map(text));
    },
  });
  expect(errors, `syntax errors at offsets ${errors.join(', ')} in: ${expr}`).toEqual([]);
  expect(tree.topNode.firstChild?.name, expr).not.toBe('⚠');
  return { selectors, grouping };
}

/** Labels of the series of a metric family: its own, the service's default label and le on buckets. */
function labelNamesOf(registry: Registry, family: string, series: string): string[] {
  const metric = registry.getSingleMetric(family) as unknown as { labelNames?: string[] } | undefined;
  return [...(metric?.labelNames ?? []), 'service', ...(series.endsWith('_bucket') ? ['le'] : [])];
}

/**
 * Every series name on a /metrics page of a service built in-process with every metric a Mobius
 * service registers (the common ones, the reconciler's, the set-aside counters, mobius_ready), with
 * its label names.
 */
async function exportedSeries(): Promise<Map<string, string[]>> {
  const metrics = createMetrics('alerts-test');
  createReconcileMetrics(metrics.registry);
  registerInvalidDatapointMetrics(metrics.registry);
  registerOutboxQuarantineMetrics(metrics.registry, async () => 0);
  const app = buildServiceApp({ logger: createLogger('alerts-test', 'silent'), metrics, readiness: [] });
  const page = (await app.inject('/metrics')).body;
  await app.close();
  const series = new Map<string, string[]>();
  for (const [, family, type] of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const names = type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => family + s) : [family!];
    for (const name of names) series.set(name, labelNamesOf(metrics.registry, family!, name));
  }
  return series;
}

// Labels a scrape adds to every series (Prometheus: job, instance; Managed Prometheus also these).
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'container', 'cluster', 'location', 'project_id'];
// Metrics no Mobius service exports: Prometheus's own `up`, and Pub/Sub's metrics as Cloud
// Monitoring's PromQL names them (metric type with `.googleapis.com/` and `/` as `_googleapis_com:` and `_`).
const PUBSUB_LABELS = ['monitored_resource', 'project_id', 'subscription_id'];
const EXTERNAL: Record<string, { labels: string[]; groups: string[] }> = {
  up: { labels: TARGET_LABELS, groups: ['mobius-services'] },
  'pubsub_googleapis_com:subscription_num_undelivered_messages': { labels: PUBSUB_LABELS, groups: ['mobius-pubsub'] },
  'pubsub_googleapis_com:subscription_oldest_unacked_message_age': { labels: PUBSUB_LABELS, groups: ['mobius-pubsub'] },
};

/** Whether a Prometheus regex matcher (fully anchored, RE2) selects `value`. */
const regexMatches = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value);

describe('infra/prometheus/alerts.yaml', () => {
  it('is a Prometheus rule file whose every rule has a name, an expression, a `for`, a severity and a concern', () => {
    expect(groups.map((g) => g.name)).toEqual(['mobius-services', 'mobius-pubsub']);
    for (const group of groups) expect(group.interval, group.name).toMatch(/^\d+[smh]$/);
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size, 'alert names are unique').toBe(names.length);
    for (const rule of rules) {
      expect(Object.keys(rule).sort(), rule.alert).toEqual(['alert', 'annotations', 'expr', 'for', 'group', 'labels']);
      expect(rule.alert).toMatch(/^Mobius[A-Za-z0-9]+$/);
      // Terraform converts these durations (alerts.tf): digits and one of s, m, h.
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      // Cloud Monitoring's severities are CRITICAL, ERROR and WARNING (alerts.tf upper-cases them).
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(CONCERNS, rule.alert).toContain(rule.labels.concern);
    }
  });

  it('covers the five things an operator must hear about: freshness, dead letters, backlog, drift, readiness', () => {
    expect(new Set(rules.map((r) => r.labels.concern))).toEqual(new Set(CONCERNS));
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(byName.MobiusFreshnessP99Over60s?.expr).toMatch(/histogram_quantile\(0\.99,.*mobius_event_lag_seconds_bucket.*\) > 60$/);
    expect(byName.MobiusDeadLettered?.expr).toContain('outcome="dead_letter"');
    expect(byName.MobiusBacklogGrowing?.for).toBe('10m');
    expect(byName.MobiusDriftLeft?.expr).toMatch(/mobius_drift_rows\) > 0$/);
    expect(byName.MobiusServiceNotReady?.expr).toContain('mobius_ready == 0');
  });

  it('parses every expression with the PromQL grammar, reading only metrics and labels that exist', async () => {
    const exported = await exportedSeries();
    expect(exported.get('mobius_ready')).toEqual(['service']);
    for (const rule of rules) {
      const { selectors, grouping } = parsePromql(rule.expr);
      expect(selectors.length, rule.alert).toBeGreaterThan(0);
      const available = new Set<string>();
      for (const { metric, matchers } of selectors) {
        const external = EXTERNAL[metric];
        if (external) expect(external.groups, `${rule.alert}: ${metric} in group ${rule.group}`).toContain(rule.group);
        else expect(exported.has(metric), `${rule.alert}: no service exports ${metric}`).toBe(true);
        const labels = external?.labels ?? [...exported.get(metric)!, ...TARGET_LABELS];
        for (const { label } of matchers) expect(labels, `${rule.alert}: ${metric} has no label ${label}`).toContain(label);
        for (const label of labels) available.add(label);
      }
      for (const label of grouping) expect([...available], `${rule.alert}: grouping by ${label}`).toContain(label);
    }
  });

  it('tells the outcome values and subscription names apart as the code and Terraform name them', () => {
    const selectors = rules.flatMap((rule) => parsePromql(rule.expr).selectors);
    // The outcomes consumerMetrics counts (libs/service/src/consumer-metrics.ts, from the bus).
    for (const { matchers } of selectors) {
      for (const m of matchers.filter((m) => m.label === 'outcome')) expect(['ack', 'retry', 'dead_letter']).toContain(m.value);
    }
    // Pub/Sub subscription ids, as infra/terraform/pubsub.tf names them (here with a TOPIC_PREFIX).
    const names = new PubSubNames('p', 'staging_');
    const id = (path: string) => path.split('/').pop()!;
    const consumers = ALL_SUBSCRIPTIONS.map((s) => id(names.subscription(s.name)));
    const deadLetterPeeks = ALL_SUBSCRIPTIONS.map((s) => id(names.peekSubscription(deadLetterTopic(s))));
    const topicPeeks = [...new Set(ALL_SUBSCRIPTIONS.map((s) => id(names.peekSubscription(s.topic))))];
    const selected = (alert: string) => {
      const matchers = parsePromql(rules.find((r) => r.alert === alert)!.expr).selectors.flatMap((s) => s.matchers);
      return (subscription: string) =>
        matchers
          .filter((m) => m.label === 'subscription_id')
          .every((m) => (m.op === '=~' ? regexMatches(m.value, subscription) : m.op === '!~' ? !regexMatches(m.value, subscription) : false));
    };
    for (const alert of ['MobiusBacklogGrowing', 'MobiusOldestUnackedOver10m']) {
      const reads = selected(alert);
      expect(consumers.filter(reads), alert).toEqual(consumers);
      // The ~peek subscriptions are never acknowledged: their backlog is not a consumer falling behind.
      expect([...deadLetterPeeks, ...topicPeeks].filter(reads), alert).toEqual([]);
    }
    const held = selected('MobiusDeadLettersHeld');
    expect(deadLetterPeeks.filter(held)).toEqual(deadLetterPeeks);
    expect([...consumers, ...topicPeeks].filter(held)).toEqual([]);
  });

  it('gives every rule a runbook naming a mobius command and its section of docs/alerts.md', () => {
    const docs = readFileSync('docs/alerts.md', 'utf8');
    const anchors = new Set([...docs.matchAll(/^#{2,4} (\S+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const rule of rules) {
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description, rule.alert).toBeTruthy();
      expect(rule.annotations.runbook, rule.alert).toMatch(/`(mobius (status|dlq|resync)|curl)[^`]*`/);
      expect(rule.annotations.runbook, rule.alert).toContain(`docs/alerts.md#${rule.alert.toLowerCase()}`);
      expect(anchors, `docs/alerts.md has a heading ${rule.alert}`).toContain(rule.alert.toLowerCase());
    }
  });
});

describe('infra/prometheus: Managed Service for Prometheus on GKE', () => {
  it('holds the same groups as alerts.yaml in a GlobalRules resource (Pub/Sub metrics need GlobalRules)', () => {
    const resource = yamlOf('infra/prometheus/gmp-rules.yaml');
    expect(resource).toMatchObject({ apiVersion: 'monitoring.googleapis.com/v1', kind: 'GlobalRules', metadata: { name: 'mobius' } });
    expect(resource.spec.groups).toEqual(groups);
  });

  it('scrapes /metrics of every pod of infra/gke as the job the readiness rule reads', () => {
    const monitoring = yamlOf('infra/prometheus/gmp-pod-monitoring.yaml');
    expect(monitoring).toMatchObject({ apiVersion: 'monitoring.googleapis.com/v1', kind: 'PodMonitoring' });
    expect(monitoring.metadata.namespace).toBe(variableDefault('gke_namespace'));
    const notReady = parsePromql(rules.find((r) => r.alert === 'MobiusServiceNotReady')!.expr).selectors;
    expect(notReady.find((s) => s.metric === 'up')?.matchers).toEqual([{ label: 'job', op: '=', value: monitoring.metadata.name }]);
    expect(monitoring.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    for (const service of CLOUD_SERVICES) {
      const objects = parseAllDocuments(readFileSync(`infra/gke/${service}.yaml`, 'utf8')).map((d) => d.toJS());
      const pod = objects.find((o) => o.kind === 'Deployment').spec.template;
      expect(pod.metadata.labels, service).toMatchObject(monitoring.spec.selector.matchLabels);
      const container = pod.spec.containers.find((c: { name: string }) => c.name === service);
      expect(
        container.ports.map((p: { name: string }) => p.name),
        service,
      ).toContain('http');
    }
  });
});

describe('infra/terraform/alerts.tf', () => {
  it("parses, as every .tf file, with HashiCorp's HCL parser", async () => {
    for (const file of readdirSync(TERRAFORM_DIR).filter((f) => f.endsWith('.tf'))) {
      await expect(parseHcl(file, readFileSync(join(TERRAFORM_DIR, file), 'utf8')), file).resolves.toBeTypeOf('object');
    }
    await expect(parseHcl('broken.tf', 'resource "a" "b" { x = }')).rejects.toThrow(/Invalid expression/);
  });

  it('creates one Cloud Monitoring policy per rule of alerts.yaml, its PromQL as the condition, notifying the channels given', async () => {
    const tf = (await parseHcl('alerts.tf', readFileSync(join(TERRAFORM_DIR, 'alerts.tf'), 'utf8'))) as any;
    const locals = Object.assign({}, ...tf.locals);
    const source = /file\("\$\{path\.module\}\/([^"]+)"\)/.exec(locals.alert_groups)?.[1];
    expect(resolve(TERRAFORM_DIR, source!)).toBe(resolve(RULES_FILE));
    expect(locals.alert_groups).toMatch(/^\$\{yamldecode\(file\(.*\)\)\.groups\}$/);
    expect(locals.alert_rules).toMatch(/for group in local\.alert_groups : \{\s*for rule in group\.rules : rule\.alert =>/);
    const [policy] = tf.resource.google_monitoring_alert_policy.mobius;
    expect(policy.for_each).toBe('${local.alert_rules}');
    expect(policy.notification_channels).toBe('${var.alert_notification_channels}');
    expect(variableDefault('alert_notification_channels')).toEqual([]);
    const [condition] = policy.conditions[0].condition_prometheus_query_language;
    expect(condition).toMatchObject({
      query: '${each.value.expr}',
      alert_rule: '${each.key}',
      rule_group: '${each.value.group}',
      labels: '${each.value.labels}',
    });
    expect(condition.duration).toContain('local.alert_for_seconds[each.key]');
    expect(policy.documentation[0].content).toContain('each.value.annotations.runbook');
    // So the policies cover the same alerts, hence the same five concerns, as the rule file.
    expect(new Set(rules.map((r) => r.labels.concern)).size).toBe(CONCERNS.length);
  });
});
