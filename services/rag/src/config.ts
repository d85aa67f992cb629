import {
  loadBusConfig,
  loadHttpAuthConfig,
  loadRagDatabaseConfig,
  loadRuntimeConfig,
  ConfigError,
  parseEnv,
  type BusConfig,
  type DatabaseConfig,
  type Env,
  type HttpAuthConfig,
  type RuntimeConfig,
} from '@mobius/config';
import { z } from 'zod';

/** Every default of the rag service in one place. */
export const RAG_DEFAULTS = {
  /** Local port (Cloud Run sets PORT). */
  port: 8001,
  /** The contract's embedding length. */
  embeddingDimensions: 1536,
  /** Largest request body: a markdown document of a few MB. */
  bodyLimitBytes: 5 * 1024 * 1024,
} as const;

/** An optional variable: the empty string counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const positiveInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').positive('must be positive');

/** The rag service's own variables, besides DATABASE_URL/ENV, the runtime and the bus. */
export const ragServiceEnvSchema = z.object({
  /** Addition: embedder adapter (only `local`, the deterministic feature-hashing embedder, for now). */
  EMBEDDING_PROVIDER: unsetIfEmpty(z.enum(['local'], { message: 'must be local (vertex is not available yet)' })).default('local'),
  /** Addition: embedding length; every stored and published embedding must have it. */
  EMBEDDING_DIMENSIONS: unsetIfEmpty(positiveInteger).default(RAG_DEFAULTS.embeddingDimensions),
  /** Addition: largest accepted request body in bytes (larger ones get 413). */
  RAG_BODY_LIMIT_BYTES: unsetIfEmpty(positiveInteger).default(RAG_DEFAULTS.bodyLimitBytes),
  /**
   * Addition: republish the freshness canary document every this many seconds (docs/status.md);
   * unset or 0: off (the default).
   */
  PROBE_INTERVAL_SECONDS: unsetIfEmpty(z.coerce.number({ message: 'is not a number' }).int('is not an integer').min(0, 'must be 0 (off) or more')),
});

export interface RagServiceConfig {
  database: DatabaseConfig;
  runtime: RuntimeConfig;
  bus: BusConfig;
  embedding: { provider: 'local'; dimensions: number };
  bodyLimitBytes: number;
  /** The freshness canary's interval; undefined: no canary. */
  probeIntervalMs: number | undefined;
  /** Who may call the API (AUTH, MOBIUS_SERVICE_TOKEN, AUTH_ALLOWED_*, ...; docs/security.md). */
  auth: HttpAuthConfig;
}

/** The rag service's whole config from `env`; throws a ConfigError naming the wrong variable. Pure. */
export function loadRagServiceConfig(env: Env): RagServiceConfig {
  const own = parseEnv('rag', ragServiceEnvSchema, env);
  const bus = loadBusConfig('rag', env);
  const auth = loadHttpAuthConfig('rag', env);
  if (own.PROBE_INTERVAL_SECONDS && auth.mode === 'required' && !auth.serviceToken) {
    // The canary publishes through the guarded API, with the service token.
    throw new ConfigError(
      'rag',
      'MOBIUS_SERVICE_TOKEN',
      'is required with PROBE_INTERVAL_SECONDS unless AUTH=none (the canary calls the API with it)',
    );
  }
  return {
    database: loadRagDatabaseConfig(env),
    runtime: loadRuntimeConfig('rag', env, RAG_DEFAULTS.port),
    bus,
    embedding: { provider: own.EMBEDDING_PROVIDER, dimensions: own.EMBEDDING_DIMENSIONS },
    bodyLimitBytes: own.RAG_BODY_LIMIT_BYTES,
    probeIntervalMs: own.PROBE_INTERVAL_SECONDS ? own.PROBE_INTERVAL_SECONDS * 1_000 : undefined,
    auth,
  };
}
