import { loadPipelineConfig, loadRuntimeConfig, type Env, type PipelineConfig, type RuntimeConfig } from '@mobius/config';

/** Every default of the mart-builder's config, in one place. */
export const MART_BUILDER_DEFAULTS = {
  /** Local port (PORT overrides it). */
  port: 8012,
} as const;

/** The mart-builder's settings: where it listens, the warehouse it merges, the bus. */
export interface MartBuilderConfig {
  runtime: RuntimeConfig;
  /** WAREHOUSE / WAREHOUSE_DATABASE_URL / BQ_*, EMBEDDING_DIMENSIONS, and the bus (BUS / NATS_URL / TOPIC_PREFIX / PUBSUB_* / BUS_MODE / PUSH_*). */
  pipeline: PipelineConfig;
}

/** The mart-builder's whole config; throws a ConfigError naming the variable. Pure. */
export function loadMartBuilderConfig(env: Env): MartBuilderConfig {
  return {
    runtime: loadRuntimeConfig('mart-builder', env, MART_BUILDER_DEFAULTS.port),
    pipeline: loadPipelineConfig(env),
  };
}
