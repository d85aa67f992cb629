import type { AccessPolicy } from '@mobius/auth';
import { createLogger, createMetrics, type Logger } from '@mobius/service';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { VECTOR_INDEX_SERVER_DEFAULTS } from './config.ts';
import type { SearchTuning } from './index/collection.ts';
import type { HnswParameters } from './index/hnsw-graph.ts';
import { IndexRegistry } from './index/registry.ts';

export interface EmbeddedServerOptions {
  dataDir: string;
  dimensions?: number;
  /** The one index and endpoint served; default VECTOR_INDEX_SERVER_DEFAULTS' (what VECTOR_INDEX=local addresses). */
  indexId?: string;
  indexEndpointId?: string;
  /** Who may call it; default `{mode: 'none'}` (it listens on loopback, for tests and the bench). */
  access?: AccessPolicy;
  upsertSliceMs?: number;
  /** Overrides of VECTOR_INDEX_SERVER_DEFAULTS. */
  hnsw?: Partial<HnswParameters>;
  search?: Partial<SearchTuning>;
  persistDebounceMs?: number;
  persistMaxDelayMs?: number;
  logger?: Logger;
}

export interface EmbeddedServer {
  /** `http://127.0.0.1:<port>`: what VECTOR_INDEX_URL would hold. */
  url: string;
  app: FastifyInstance;
  registry: IndexRegistry;
  /** Stops listening and saves every changed index. */
  close(): Promise<void>;
}

/**
 * The local vector index server in this process, listening on a free loopback port: for tests and the
 * bench (a container runs `mobius start vector-index`, which is main.ts).
 */
export async function startVectorIndexServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const defaults = VECTOR_INDEX_SERVER_DEFAULTS;
  const logger = options.logger ?? createLogger('vector-index', 'silent');
  const registry = await IndexRegistry.open({
    dataDir: options.dataDir,
    dimensions: options.dimensions,
    indexId: options.indexId ?? defaults.indexId,
    indexEndpointId: options.indexEndpointId ?? defaults.indexEndpointId,
    upsertSliceMs: options.upsertSliceMs ?? defaults.upsertSliceMs,
    hnsw: { ...defaults.hnsw, ...options.hnsw },
    search: { ...defaults.search, ...options.search },
    persistDebounceMs: options.persistDebounceMs ?? defaults.persistDebounceMs,
    persistMaxDelayMs: options.persistMaxDelayMs ?? defaults.persistMaxDelayMs,
    logger,
  });
  const app = buildApp({ registry, access: options.access ?? { mode: 'none' }, logger, metrics: createMetrics('vector-index') });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app, registry, close: () => app.close() };
}
