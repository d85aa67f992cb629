import { createLogger, createMetrics, createServiceAccess, runService } from '@mobius/service';
import { startTelemetry } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { VECTOR_INDEX_SERVER_DEFAULTS, loadVectorIndexServerConfig } from './config.ts';
import { IndexRegistry } from './index/registry.ts';

const SERVICE = 'vector-index';

/**
 * The entry `mobius start vector-index` imports: importing this module starts the server. It reads the
 * environment once (VECTOR_INDEX_DATA_DIR, EMBEDDING_DIMENSIONS, VERTEX_INDEX_ID, VERTEX_INDEX_ENDPOINT_ID;
 * AUTH, MOBIUS_SERVICE_TOKEN, ...; PORT, HOST, LOG_LEVEL), loads the saved index, and serves until
 * SIGTERM, when it saves what changed and exits.
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  await startTelemetry({ service: SERVICE, env, instrumentations: ['http'] }); // first; no Postgres here
  const config = loadVectorIndexServerConfig(env);
  const logger = createLogger(SERVICE, config.runtime.logLevel);
  const registry = await IndexRegistry.open({
    dataDir: config.dataDir,
    dimensions: config.dimensions,
    indexId: config.indexId,
    indexEndpointId: config.indexEndpointId,
    upsertSliceMs: VECTOR_INDEX_SERVER_DEFAULTS.upsertSliceMs,
    hnsw: VECTOR_INDEX_SERVER_DEFAULTS.hnsw,
    search: VECTOR_INDEX_SERVER_DEFAULTS.search,
    persistDebounceMs: VECTOR_INDEX_SERVER_DEFAULTS.persistDebounceMs,
    persistMaxDelayMs: VECTOR_INDEX_SERVER_DEFAULTS.persistMaxDelayMs,
    logger: logger.child({ component: 'registry' }),
  });
  const access = createServiceAccess(config.auth, { applicationName: 'mobius-vector-index', logger });
  const app = buildApp({ registry, access: access.policy, logger, metrics: createMetrics(SERVICE) });
  await runService({
    name: SERVICE,
    app,
    port: config.runtime.port,
    host: config.runtime.host,
    logger,
    // The app's onClose hook has saved the index by now.
    shutdown: () => access.close(),
  });
}

try {
  await main(process.env);
} catch (error) {
  createLogger(SERVICE).fatal({ err: error }, 'vector-index failed to start');
  process.exit(1);
}
