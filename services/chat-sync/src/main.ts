import { loadPipelineConfig, loadRuntimeConfig, type PipelineConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import { createServiceBus, createServiceWarehouse } from '@mobius/backends';
import { createLogger, createMetrics, runService, type Logger } from '@mobius/service';
import { foldSyncRoundsAfterEachRun } from '@mobius/sink-state';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { hasSyncRunLog } from '@mobius/warehouse';
import { buildApp } from './app.ts';
import { createChatStore } from './chat-store.ts';

/** chat-sync's local default port (PORT overrides it). */
const DEFAULT_PORT = 8013;

/**
 * The entry `mobius start chat-sync` imports: importing this module starts the service. It reads the
 * environment once (CHAT_DATABASE_URL, WAREHOUSE / WAREHOUSE_DATABASE_URL,
 * EMBEDDING_DIMENSIONS, BUS / NATS_URL / TOPIC_PREFIX, PORT, HOST, LOG_LEVEL), builds the deps and
 * serves until SIGTERM, when it drains the consumer and closes every backend.
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  await startTelemetry({ service: 'chat-sync', env }); // first: tracing of pg and http is set up before any connection
  const runtime = loadRuntimeConfig('chat-sync', env, DEFAULT_PORT);
  const logger = createLogger('chat-sync', runtime.logLevel);
  const { app, close } = await buildDeps(loadPipelineConfig(env), logger);
  await runService({
    name: 'chat-sync',
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
async function buildDeps(pipeline: PipelineConfig, logger: Logger) {
  const pool = createPool(pipeline.chatDatabaseUrl, {
    applicationName: 'mobius-chat-sync',
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const warehouse = tracePort(await createServiceWarehouse('chat-sync', pipeline), 'warehouse');
  const bus = await createServiceBus('chat-sync', pipeline.env, logger);
  // After each run, fold the sinks' sync round into the warehouse's sync_runs (libs/sink-state/src/sync-rounds.ts).
  const subscribeOptions = hasSyncRunLog(warehouse) ? { middleware: [foldSyncRoundsAfterEachRun(pool, warehouse, logger)] } : {};
  const app = buildApp({ store: createChatStore(pool), warehouse, bus, logger, metrics: createMetrics('chat-sync'), subscribeOptions });
  const close = async () => {
    await bus.close();
    await warehouse.close();
    await pool.end();
  };
  return { app, close };
}

try {
  await main(process.env);
} catch (error) {
  createLogger('chat-sync').fatal({ err: error }, 'chat-sync failed to start');
  process.exit(1);
}
