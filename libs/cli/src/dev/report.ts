import { maskUrl, type Env } from '@mobius/config';
import { relative } from 'node:path';
import { DEV_DEFAULTS, DEV_SERVICES, type DevServiceName } from './defaults.ts';
import type { EmbeddedPostgres } from './embedded-postgres.ts';
import type { ModuleDatabase } from './environment.ts';

/** A path as dev prints it: relative to the working directory when inside it, else absolute. */
export function shownPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside === '' ? '.' : inside.startsWith('..') ? path : inside;
}

/** `embedded Postgres 18.4 on 127.0.0.1:54329 ...`: where it runs, whether it is new, and as whom. */
export function describePostgres(postgres: EmbeddedPostgres, clusterDir: string, modules: ModuleDatabase[]): string {
  const state = postgres.created ? 'created' : 'kept from an earlier run';
  const user = postgres.osUser ? `; runs as OS user ${postgres.osUser.name} (Postgres refuses root)` : '';
  const names = modules.map((m) => m.embeddedName).join(', ');
  return `embedded Postgres ${postgres.version} on 127.0.0.1:${postgres.port}, data in ${shownPath(clusterDir)} (${state}${user}); databases ${names}`;
}

/** Why the cluster is not in the data directory, once per start (root, the data directory out of the server account's reach). */
export function describeRelocation(postgres: EmbeddedPostgres, dataDir: string): string | undefined {
  if (!postgres.relocatedBecause) return undefined;
  return `the cluster is in ${postgres.clusterDir}, not in ${shownPath(dataDir)}: ${postgres.relocatedBecause} (\`mobius dev reset\` deletes both)`;
}

/** One line per database the environment points elsewhere: `rag database: DATABASE_URL (postgresql://u:***@h/db)`. */
export function describeConfigured(modules: ModuleDatabase[]): string[] {
  return modules.filter((m) => m.configured).map((m) => `${m.module} database from ${m.source}: ${maskUrl(m.configured!)}`);
}

/** `bus memory (in process), vector index in process (refilled with N datapoints), warehouse postgres`. */
export function describeBackends(env: Env, refilled: number | undefined): string {
  const bus = env.BUS === 'memory' ? 'memory (in process)' : env.BUS === 'nats' ? `nats at ${env.NATS_URL || 'nats://127.0.0.1:4222'}` : env.BUS;
  const vectorIndex =
    (env.VECTOR_INDEX || 'memory') === 'memory'
      ? 'in process'
      : env.VECTOR_INDEX === 'local'
        ? `local server at ${env.VECTOR_INDEX_URL}`
        : 'Vertex AI';
  const refill = refilled === undefined ? '' : refilled > 0 ? ` (refilled from the mart: ${refilled} datapoints)` : '';
  const warehouse = env.WAREHOUSE === 'bigquery' ? `BigQuery (${env.BQ_PROJECT})` : 'Postgres';
  return `bus ${bus}; vector index ${vectorIndex}${refill}; warehouse ${warehouse}`;
}

/**
 * The one line that says which APIs admit anyone (AUTH=none, dev's default), instead of a warning per
 * service; undefined when every API is guarded.
 */
export function describeOpen(open: readonly DevServiceName[]): string | undefined {
  if (open.length === 0) return undefined;
  return `AUTH=none: ${open.join(', ')} admit anyone on this machine (dev's default; AUTH=required and CONSOLE_AUTH=jwt guard them, docs/security.md)`;
}

/** The `mobius search` command that finds this platform (its chat URL and data directory when not the defaults). */
function searchHint(chatUrl: string, dataDir: string): string {
  const flags = [chatUrl === DEV_DEFAULTS.chatUrl ? '' : ` --chat-url ${chatUrl}`, dataDir === DEV_DEFAULTS.dataDir ? '' : ` --data-dir ${dataDir}`];
  return `npx mobius search "prior authorization for an MRI"${flags.join('')}`;
}

/** The ready block: the rag API, chat search, the user API, the console, every service's status URL, and a search to try. */
export function readyBlock(urls: Record<DevServiceName, string>, seconds: number, dataDir: string): string[] {
  const width = Math.max(...DEV_SERVICES.map((s) => s.length));
  return [
    `mobius dev: ready in ${seconds.toFixed(1)} s; Ctrl-C stops everything`,
    `  rag API       ${urls.rag}  (POST /documents, POST /documents/{id}/publish)`,
    `  chat search   ${urls.chat}/v1/search  (POST, bearer token)`,
    `  user API      ${urls.user}/api/v1/auth`,
    `  console       ${urls.console}/  (the pipeline at a glance; /api/status as JSON)`,
    '  status        GET /readyz (and /metrics) of each service:',
    ...DEV_SERVICES.map((service) => `    ${service.padEnd(width)}  ${urls[service]}/readyz`),
    `  try           ${searchHint(urls.chat, dataDir)}`,
  ];
}
