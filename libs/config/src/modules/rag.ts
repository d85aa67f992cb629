import { z } from 'zod';
import { deployEnvSchema, localDatabaseUrl, optional, postgresUrl } from '../fields.ts';
import { parseEnv, requiredInProd, type Env } from '../parse-env.ts';
import type { DatabaseConfig, LoadOptions } from './database-config.ts';

/** mobius-rag's environment. */
export const ragEnvSchema = z.object({
  /** dev | prod. dev defaults DATABASE_URL to the local `mobius_rag`; prod requires it. */
  ENV: optional(deployEnvSchema),
  /** The rag database. */
  DATABASE_URL: optional(postgresUrl),
});

export const RAG_DEFAULT_DATABASE = 'mobius_rag';

/** Resolves the rag database: `DATABASE_URL`, else (dev only) the local `mobius_rag`. */
export function loadRagDatabaseConfig(env: Env, options: LoadOptions = {}): DatabaseConfig {
  const parsed = parseEnv('rag', ragEnvSchema, env);
  const deployEnv = options.deployEnv ?? parsed.ENV ?? 'dev';
  if (parsed.DATABASE_URL) {
    return { module: 'rag', databaseUrl: parsed.DATABASE_URL, source: 'DATABASE_URL', deployEnv };
  }
  if (deployEnv === 'prod') requiredInProd('rag', 'DATABASE_URL');
  return { module: 'rag', databaseUrl: localDatabaseUrl(RAG_DEFAULT_DATABASE), source: 'dev default', deployEnv };
}
