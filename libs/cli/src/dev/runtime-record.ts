import type { ModuleName } from '@mobius/config';
import { DEV_VARIABLE_GROUPS, SERVICE_URL_VARIABLES } from '../runtime/variables.ts';
import { RUNTIME_FORMAT, type DevRuntime } from '../runtime/dev-runtime.ts';

/** What `mobius dev` knows once everything listens: the inputs of its runtime file. */
export interface DevRuntimeInputs {
  dataDir: string;
  /** Service -> URL, as the platform listens. */
  urls: Record<string, string>;
  /** Module -> Postgres URL. */
  databases: Partial<Record<ModuleName, string>>;
  /** The pipeline's read URL of RAG (the ingestor's). */
  ragReadUrl: string;
  /** The services' parsed environment (defaults applied: BUS, VECTOR_INDEX, TOPIC_PREFIX ...). */
  serviceEnv: Record<string, unknown>;
  /** The JWT secret's file, when dev keeps it (undefined: JWT_SECRET came from the environment). */
  jwtSecretFile: string | undefined;
  /** The embedded Postgres's password file, when it runs. */
  postgresPasswordFile: string | undefined;
}

/** The parts of a Postgres URL, under the variable names of a group (`POSTGRES_HOST`, ... or `POSTGRES_HOST_LOCAL`, ...). */
function urlParts(url: string, suffix: '' | '_LOCAL'): Record<string, string> {
  const parsed = new URL(url);
  return {
    [`POSTGRES_HOST${suffix}`]: decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')),
    [`POSTGRES_PORT${suffix}`]: parsed.port || '5432',
    [`POSTGRES_DB${suffix}`]: decodeURIComponent(parsed.pathname.slice(1)),
    [`POSTGRES_USER${suffix}`]: decodeURIComponent(parsed.username),
    [`POSTGRES_PASSWORD${suffix}`]: decodeURIComponent(parsed.password),
  };
}

/** The variables the CLI takes from this dev: the services' settings of every group, and the URLs of each module and service. */
function cliVariables(inputs: DevRuntimeInputs): Record<string, string> {
  const env: Record<string, string> = {};
  const skip = new Set<string>(['ragDatabase', 'ragRead', 'chatDatabase', 'userDatabase', 'osDatabase']);
  for (const [group, names] of Object.entries(DEV_VARIABLE_GROUPS)) {
    if (skip.has(group)) continue;
    for (const name of names) {
      const value = inputs.serviceEnv[name];
      if (typeof value === 'string' || typeof value === 'number') env[name] = String(value);
    }
  }
  const { databases } = inputs;
  if (databases.rag) env.DATABASE_URL = databases.rag;
  Object.assign(env, urlParts(inputs.ragReadUrl, ''));
  if (databases.chat) env.CHAT_DATABASE_URL = databases.chat;
  if (databases.user) env.USER_DATABASE_URL = databases.user;
  if (databases.os) Object.assign(env, { DATABASE_MODE: 'local', ...urlParts(databases.os, '_LOCAL') });
  if (databases.warehouse) env.WAREHOUSE_DATABASE_URL = databases.warehouse;
  for (const [service, variable] of Object.entries(SERVICE_URL_VARIABLES)) if (inputs.urls[service]) env[variable] = inputs.urls[service];
  return env;
}

/** The runtime file's content for this process. */
export function devRuntimeRecord(inputs: DevRuntimeInputs): DevRuntime {
  const secrets: DevRuntime['secrets'] = {};
  if (inputs.jwtSecretFile) secrets.jwtSecret = inputs.jwtSecretFile;
  if (inputs.postgresPasswordFile) secrets.postgresPassword = inputs.postgresPasswordFile;
  return {
    format: RUNTIME_FORMAT,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir: inputs.dataDir,
    urls: { ...inputs.urls },
    databases: { ...inputs.databases } as Record<string, string>,
    env: cliVariables(inputs),
    secrets,
  };
}
