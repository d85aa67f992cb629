import { loadPipelineConfig, loadRuntimeConfig, type Env, type PipelineConfig, type RuntimeConfig } from '@mobius/config';

/** Every default of the ingestor's config, in one place. */
export const INGESTOR_DEFAULTS = {
  /** Local port (PORT overrides it). */
  port: 8011,
} as const;

/** The ingestor's settings: where it listens, the RAG database it reads snapshots from, the warehouse, the bus. */
export interface IngestorConfig {
  runtime: RuntimeConfig;
  /** The RAG database, built from POSTGRES_* (`mobius dev` gives its own). */
  ragDatabaseUrl: string;
  /** WAREHOUSE / WAREHOUSE_DATABASE_URL / BQ_*, EMBEDDING_DIMENSIONS, and the bus (BUS / NATS_URL / TOPIC_PREFIX / PUBSUB_* / BUS_MODE / PUSH_*). */
  pipeline: PipelineConfig;
}

/** The ingestor's whole config; throws a ConfigError naming the variable. Pure. */
export function loadIngestorConfig(env: Env): IngestorConfig {
  const runtime = loadRuntimeConfig('ingestor', env, INGESTOR_DEFAULTS.port);
  const pipeline = loadPipelineConfig(env);
  return { runtime, ragDatabaseUrl: pipeline.ragDatabaseUrl, pipeline };
}
