import { loadPipelineConfig, loadRuntimeConfig, type Env, type PipelineConfig, type RuntimeConfig } from '@mobius/config';

/** Every default of chat-sync's config, in one place. */
export const CHAT_SYNC_DEFAULTS = {
  /** Local port (PORT overrides it). */
  port: 8013,
} as const;

/** chat-sync's settings: where it listens, Chat (which it writes and keeps its state in), the warehouse, the bus. */
export interface ChatSyncConfig {
  runtime: RuntimeConfig;
  /** CHAT_DATABASE_URL (`chatDatabaseUrl`), WAREHOUSE / WAREHOUSE_DATABASE_URL / BQ_*, EMBEDDING_DIMENSIONS, and the bus (BUS / NATS_URL / TOPIC_PREFIX / PUBSUB_* / BUS_MODE / PUSH_*). */
  pipeline: PipelineConfig;
}

/** chat-sync's whole config (PORT, HOST, LOG_LEVEL and the pipeline's variables); throws a ConfigError naming the variable. Pure. */
export function loadChatSyncConfig(env: Env): ChatSyncConfig {
  return {
    runtime: loadRuntimeConfig('chat-sync', env, CHAT_SYNC_DEFAULTS.port),
    pipeline: loadPipelineConfig(env),
  };
}
