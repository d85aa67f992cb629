import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineEnvSchema } from '@mobius/config';
import { ALL_SUBSCRIPTIONS, EVENTS, SUBSCRIPTIONS, TOPICS, deadLetterTopic } from '@mobius/contracts';
import { SUBSCRIBE_DEFAULTS } from '@mobius/bus';
import { PUSH_PATH } from '@mobius/service';
import { describe, expect, it } from 'vitest';
import { PubSubNames } from '../libs/bus/src/adapters/pubsub/names.ts';
import { PubSubProvisioner } from '../libs/bus/src/adapters/pubsub/provision.ts';
import { resolvePubSubSettings } from '../libs/bus/src/adapters/pubsub/settings.ts';
import { createLockTableQuery } from '../libs/warehouse/src/adapters/bigquery/sql.ts';
import { tableResource } from '../libs/warehouse/src/adapters/bigquery/schema.ts';
import { MART_LOCK, WAREHOUSE_TABLES } from '../libs/warehouse/src/adapters/bigquery/tables.ts';
import { CLOUD_SERVICES } from './support/service-env.ts';
import { attribute, blocks, expression, nestedBlock, renderName, resource, resources, terraformVars, variableDefault } from './support/terraform.ts';

// No terraform binary here: the Terraform is read statically (test/support/terraform.ts) and its
// catalogues (*.auto.tfvars.json) are compared with the code they deploy. Cloud Run: infra-cloudrun.test.ts.
const vars = terraformVars();
const pipelineDefaults = pipelineEnvSchema.parse({});

/** The non-test TypeScript of a service, for what it publishes and consumes. */
function sourceOf(service: string): string {
  const dir = join('services', service, 'src');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
}

const keyOf = <T extends object>(object: T, key: string) => object[key as keyof T];

/** The topics a service's code publishes to (TOPICS.x and EVENTS.x.topic it names). */
function publishedBy(service: string): string[] {
  const text = sourceOf(service);
  const topics = [...text.matchAll(/\bTOPICS\.(\w+)/g)].map((m) => keyOf(TOPICS, m[1]!) as string);
  const events = [...text.matchAll(/\bEVENTS\.(\w+)\.topic\b/g)].map((m) => (keyOf(EVENTS, m[1]!) as { topic: string }).topic);
  return [...new Set([...topics, ...events])].sort();
}

/** The subscriptions a service's code consumes (SUBSCRIPTIONS.x it names). */
function consumedBy(service: string): string[] {
  const names = [...sourceOf(service).matchAll(/\bSUBSCRIPTIONS\.(\w+)/g)].map((m) => (keyOf(SUBSCRIPTIONS, m[1]!) as { name: string }).name);
  return [...new Set(names)];
}

