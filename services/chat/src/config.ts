import {
  ACTIVE_USER_CACHE_MAX_SECONDS,
  activeUserCacheSeconds,
  ConfigError,
  loadChatDatabaseConfig,
  loadPipelineConfig,
  loadRuntimeConfig,
  parseEnv,
  type ChatDatabaseConfig,
  type Env,
  type PipelineConfig,
  type RuntimeConfig,
} from '@mobius/config';
import { z } from 'zod';

/** Every default of the chat service in one place. */
export const CHAT_DEFAULTS = {
  /** Local port (Cloud Run sets PORT). */
  port: 8002,
  /** The contract's embedding length (docs/contracts.md, "The vector index"). */
  embeddingDimensions: 1536,
  /** Largest request body: a 1536-float query vector is ~40 KB of JSON; 1 MiB leaves room. */
  bodyLimitBytes: 1024 * 1024,
} as const;

/** An optional variable: the empty string counts as unset, as compose files leave them. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const positiveInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').positive('must be positive');

/** The chat service's own variables, besides its database, the runtime and the vector index. */
export const chatServiceEnvSchema = z.object({
  /** HS256 secret shared with mobius-user and os. Required, never defaulted: a built-in secret is a forgery kit. */
  JWT_SECRET: z.string({ message: 'is required (the HS256 secret shared with mobius-user and os)' }).min(1, 'is empty'),
  /** Addition: embedder adapter for queries; must be rag's (only `local` exists for now). */
  EMBEDDING_PROVIDER: unsetIfEmpty(z.enum(['local'], { message: 'must be local (vertex is not available yet)' })).default('local'),
  /** Addition: embedding length; must equal rag's and the index's. */
  EMBEDDING_DIMENSIONS: unsetIfEmpty(positiveInteger).default(CHAT_DEFAULTS.embeddingDimensions),
  /**
   * Addition: `true`: a valid token is also refused (401 USER_INACTIVE) when its user is not `active` in
   * USER_DATABASE_URL (read at most a minute late), as mobius-user's own validator does. `false` (the
   * default) keeps chat's contract: signature, expiry, type.
   */
  AUTH_CHECK_USER_ACTIVE: unsetIfEmpty(z.enum(['true', 'false'], { message: 'must be true or false' })).default('false'),
  /** mobius-user's database, where AUTH_CHECK_USER_ACTIVE reads `app_user.status` (required with it). */
  USER_DATABASE_URL: unsetIfEmpty(z.string().trim().min(1, 'is empty')),
  /** Addition: how long AUTH_CHECK_USER_ACTIVE reuses a user's status, 0 to 60 seconds (the guard's variable). */
  AUTH_ACTIVE_USER_CACHE_SECONDS: unsetIfEmpty(activeUserCacheSeconds).default(ACTIVE_USER_CACHE_MAX_SECONDS),
});

export interface ChatServiceConfig {
  /** CHAT_RAG_DATABASE_URL > RAG_DATABASE_URL > CHAT_DATABASE_URL > (dev) local mobius_chat. */
  database: ChatDatabaseConfig;
  runtime: RuntimeConfig;
  jwtSecret: string;
  embedding: { provider: 'local'; dimensions: number };
  /** The VECTOR_INDEX / VECTOR_INDEX_URL / VERTEX_* selection, for createServiceVectorIndex. */
  vectorIndex: PipelineConfig;
  /** AUTH_CHECK_USER_ACTIVE: where the token's user must be active; undefined: not checked (the default). */
  activeUsers?: { userDatabaseUrl: string; cacheTtlMs: number };
}

/**
 * The chat service's whole config from `env`. Pure; throws a ConfigError naming the wrong variable,
 * in every environment when JWT_SECRET is missing, so chat never starts unable to check tokens.
 * The vector index is selected by the pipeline's variables, read with the dev rules: chat does not
 * use the RAG, warehouse or CHAT_DATABASE_URL settings the pipeline requires in prod. With ENV=prod,
 * VECTOR_INDEX=memory is refused; AUTH_CHECK_USER_ACTIVE=true needs USER_DATABASE_URL.
 */
export function loadChatServiceConfig(env: Env): ChatServiceConfig {
  const own = parseEnv('chat', chatServiceEnvSchema, env);
  const database = loadChatDatabaseConfig(env);
  const vectorIndex = loadPipelineConfig(env, { deployEnv: 'dev' });
  if (database.deployEnv === 'prod' && vectorIndex.vectorIndex.kind === 'memory') {
    // A memory index in the chat process is empty (vertex-sync fills its own): every search would find nothing.
    throw new ConfigError('chat', 'VECTOR_INDEX', 'must be vertex or local with ENV=prod (memory is empty in this process)');
  }
  if (own.AUTH_CHECK_USER_ACTIVE === 'true' && !own.USER_DATABASE_URL) {
    throw new ConfigError('chat', 'USER_DATABASE_URL', 'is required with AUTH_CHECK_USER_ACTIVE=true (app_user.status is read there)');
  }
  return {
    database,
    runtime: loadRuntimeConfig('chat', env, CHAT_DEFAULTS.port),
    jwtSecret: own.JWT_SECRET,
    embedding: { provider: own.EMBEDDING_PROVIDER, dimensions: own.EMBEDDING_DIMENSIONS },
    vectorIndex,
    ...(own.AUTH_CHECK_USER_ACTIVE === 'true'
      ? { activeUsers: { userDatabaseUrl: own.USER_DATABASE_URL!, cacheTtlMs: own.AUTH_ACTIVE_USER_CACHE_SECONDS * 1000 } }
      : {}),
  };
}
