import { loadHttpAuthConfig, loadPipelineConfig, loadRuntimeConfig, type HttpAuthConfig, type PipelineConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import { createServiceBus, createServiceVectorIndex, createServiceWarehouse } from '@mobius/backends';
import { createLogger, createMetrics, createServiceAccess, runService, type Logger } from '@mobius/service';
import { foldSyncRoundsAfterEachRun } from '@mobius/sink-state';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { hasSyncRunLog } from '@mobius/warehouse';
import { buildApp } from './app.ts';
import { createSinkStore } from './sink-store.ts';

/** vertex-sync's local default port (PORT overrides it). */
const DEFAULT_PORT = 8014;

/**
 * The entry `mobius start vertex-sync` imports: importing this module starts the service. It reads the
 * environment once (CHAT_DATABASE_URL, where its state lives; WAREHOUSE / WAREHOUSE_DATABASE_URL;
 * VECTOR_INDEX; EMBEDDING_DIMENSIONS; BUS / NATS_URL / TOPIC_PREFIX; AUTH, MOBIUS_SERVICE_TOKEN, ... for the
 * index views; PORT, HOST, LOG_LEVEL), builds the
 * deps and serves until SIGTERM, when it drains the consumer and closes every backend.
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  await startTelemetry({ service: 'vertex-sync', env }); // first: tracing of pg and http is set up before any connection
  const runtime = loadRuntimeConfig('vertex-sync', env, DEFAULT_PORT);
  const logger = createLogger('vertex-sync', runtime.logLevel);
  const { app, close } = await buildDeps(loadPipelineConfig(env), loadHttpAuthConfig('vertex-sync', env), logger);
  await runService({
    name: 'vertex-sync',
    app,
    port: runtime.port,
    host: runtime.host,
    logger,
    shutdown: async () => {
      await close();
    },
  });
}

/** Builds the backends the config selects and the app on them; `close` ends the backends. */
async function buildDeps(pipeline: PipelineConfig, auth: HttpAuthConfig, logger: Logger) {
  const dimensions = pipeline.env.EMBEDDING_DIMENSIONS;
  const pool = createPool(pipeline.chatDatabaseUrl, {
    applicationName: 'mobius-vertex-sync',
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const warehouse = tracePort(await createServiceWarehouse('vertex-sync', pipeline), 'warehouse');
  const index = tracePort(await createServiceVectorIndex('vertex-sync', pipeline), 'vector-index');
  const bus = await createServiceBus('vertex-sync', pipeline.env, logger);
  const store = createSinkStore(pool);
  // After each run, fold the sinks' sync round into the warehouse's sync_runs (libs/sink-state/src/sync-rounds.ts).
  const subscribeOptions = hasSyncRunLog(warehouse) ? { middleware: [foldSyncRoundsAfterEachRun(pool, warehouse, logger)] } : {};
  const access = createServiceAccess(auth, { applicationName: 'mobius-vertex-sync-auth', logger });
  const app = buildApp({ store, warehouse, index, dimensions, bus, access: access.policy, logger, metrics: createMetrics('vertex-sync'), subscribeOptions });
  const close = async () => {
    await access.close();
    await bus.close();
    await index.close();
    await warehouse.close();
    await pool.end();
  };
  return { app, close };
}

try {
  await main(process.env);
} catch (error) {
  createLogger('vertex-sync').fatal({ err: error }, 'vertex-sync failed to start');
  process.exit(1);
}
