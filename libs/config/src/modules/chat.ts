import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { deployEnvSchema, localDatabaseUrl, optional, postgresUrl } from '../fields.ts';
import { parseEnv, type Env } from '../parse-env.ts';
import type { DatabaseConfig, LoadOptions } from './database-config.ts';

/** mobius-chat's environment. Chat's own database is named by three variables, for history's sake. */
export const chatEnvSchema = z.object({
  ENV: optional(deployEnvSchema),
  /** Chat's database (first choice). */
  CHAT_RAG_DATABASE_URL: optional(postgresUrl),
  /** Chat's database (second choice). */
  RAG_DATABASE_URL: optional(postgresUrl),
  /** Chat's database (last choice; also the pipeline's name for the database it writes). */
  CHAT_DATABASE_URL: optional(postgresUrl),
  /** Optional: the rag database that `mobius chat clone-rag` copies from into chat's 001 tables. */
  RAG_SOURCE_DATABASE_URL: optional(postgresUrl),
});

/** The variables that name chat's database, in precedence order. */
export const CHAT_DATABASE_VARIABLES = ['CHAT_RAG_DATABASE_URL', 'RAG_DATABASE_URL', 'CHAT_DATABASE_URL'] as const;

export const CHAT_DEFAULT_DATABASE = 'mobius_chat';

export interface ChatDatabaseConfig extends DatabaseConfig {
  /** Source of the dev clone, when configured. */
  ragSourceDatabaseUrl: string | undefined;
}

/** Resolves chat's database: CHAT_RAG_DATABASE_URL > RAG_DATABASE_URL > CHAT_DATABASE_URL > dev default. */
export function loadChatDatabaseConfig(env: Env, options: LoadOptions = {}): ChatDatabaseConfig {
  const parsed = parseEnv('chat', chatEnvSchema, env);
  const deployEnv = options.deployEnv ?? parsed.ENV ?? 'dev';
  const ragSourceDatabaseUrl = parsed.RAG_SOURCE_DATABASE_URL;
  for (const variable of CHAT_DATABASE_VARIABLES) {
    const databaseUrl = parsed[variable];
    if (databaseUrl) return { module: 'chat', databaseUrl, source: variable, deployEnv, ragSourceDatabaseUrl };
  }
  if (deployEnv === 'prod') {
    throw new ConfigError('chat', CHAT_DATABASE_VARIABLES.join(' | '), 'is required with --env prod (set one of them)');
  }
  return {
    module: 'chat',
    databaseUrl: localDatabaseUrl(CHAT_DEFAULT_DATABASE),
    source: 'dev default',
    deployEnv,
    ragSourceDatabaseUrl,
  };
}
