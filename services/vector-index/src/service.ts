import { closeWithApp, createLogger, createMetrics, createServiceAccess, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { buildApp } from './app.ts';
import { VECTOR_INDEX_SERVER_DEFAULTS, type VectorIndexServerConfig } from './config.ts';
import type { SearchTuning } from './index/collection.ts';
import type { HnswParameters } from './index/hnsw-graph.ts';
import { IndexRegistry, type RegistryOptions } from './index/registry.ts';

const SERVICE = 'vector-index';

/** The registry's tuning: VECTOR_INDEX_SERVER_DEFAULTS, which tests and the bench may override. */
export type RegistryTuning = Partial<Pick<RegistryOptions, 'upsertSliceMs' | 'persistDebounceMs' | 'persistMaxDelayMs'>> & {
  hnsw?: Partial<HnswParameters>;
  search?: Partial<SearchTuning>;
};

/** Opens the one index the server holds (loading what was saved), tuned as VECTOR_INDEX_SERVER_DEFAULTS unless `tuning` says otherwise. */
export function openRegistry(
  where: Pick<RegistryOptions, 'dataDir' | 'dimensions' | 'indexId' | 'indexEndpointId'>,
  logger: Logger,
  tuning: RegistryTuning = {},
): Promise<IndexRegistry> {
  const defaults = VECTOR_INDEX_SERVER_DEFAULTS;
  return IndexRegistry.open({
    dataDir: where.dataDir,
    dimensions: where.dimensions,
    indexId: where.indexId,
    indexEndpointId: where.indexEndpointId,
    upsertSliceMs: tuning.upsertSliceMs ?? defaults.upsertSliceMs,
    hnsw: { ...defaults.hnsw, ...tuning.hnsw },
    search: { ...defaults.search, ...tuning.search },
    persistDebounceMs: tuning.persistDebounceMs ?? defaults.persistDebounceMs,
    persistMaxDelayMs: tuning.persistMaxDelayMs ?? defaults.persistMaxDelayMs,
    logger,
  });
}

/** What a caller may share with the server: a logger. Never closed here. */
export interface VectorIndexServerShared {
  logger?: Logger;
}

/**
 * The local vector index server's composition root (docs/architecture.md, "Composition roots"), for
 * `mobius start vector-index`: loads the saved index, serves it, and saves what changed when the app
 * closes (the registry's onClose hook, app.ts); the guard's user-directory pool closes with the app too.
 */
export async function createService(config: VectorIndexServerConfig, shared: VectorIndexServerShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const registry = await openRegistry(config, logger.child({ component: 'registry' }));
  const access = createServiceAccess(config.auth, { applicationName: `mobius-${SERVICE}`, logger });
  const app = buildApp({ registry, access: access.policy, logger, metrics: createMetrics(SERVICE) });
  closeWithApp(app, () => access.close());
  return serviceInstance(SERVICE, app, logger, {
    dataDir: config.dataDir,
    index: config.indexId,
    indexEndpoint: config.indexEndpointId,
    dimensions: config.dimensions,
  });
}
