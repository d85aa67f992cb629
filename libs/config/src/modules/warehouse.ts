import { z } from 'zod';
import { deployEnvSchema, localDatabaseUrl, optional, postgresUrl } from '../fields.ts';
import { parseEnv, requiredInProd, type Env } from '../parse-env.ts';
import type { DatabaseConfig, LoadOptions } from './database-config.ts';

/** The local warehouse (the Postgres stand-in for BigQuery). */
export const warehouseDatabaseEnvSchema = z.object({
  ENV: optional(deployEnvSchema),
  /** The Postgres warehouse database (schemas `landing_rag`, `mobius_rag`). */
  WAREHOUSE_DATABASE_URL: optional(postgresUrl),
});

export const WAREHOUSE_DEFAULT_DATABASE = 'mobius_warehouse';

/** Resolves the warehouse database: `WAREHOUSE_DATABASE_URL`, else (dev only) the local `mobius_warehouse`. */
export function loadWarehouseDatabaseConfig(env: Env, options: LoadOptions = {}): DatabaseConfig {
  const parsed = parseEnv('warehouse', warehouseDatabaseEnvSchema, env);
  const deployEnv = options.deployEnv ?? parsed.ENV ?? 'dev';
  if (parsed.WAREHOUSE_DATABASE_URL) {
    return {
      module: 'warehouse',
      databaseUrl: parsed.WAREHOUSE_DATABASE_URL,
      source: 'WAREHOUSE_DATABASE_URL',
      deployEnv,
    };
  }
  if (deployEnv === 'prod') requiredInProd('warehouse', 'WAREHOUSE_DATABASE_URL');
  return {
    module: 'warehouse',
    databaseUrl: localDatabaseUrl(WAREHOUSE_DEFAULT_DATABASE),
    source: 'dev default',
    deployEnv,
  };
}
