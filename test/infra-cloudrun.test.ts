import { readFileSync } from 'node:fs';
import { loadRagDatabaseConfig } from '@mobius/config';
import { parse as parseConnectionString } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { CHAT_SYNC_SUBSCRIBE_DEFAULTS } from '../services/chat-sync/src/app.ts';
import { INGEST_CONCURRENCY } from '../services/ingestor/src/app.ts';
import { MART_CONCURRENCY } from '../services/mart-builder/src/app.ts';
import { VERTEX_SYNC_SUBSCRIBE_DEFAULTS } from '../services/vertex-sync/src/app.ts';
import { environmentOf, loadCompose } from './support/compose.ts';
import { CLOUD_SERVICES, checkServiceEnv } from './support/service-env.ts';
import { loadUserServiceConfig } from '../services/user/src/config.ts';
import { attribute, expression, resource, terraformLocals, terraformVars, variableDefault } from './support/terraform.ts';

// delivery = "push": the Cloud Run services of infra/terraform/cloudrun.tf, whose sizing and
// environment live in services.auto.tfvars.json, checked against the services' code and config.
const vars = terraformVars();
const locals = terraformLocals();

/** Sample values of the placeholders services.auto.tfvars.json may use (see cloudrun.tf). */
function placeholderValues(service: string): Record<string, string> {
  return {
    '{project_id}': 'mobius-prod',
    '{region}': 'us-central1',
    '{topic_prefix}': '',
    '{bq_dataset}': String(variableDefault('bq_dataset')),
    '{bq_landing_dataset}': String(variableDefault('bq_landing_dataset')),
    '{bq_location}': String(variableDefault('bq_location')),
    '{cloud_sql_socket}': '/cloudsql/mobius-prod:us-central1:mobius',
    '{vertex_index_id}': '4513318843424145408',
    '{vertex_index_endpoint_id}': '2201227424591200256',
    '{vertex_deployed_index_id}': String(variableDefault('vertex_deployed_index_id')),
    '{push_service_account}': 'mobius-pubsub-push@mobius-prod.iam.gserviceaccount.com',
    '{push_audience}': `https://${service}.push.mobius/mobius-prod`,
    '{auth_allowed_emails}': 'ops@example.com',
    '{auth_allowed_roles}': '',
    '{google_client_id}': 'web-client.apps.googleusercontent.com',
    '{user_admin_emails}': 'ops@example.com',
    '{set_password_url_base}': 'https://app.example.com/set-password',
  };
}

/** The example database URL infra/README.md tells operators to store, for the database named. */
function documentedDatabaseUrl(database: string): string {
  const example = /`(postgresql:\/\/[^`]*\?host=\/cloudsql\/[^`]*)`/.exec(readFileSync('infra/README.md', 'utf8'))?.[1];
  if (!example) throw new Error('infra/README.md shows no Cloud SQL database URL');
  return example.replace(/\/mobius_rag\?/, `/${database}?`);
}

/** What each secret variable holds, in the form the README documents. */
function secretValue(variable: string): string {
  if (variable.endsWith('DATABASE_URL')) return documentedDatabaseUrl('mobius_db');
  // As long as a real one: MOBIUS_SERVICE_TOKEN must have at least 32 characters.
  return 'a-secret-value-as-long-as-a-real-one-32+';
}

/** A Cloud Run service's environment as the container gets it (placeholders and secrets filled in). */
function cloudRunEnv(service: string): Record<string, string> {
  const spec = vars.services[service]!;
  const values = placeholderValues(service);
  const env = Object.fromEntries(Object.entries(spec.cloud_run.env).map(([key, value]) => [key, values[value] ?? value]));
  for (const variable of Object.keys(spec.secrets)) env[variable] = secretValue(variable);
  return env;
}

