import { ConfigError } from './errors.ts';
import { localDatabaseUrl } from './fields.ts';
import type { Env } from './parse-env.ts';

/**
 * `MOBIUS_ISOLATE=<name>`: one variable instead of eight to run a second Mobius beside another on the
 * same Postgres and NATS (a branch next to main, two people on one machine, a demo beside the tests).
 * It derives every name two stacks would otherwise share, each only where its own variable is unset
 * (an explicit variable always wins), so nothing of one stack is seen by the other (docs/configuration.md,
 * "Run it isolated"):
 *
 * | derived | value |
 * |---|---|
 * | `TOPIC_PREFIX` | `<name>_` (every topic, subscription, stream and consumer) |
 * | `DATABASE_URL`, `POSTGRES_DB` | the local `mobius_rag_<name>` (rag, and the pipeline's read side) |
 * | `CHAT_DATABASE_URL` | the local `mobius_chat_<name>` |
 * | `USER_DATABASE_URL` | the local `mobius_user_<name>` |
 * | `WAREHOUSE_DATABASE_URL` | the local `mobius_warehouse_<name>` |
 * | `POSTGRES_DB_LOCAL` | `mobius_<name>` (os) |
 * | `VECTOR_INDEX_DATA_DIR` | `.mobius/isolated/<name>/vector-index` |
 *
 * `mobius dev` keeps its own embedded Postgres and ports: for it the name selects a data directory and
 * free ports instead (isolatedDevEnv). Development only: with `ENV=prod` it is refused, since production
 * names every connection itself.
 */
export const ISOLATE_VARIABLE = 'MOBIUS_ISOLATE';

/** A name that is safe in a database name, a topic prefix and a directory. */
const NAME = /^[a-z][a-z0-9_]{0,29}$/;

/** The isolation name of `env`, validated; undefined when MOBIUS_ISOLATE is unset or empty. */
export function isolationName(env: Env): string | undefined {
  const name = env[ISOLATE_VARIABLE];
  if (name === undefined || name === '') return undefined;
  if (!NAME.test(name)) {
    throw new ConfigError('config', ISOLATE_VARIABLE, 'must be 1-30 lowercase letters, digits or _, starting with a letter');
  }
  if (env.ENV === 'prod') throw new ConfigError('config', ISOLATE_VARIABLE, 'is for development only (unset it with ENV=prod)');
  return name;
}

/** Fills each unset variable of `derived` into a copy of `env`. */
function fill(env: Env, derived: Record<string, string>): Env {
  const filled: Env = { ...env };
  for (const [variable, value] of Object.entries(derived)) {
    if (filled[variable] === undefined || filled[variable] === '') filled[variable] = value;
  }
  return filled;
}

/** `env` with the names MOBIUS_ISOLATE derives filled in where unset; `env` itself when it is unset. */
export function isolatedEnv(env: Env): Env {
  const name = isolationName(env);
  if (name === undefined) return env;
  return fill(env, {
    TOPIC_PREFIX: `${name}_`,
    DATABASE_URL: localDatabaseUrl(`mobius_rag_${name}`),
    POSTGRES_DB: `mobius_rag_${name}`,
    CHAT_DATABASE_URL: localDatabaseUrl(`mobius_chat_${name}`),
    USER_DATABASE_URL: localDatabaseUrl(`mobius_user_${name}`),
    WAREHOUSE_DATABASE_URL: localDatabaseUrl(`mobius_warehouse_${name}`),
    POSTGRES_DB_LOCAL: `mobius_${name}`,
    VECTOR_INDEX_DATA_DIR: `.mobius/isolated/${name}/vector-index`,
  });
}

/**
 * What MOBIUS_ISOLATE means to `mobius dev` and to the CLI commands that find a running dev: its own
 * data directory (`.mobius/isolated/<name>`, so its embedded Postgres, secrets and runtime.json are its
 * own) and free ports for its services and its Postgres. The other variables are left alone: dev
 * replaces an embedded piece by any URL it is given, so deriving database URLs would take it off its
 * embedded Postgres.
 */
export function isolatedDevEnv(env: Env): Env {
  // Never throws: a wrong name is reported by the first loader that reads the environment (isolatedEnv).
  const name = env[ISOLATE_VARIABLE];
  if (name === undefined || !NAME.test(name) || env.ENV === 'prod') return env;
  return fill(env, {
    MOBIUS_DATA_DIR: `.mobius/isolated/${name}`,
    MOBIUS_DEV_PORT_BASE: '0',
    MOBIUS_DEV_PG_PORT: '0',
  });
}
