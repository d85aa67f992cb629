import { closeWithApp, createLogger, createMetrics, createServiceAccess, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { buildApp } from './app.ts';
import { VECTOR_INDEX_SERVER_DEFAULTS, type VectorIndexServerConfig } from './config.ts';
import { IndexRegistry } from './index/registry.ts';

const SERVICE = 'vector-index';

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
  const defaults = VECTOR_INDEX_SERVER_DEFAULTS;
  const registry = await IndexRegistry.open({
    dataDir: config.dataDir,
    dimensions: config.dimensions,
    indexId: config.indexId,
    indexEndpointId: config.indexEndpointId,
    upsertSliceMs: defaults.upsertSliceMs,
    hnsw: defaults.hnsw,
    search: defaults.search,
    persistDebounceMs: defaults.persistDebounceMs,
    persistMaxDelayMs: defaults.persistMaxDelayMs,
    logger: logger.child({ component: 'registry' }),
  });
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