describe('infra/terraform: Pub/Sub', () => {
  it('creates exactly the topics and subscriptions of the contracts catalogue, and their dead-letter topics', () => {
    const expectedTopics = [...Object.values(TOPICS), ...ALL_SUBSCRIPTIONS.map(deadLetterTopic)].sort();
    expect([...vars.pubsub_topics].sort()).toEqual(expectedTopics);
    expect(vars.pubsub_subscriptions).toEqual(
      Object.fromEntries(ALL_SUBSCRIPTIONS.map((s) => [s.name, { topic: s.topic, dead_letter_topic: deadLetterTopic(s), consumer: s.name }])),
    );
    // Nothing else: one topic resource and two subscription resources, each over the catalogue.
    expect(resources('google_pubsub_topic').map((r) => [r.name, attribute(r, 'for_each')])).toEqual([['topic', '${toset(var.pubsub_topics)}']]);
    expect(resources('google_pubsub_subscription').map((r) => [r.name, attribute(r, 'for_each')])).toEqual([
      ['peek', '${toset(var.pubsub_topics)}'],
      ['subscription', '${var.pubsub_subscriptions}'],
    ]);
    const pubsubTypes = new Set(
      blocks('resource')
        .map((r) => r.type)
        .filter((t) => t.startsWith('google_pubsub_')),
    );
    expect(pubsubTypes).toEqual(
      new Set(['google_pubsub_topic', 'google_pubsub_subscription', 'google_pubsub_topic_iam_member', 'google_pubsub_subscription_iam_member']),
    );
  });

  it('names topics and subscriptions as the bus does, TOPIC_PREFIX first, with a peek subscription per topic', () => {
    const prefix = 'staging_';
    const names = new PubSubNames('p', prefix);
    const path = (kind: string, name: string) => `projects/p/${kind}/${name}`;
    for (const topic of vars.pubsub_topics) {
      const rendered = renderName(attribute(resource('google_pubsub_topic', 'topic'), 'name'), { 'var.topic_prefix': prefix, 'each.value': topic });
      expect(path('topics', rendered)).toBe(names.topic(topic));
      const peek = renderName(attribute(resource('google_pubsub_subscription', 'peek'), 'name'), { 'var.topic_prefix': prefix, 'each.value': topic });
      expect(path('subscriptions', peek)).toBe(names.peekSubscription(topic));
    }
    for (const subscription of Object.keys(vars.pubsub_subscriptions)) {
      const rendered = renderName(attribute(resource('google_pubsub_subscription', 'subscription'), 'name'), {
        'var.topic_prefix': prefix,
        'each.key': subscription,
      });
      expect(path('subscriptions', rendered)).toBe(names.subscription(subscription));
    }
  });

  it('gives every subscription the settings the bus would give it: ack deadline, ordering, retention, retry and dead-letter policy', () => {
    const provisioner = new PubSubProvisioner(
      { publisher: {} as never, subscriber: {} as never },
      new PubSubNames('p', ''),
      resolvePubSubSettings({}),
    );
    const settings = vars.pubsub_settings;
    for (const { topic, name } of ALL_SUBSCRIPTIONS) {
      const bus = provisioner.subscriptionConfig(topic, name);
      expect(settings.ack_deadline_seconds).toBe(bus.ackDeadlineSeconds);
      expect(settings.enable_message_ordering).toBe(bus.enableMessageOrdering);
      expect(settings.retain_acked_messages).toBe(bus.retainAckedMessages);
      expect(settings.message_retention_seconds).toBe(bus.messageRetentionDuration?.seconds);
      expect(settings.min_backoff_seconds).toBe(bus.retryPolicy?.minimumBackoff?.seconds);
      expect(settings.max_backoff_seconds).toBe(bus.retryPolicy?.maximumBackoff?.seconds);
      expect(settings.max_delivery_attempts).toBe(bus.deadLetterPolicy?.maxDeliveryAttempts);
      expect(`projects/p/topics/${vars.pubsub_subscriptions[name]!.dead_letter_topic}`).toBe(bus.deadLetterPolicy?.deadLetterTopic);
    }
    // Pub/Sub's dead-letter policy is the safety net: the bus must dead-letter first, with the reason.
    expect(settings.max_delivery_attempts).toBeGreaterThan(SUBSCRIBE_DEFAULTS.maxDeliver);
    const subscription = resource('google_pubsub_subscription', 'subscription');
    for (const [key, value] of [
      ['ack_deadline_seconds', '${local.pubsub_settings.ack_deadline_seconds}'],
      ['enable_message_ordering', '${local.pubsub_settings.enable_message_ordering}'],
      ['retain_acked_messages', '${local.pubsub_settings.retain_acked_messages}'],
      ['message_retention_duration', '${local.message_retention}'],
      ['minimum_backoff', '${local.pubsub_settings.min_backoff_seconds}s'],
      ['maximum_backoff', '${local.pubsub_settings.max_backoff_seconds}s'],
      ['max_delivery_attempts', '${local.pubsub_settings.max_delivery_attempts}'],
      ['dead_letter_topic', '${google_pubsub_topic.topic[each.value.dead_letter_topic].id}'],
      ['ttl', ''],
    ] as const) {
      expect(attribute(subscription, key), key).toBe(value);
    }
    expect(attribute(resource('google_pubsub_subscription', 'peek'), 'ack_deadline_seconds')).toBe(
      '${local.pubsub_settings.peek_ack_deadline_seconds}',
    );
  });

  it('pushes to the consumer\'s Cloud Run service with an OIDC token when delivery = "push", and not when "pull"', () => {
    const subscription = resource('google_pubsub_subscription', 'subscription');
    const push = nestedBlock(subscription, 'dynamic.push_config');
    expect(attribute(subscription, 'for_each')).toBe('${var.pubsub_subscriptions}');
    expect(expression(push.for_each)).toBe('var.delivery == "push" ? [each.value.consumer] : []');
    expect(attribute(subscription, 'push_endpoint')).toBe(`\${google_cloud_run_v2_service.service[push_config.value].uri}${PUSH_PATH}`);
    expect(attribute(subscription, 'service_account_email')).toBe('${google_service_account.pubsub_push.email}');
    expect(attribute(subscription, 'audience')).toBe('${local.push_audience[push_config.value]}');
    expect(variableDefault('delivery')).toBe('push');
    const delivery = blocks('variable').find((v) => v.name === 'delivery')!;
    expect(expression(nestedBlock(delivery, 'validation').condition)).toBe('contains(["push", "pull"], var.delivery)');
  });
});

