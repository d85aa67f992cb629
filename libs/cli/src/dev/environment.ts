import { MODULES, loadDatabaseConfig, loadPipelineConfig, type Env, type ModuleName } from '@mobius/config';
import { describeDatabase } from '@mobius/db';
import { DEV_DEFAULTS } from './defaults.ts';

/** One module database: where the environment puts it, or the database dev creates on the embedded Postgres. */
export interface ModuleDatabase {
  module: ModuleName;
  /** The URL the environment gives (its variable is in `source`); undefined: embedded. */
  configured: string | undefined;
  source: string;
  /** The database name dev uses on the embedded Postgres (the module's dev default name). */
  embeddedName: string;
}

/**
 * `mobius dev` is dev: ENV=prod in the shell would make every loader demand production URLs. Its
 * MOBIUS_ISOLATE already chose its data directory and ports (io.ts); the loaders must not also derive
 * database URLs from it, which would take dev off its embedded Postgres.
 */
const asDev = (env: Env): Env => ({ ...env, ENV: 'dev', MOBIUS_ISOLATE: undefined });

/**
 * Every module database `mobius dev` needs, in migration order: a module whose variables are set
 * (DATABASE_URL, CHAT_*_DATABASE_URL, USER_DATABASE_URL, POSTGRES_*_LOCAL, WAREHOUSE_DATABASE_URL) is
 * used where they point; the others go on the embedded Postgres. With WAREHOUSE=bigquery the warehouse
 * is not a Postgres database at all.
 */
export function moduleDatabases(env: Env): ModuleDatabase[] {
  const modules = MODULES.filter((module) => !(module === 'warehouse' && env.WAREHOUSE === 'bigquery'));
  return modules.map((module) => {
    const config = loadDatabaseConfig(module, asDev(env), { deployEnv: 'dev' });
    const configured = config.source === 'dev default' ? undefined : config.databaseUrl;
    return { module, configured, source: config.source, embeddedName: describeDatabase(config.databaseUrl).database };
  });
}

/** The environment every in-process service reads its config from, and what the ingestor reads RAG with. */
export interface DevEnvironment {
  env: Env;
  /** The rag database as the ingestor reads it: POSTGRES_* when POSTGRES_HOST is set, else rag's own. */
  ragReadUrl: string;
}

/**
 * The services' environment: the caller's, with each unset piece filled by its embedded default:
 * module URLs (`urls`), BUS=memory unless BUS or NATS_URL is set, JWT_SECRET, LOG_LEVEL (warn) and
 * HOST (localhost). Chat-sync writes CHAT_DATABASE_URL; when only CHAT_RAG_DATABASE_URL or
 * RAG_DATABASE_URL names chat's database, it writes that one, as chat reads it.
 */
export function devEnvironment(env: Env, urls: Partial<Record<ModuleName, string>>, jwtSecret: string): DevEnvironment {
  const dev: Env = {
    ...asDev(env),
    DATABASE_URL: urls.rag,
    CHAT_DATABASE_URL: env.CHAT_DATABASE_URL || urls.chat,
    USER_DATABASE_URL: urls.user,
    JWT_SECRET: jwtSecret,
    BUS: env.BUS || (env.NATS_URL ? 'nats' : 'memory'),
    LOG_LEVEL: env.LOG_LEVEL || DEV_DEFAULTS.logLevel,
    HOST: env.HOST || DEV_DEFAULTS.host,
  };
  if (urls.warehouse) dev.WAREHOUSE_DATABASE_URL = urls.warehouse;
  const ragReadUrl = env.POSTGRES_HOST ? loadPipelineConfig(dev, { deployEnv: 'dev' }).ragDatabaseUrl : urls.rag!;
  return { env: dev, ragReadUrl };
}
