import {
  loadHttpAuthConfig,
  loadPipelineConfig,
  loadRuntimeConfig,
  type Env,
  type HttpAuthConfig,
  type PipelineConfig,
  type RuntimeConfig,
} from '@mobius/config';

/** Every default of vertex-sync's config, in one place. */
export const VERTEX_SYNC_DEFAULTS = {
  /** Local port (PORT overrides it). */
  port: 8014,
} as const;

/** vertex-sync's settings: where it listens, Chat (its state), the warehouse, the index, the bus, who may read the index views. */
export interface VertexSyncConfig {
  runtime: RuntimeConfig;
  /** CHAT_DATABASE_URL (`chatDatabaseUrl`), WAREHOUSE / WAREHOUSE_DATABASE_URL / BQ_*, VECTOR_INDEX and its variables, EMBEDDING_DIMENSIONS, and the bus (BUS / NATS_URL / TOPIC_PREFIX / PUBSUB_* / BUS_MODE / PUSH_*). */
  pipeline: PipelineConfig;
  /** AUTH, MOBIUS_SERVICE_TOKEN, AUTH_ALLOWED_* ... for the index views (docs/security.md). */
  auth: HttpAuthConfig;
}

/** vertex-sync's whole config; throws a ConfigError naming the variable. Pure. */
export function loadVertexSyncConfig(env: Env): VertexSyncConfig {
  return {
    runtime: loadRuntimeConfig('vertex-sync', env, VERTEX_SYNC_DEFAULTS.port),
    pipeline: loadPipelineConfig(env),
    auth: loadHttpAuthConfig('vertex-sync', env),
  };
}