describe('infra/terraform: BigQuery and Vertex', () => {
  it('creates the landing and mart datasets under the names the services default to', () => {
    expect(variableDefault('bq_dataset')).toBe(pipelineDefaults.BQ_DATASET);
    expect(variableDefault('bq_landing_dataset')).toBe(pipelineDefaults.BQ_LANDING_DATASET);
  });

  it('creates every table of the warehouse adapter with its schema, partitioning and clustering', () => {
    const expected = Object.fromEntries(
      WAREHOUSE_TABLES.filter((t) => t !== MART_LOCK).map((t) => {
        const table = tableResource(t);
        return [
          t.name,
          {
            dataset: t.dataset,
            description: table.description,
            fields: table.schema?.fields,
            partition_field: table.timePartitioning?.field ?? null,
            clustering: table.clustering?.fields ?? [],
          },
        ];
      }),
    );
    expect(vars.bigquery_tables).toEqual(expected);
    const table = resource('google_bigquery_table', 'table');
    expect(attribute(table, 'for_each')).toBe('${var.bigquery_tables}');
    expect(attribute(table, 'schema')).toBe('${jsonencode(each.value.fields)}');
  });

  it("creates mart_lock with its row by the adapter's own DDL, filling in every placeholder", () => {
    const datasets = { projectId: '{project_id}', landing: '{bq_landing_dataset}', mart: '{bq_dataset}' };
    expect(vars.bigquery_mart_lock).toEqual({ table: MART_LOCK.name, ddl: createLockTableQuery(datasets).sql });
    const query = String(attribute(resource('google_bigquery_job', 'mart_lock'), 'query'));
    for (const placeholder of new Set(vars.bigquery_mart_lock.ddl.match(/\{\w+\}/g))) {
      expect(query, placeholder).toContain(`"${placeholder}", var.${placeholder.slice(1, -1)}`);
    }
  });

  it("creates a streaming Vertex index of the contract's dimension, with the cosine distance the local index uses", () => {
    expect(variableDefault('embedding_dimensions')).toBe(pipelineDefaults.EMBEDDING_DIMENSIONS);
    const index = resource('google_vertex_ai_index', 'rag');
    expect(attribute(index, 'dimensions')).toBe('${var.embedding_dimensions}');
    expect(attribute(index, 'index_update_method')).toBe('STREAM_UPDATE');
    expect(attribute(index, 'distance_measure_type')).toBe('COSINE_DISTANCE');
    expect(attribute(resource('google_vertex_ai_index_endpoint_deployed_index', 'rag'), 'deployed_index_id')).toBe('${var.vertex_deployed_index_id}');
  });
});

