import { loadHttpAuthConfig, loadRuntimeConfig, parseEnv, type Env, type HttpAuthConfig, type RuntimeConfig } from '@mobius/config';
import { LOCAL_VERTEX_RESOURCES } from '@mobius/vector-index';
import { z } from 'zod';
import type { SearchTuning } from './index/collection.ts';
import type { HnswParameters } from './index/hnsw-graph.ts';

/** Every default of the local vector index server, in one place. */
export const VECTOR_INDEX_SERVER_DEFAULTS = {
  /** Local port (PORT overrides it). */
  port: 8015,
  /** Where indexes are saved, relative to the working directory. */
  dataDir: '.mobius/vector-index',
  /** Largest request body: an upsert of 1,000 datapoints of 1536 floats as JSON is about 30 MB. */
  bodyLimitBytes: 64 * 1024 * 1024,
  /** The index and endpoint served when VERTEX_INDEX_ID / VERTEX_INDEX_ENDPOINT_ID are unset: what VECTOR_INDEX=local clients address by default. */
  indexId: LOCAL_VERTEX_RESOURCES.indexId,
  indexEndpointId: LOCAL_VERTEX_RESOURCES.indexEndpointId,
  /** Longest run of inserting before an upsert yields to queries (one event-loop turn of work). */
  upsertSliceMs: 10,
  /** Save once writes have paused this long... */
  persistDebounceMs: 2_000,
  /** ...or at the latest this long after the first unsaved write (a save rewrites the whole index). */
  persistMaxDelayMs: 30_000,
  /** hnswlib parameters; see bench/vector-index.ts for what they give at 100k x 1536. */
  hnsw: { m: 16, efConstruction: 64, efSearch: 256, initialCapacity: 1_024, randomSeed: 100 } satisfies HnswParameters,
  /** When an exact scan beats the graph (see SearchTuning), and how far crowded queries over-fetch. */
  search: { exactScanCostFactor: 4, crowdingOverfetch: 4 } satisfies SearchTuning,
} as const;

/** An optional variable: the empty string counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const positiveInteger = z.coerce.number({ message: 'is not a number' }).int('is not an integer').positive('must be positive');

const resourceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be 1-128 letters, digits, _ or -');

/** The server's own variables, besides PORT, HOST, LOG_LEVEL and who may call it (httpAuthEnvSchema). */
export const vectorIndexServerEnvSchema = z.object({
  /** Addition: the directory indexes are saved in (one subdirectory per index). */
  VECTOR_INDEX_DATA_DIR: unsetIfEmpty(z.string()).default(VECTOR_INDEX_SERVER_DEFAULTS.dataDir),
  /** Every index's dimension; unset, each index takes its first datapoint's. */
  EMBEDDING_DIMENSIONS: unsetIfEmpty(positiveInteger),
  /** The one index the server holds; a call on any other index id is NOT_FOUND. */
  VERTEX_INDEX_ID: unsetIfEmpty(resourceName).default(VECTOR_INDEX_SERVER_DEFAULTS.indexId),
  /** The one index endpoint that serves it; a call on any other endpoint is NOT_FOUND. */
  VERTEX_INDEX_ENDPOINT_ID: unsetIfEmpty(resourceName).default(VECTOR_INDEX_SERVER_DEFAULTS.indexEndpointId),
});

export interface VectorIndexServerConfig {
  runtime: RuntimeConfig;
  dataDir: string;
  dimensions?: number;
  indexId: string;
  indexEndpointId: string;
  /** Who may call the Vertex routes and the /mobius/ extensions (AUTH, MOBIUS_SERVICE_TOKEN, ...). */
  auth: HttpAuthConfig;
}

/** The server's config from `env`; throws a ConfigError naming the wrong variable. Pure. */
export function loadVectorIndexServerConfig(env: Env): VectorIndexServerConfig {
  const own = parseEnv('vector-index', vectorIndexServerEnvSchema, env);
  return {
    runtime: loadRuntimeConfig('vector-index', env, VECTOR_INDEX_SERVER_DEFAULTS.port),
    dataDir: own.VECTOR_INDEX_DATA_DIR,
    dimensions: own.EMBEDDING_DIMENSIONS,
    indexId: own.VERTEX_INDEX_ID,
    indexEndpointId: own.VERTEX_INDEX_ENDPOINT_ID,
    auth: loadHttpAuthConfig('vector-index', env),
  };
}