describe('infra/terraform: Cloud Run (delivery = "push")', () => {
  const consumers = CLOUD_SERVICES.filter((name) => vars.services[name]!.subscription);

  it('documents database URLs in a form the config accepts and the driver sends to the Cloud SQL socket', () => {
    const url = documentedDatabaseUrl('mobius_rag');
    expect(loadRagDatabaseConfig({ DATABASE_URL: url }, { deployEnv: 'prod' }).databaseUrl).toBe(url);
    expect(parseConnectionString(url).host).toMatch(/^\/cloudsql\/[^/]+:[^/]+:[^/]+$/);
  });

  it('gives each service an environment its config accepts with the prod rules, secrets included', () => {
    // The placeholders cloudrun.tf fills in: local.env_placeholders, and {push_audience} merged in per service.
    const placeholders = new Set([
      ...Object.keys(locals.env_placeholders as object),
      ...[...String(locals.service_env).matchAll(/"(\{\w+\})" =/g)].map((m) => m[1]!),
    ]);
    for (const name of CLOUD_SERVICES) {
      const env = vars.services[name]!.cloud_run.env;
      for (const value of Object.values(env).filter((v) => v.includes('{'))) {
        expect(placeholders, `${name}: ${value} is a placeholder cloudrun.tf fills in`).toContain(value);
        expect(placeholderValues(name), value).toHaveProperty([value]);
      }
      // Cloud Run sets PORT itself, to the container port.
      expect(env, name).not.toHaveProperty('PORT');
      const checked = checkServiceEnv(name, cloudRunEnv(name));
      if (checked.bus) expect(checked.bus.pubsub.provision, `${name} creates no Pub/Sub resources`).toBe('off');
    }
  });

  it('runs the consumers in push mode with OIDC, for the audience Cloud Run accepts, and nothing else in push mode', () => {
    for (const name of CLOUD_SERVICES) {
      const bus = checkServiceEnv(name, cloudRunEnv(name)).bus;
      if (!consumers.includes(name)) {
        expect(bus?.pubsub.mode ?? 'pull', name).toBe('pull');
        continue;
      }
      expect(bus, name).toMatchObject({ kind: 'pubsub', pubsub: { mode: 'push', pushAuth: { kind: 'oidc' } } });
      expect(vars.services[name]!.cloud_run.env.PUSH_AUDIENCE, name).toBe('{push_audience}');
      expect(vars.services[name]!.cloud_run.env.PUSH_SERVICE_ACCOUNT, name).toBe('{push_service_account}');
    }
    const service = resource('google_cloud_run_v2_service', 'service');
    expect(attribute(service, 'custom_audiences')).toBe('${each.value.subscription == null ? [] : [local.push_audience[each.key]]}');
    expect(expression(locals.service_env)).toMatch(/"\{push_audience\}" = local\.push_audience\[name\]/);
    expect((locals.env_placeholders as Record<string, unknown>)['{push_service_account}']).toBe('${google_service_account.pubsub_push.email}');
    const invoker = resource('google_cloud_run_v2_service_iam_member', 'push_invoker');
    expect(attribute(invoker, 'member')).toBe('serviceAccount:${google_service_account.pubsub_push.email}');
  });

  it('gives the user service GOOGLE_CLIENT_ID, MOBIUS_USER_ADMIN_EMAILS and MOBIUS_SET_PASSWORD_URL_BASE from variables, MOBIUS_USER_INTERNAL_KEY from its secret', () => {
    const user = vars.services.user!;
    expect(user.cloud_run.env).toMatchObject({
      GOOGLE_CLIENT_ID: '{google_client_id}',
      MOBIUS_USER_ADMIN_EMAILS: '{user_admin_emails}',
      MOBIUS_SET_PASSWORD_URL_BASE: '{set_password_url_base}',
    });
    expect(user.cloud_run.env).not.toHaveProperty('MOBIUS_USER_INTERNAL_KEY');
    expect(user.secrets.MOBIUS_USER_INTERNAL_KEY).toBe('mobius-user-internal-key');
    const placeholders = locals.env_placeholders as Record<string, unknown>;
    expect(placeholders['{google_client_id}']).toBe('${var.google_client_id}');
    expect(placeholders['{user_admin_emails}']).toBe('${var.user_admin_emails}');
    expect(placeholders['{set_password_url_base}']).toBe('${var.set_password_url_base}');
    for (const variable of ['google_client_id', 'user_admin_emails', 'set_password_url_base']) expect(variableDefault(variable), variable).toBe('');
    const config = loadUserServiceConfig(cloudRunEnv('user'));
    expect(config.google?.clientId).toBe('web-client.apps.googleusercontent.com');
    expect(config.directoryAccess).toEqual({ internalKey: 'a-secret-value-as-long-as-a-real-one-32+', adminEmails: new Set(['ops@example.com']) });
    expect(config.mail.setPasswordUrlBase).toBe('https://app.example.com/set-password');
    // Empty variables (the defaults) leave each feature off rather than failing the start.
    const off = loadUserServiceConfig({
      ...cloudRunEnv('user'),
      GOOGLE_CLIENT_ID: '',
      MOBIUS_USER_ADMIN_EMAILS: '',
      MOBIUS_SET_PASSWORD_URL_BASE: '',
    });
    expect(off.google).toBeNull();
    expect(off.mail.setPasswordUrlBase).toBeNull();
  });

  it('runs `mobius start <service>` on the port the compose file gives it', () => {
    const service = resource('google_cloud_run_v2_service', 'service');
    expect(attribute(service, 'args')).toEqual(['node', 'bin/mobius.js', 'start', '${each.key}']);
    expect(attribute(service, 'container_port')).toBe('${each.value.port}');
    const compose = loadCompose({});
    for (const name of CLOUD_SERVICES) {
      expect(String(vars.services[name]!.port), name).toBe(environmentOf(compose.services[name]!).PORT);
    }
  });

  it('sizes each consumer as its subscriber: concurrency, one warm instance, request timeout = ack deadline', () => {
    const subscriberConcurrency: Record<string, number | undefined> = {
      ingestor: INGEST_CONCURRENCY,
      'mart-builder': MART_CONCURRENCY,
      'chat-sync': CHAT_SYNC_SUBSCRIBE_DEFAULTS.concurrency,
      'vertex-sync': VERTEX_SYNC_SUBSCRIBE_DEFAULTS.concurrency,
    };
    expect(Object.keys(subscriberConcurrency).sort()).toEqual([...consumers].sort());
    for (const name of consumers) {
      const run = vars.services[name]!.cloud_run;
      expect(run.concurrency, name).toBe(subscriberConcurrency[name]);
      expect(run.min_instances, name).toBeGreaterThanOrEqual(1);
      expect(run.timeout_seconds, name).toBe(vars.pubsub_settings.ack_deadline_seconds);
      expect(run.ingress, `${name} takes only Pub/Sub's pushes`).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    }
    const service = resource('google_cloud_run_v2_service', 'service');
    expect(attribute(service, 'max_instance_request_concurrency')).toBe('${each.value.cloud_run.concurrency}');
    expect(attribute(service, 'min_instance_count')).toBe('${each.value.cloud_run.min_instances}');
  });

  it('keeps rag (its outbox relay) and the reconciler (its timer) running with CPU between requests', () => {
    for (const name of ['rag', 'reconciler']) {
      const run = vars.services[name]!.cloud_run;
      expect(run.min_instances, name).toBeGreaterThanOrEqual(1);
      expect(run.cpu_idle, name).toBe(false);
    }
    expect(attribute(resource('google_cloud_run_v2_service', 'service'), 'cpu_idle')).toBe('${each.value.cloud_run.cpu_idle}');
    for (const name of CLOUD_SERVICES) {
      const run = vars.services[name]!.cloud_run;
      expect(run.max_instances, name).toBeGreaterThanOrEqual(run.min_instances);
    }
  });
});