describe('infra/terraform: service accounts and IAM', () => {
  it('deploys every service but the local vector index, each as its own service account', () => {
    expect(Object.keys(vars.services).sort()).toEqual([...CLOUD_SERVICES].sort());
    const accounts = resource('google_service_account', 'service');
    expect(attribute(accounts, 'for_each')).toBe('${var.services}');
    for (const name of CLOUD_SERVICES) {
      const accountId = renderName(attribute(accounts, 'account_id'), { 'each.key': name });
      expect(accountId, name).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    }
  });

  it("grants publisher only on the topics a service's code publishes and its own dead-letter topic", () => {
    for (const name of CLOUD_SERVICES) {
      const own = consumedBy(name).map((sub) => deadLetterTopic(ALL_SUBSCRIPTIONS.find((s) => s.name === sub)!));
      expect([...vars.services[name]!.publishes].sort(), name).toEqual([...publishedBy(name), ...own].sort());
    }
    const publisher = resource('google_pubsub_topic_iam_member', 'publisher');
    expect(attribute(publisher, 'role')).toBe('roles/pubsub.publisher');
    expect(attribute(publisher, 'for_each')).toBe('${local.publisher_grants}');
  });

  it("grants subscriber only on the subscription a service's code consumes, and every subscription to its consumer", () => {
    for (const name of CLOUD_SERVICES) {
      expect(vars.services[name]!.subscription ?? undefined, name).toBe(consumedBy(name)[0]);
      expect(consumedBy(name).length, name).toBeLessThanOrEqual(1);
    }
    for (const [subscription, spec] of Object.entries(vars.pubsub_subscriptions)) {
      expect(vars.services[spec.consumer]?.subscription, subscription).toBe(subscription);
    }
    expect(attribute(resource('google_pubsub_subscription_iam_member', 'subscriber'), 'role')).toBe('roles/pubsub.subscriber');
  });

  it('grants BigQuery, Vertex AI and Cloud SQL exactly to the services whose environment uses them', () => {
    // Writers per docs/architecture.md, "The pipeline": the ingestor lands, the mart-builder merges; the sinks read the mart.
    const writes: Record<string, string> = { ingestor: 'landing', 'mart-builder': 'mart' };
    for (const name of CLOUD_SERVICES) {
      const spec = vars.services[name]!;
      const env = spec.cloud_run.env;
      expect(Object.keys(spec.bigquery).length > 0, `${name}: BigQuery grants <=> WAREHOUSE=bigquery`).toBe(env.WAREHOUSE === 'bigquery');
      for (const [dataset, role] of Object.entries(spec.bigquery)) {
        expect(['landing', 'mart'], name).toContain(dataset);
        expect(role, `${name} on ${dataset}`).toBe(writes[name] === dataset ? 'dataEditor' : 'dataViewer');
      }
      if (env.WAREHOUSE === 'bigquery') expect(spec.bigquery.mart, `${name} reads the mart (readiness: latest mart run)`).toBeDefined();
      expect(spec.vertex, `${name}: Vertex AI user <=> VECTOR_INDEX=vertex`).toBe(env.VECTOR_INDEX === 'vertex');
      const usesCloudSql = Object.values(env).includes('{cloud_sql_socket}') || Object.keys(spec.secrets).some((v) => v.endsWith('DATABASE_URL'));
      expect(spec.cloud_sql, `${name}: Cloud SQL client <=> it connects to Cloud SQL`).toBe(usesCloudSql);
    }
    // Project-wide roles are only those that have no narrower resource here.
    const projectRoles = resources('google_project_iam_member').map((r) => attribute(r, 'role'));
    expect(new Set(projectRoles)).toEqual(new Set(['roles/bigquery.jobUser', 'roles/aiplatform.user', 'roles/cloudsql.client']));
    expect(attribute(resource('google_bigquery_dataset_iam_member', 'dataset'), 'role')).toBe('roles/bigquery.${each.value.role}');
  });

  it('lets each service read only its own secrets, every secret used and declared', () => {
    const used = new Set<string>();
    for (const name of CLOUD_SERVICES) {
      for (const [variable, secret] of Object.entries(vars.services[name]!.secrets)) {
        expect(vars.secrets, `${name}.${variable}`).toHaveProperty([secret]);
        used.add(secret);
      }
    }
    expect(used).toEqual(new Set(Object.keys(vars.secrets)));
    const withJwt = CLOUD_SERVICES.filter((name) => 'JWT_SECRET' in vars.services[name]!.secrets);
    // rag and the console check people's access tokens on their APIs (AUTH_ALLOWED_EMAILS / AUTH_ALLOWED_ROLES).
    expect(withJwt).toEqual(['rag', 'chat', 'user', 'console']);
    expect(new Set(withJwt.map((name) => vars.services[name]!.secrets.JWT_SECRET)).size).toBe(1);
    const accessor = resource('google_secret_manager_secret_iam_member', 'accessor');
    expect(attribute(accessor, 'role')).toBe('roles/secretmanager.secretAccessor');
    expect(attribute(accessor, 'for_each')).toBe('${local.secret_grants}');
    expect(resources('google_secret_manager_secret_version')).toEqual([]);
  });
});
