import { createServiceVectorIndex } from '@mobius/backends';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics, runService, type Logger } from '@mobius/service';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { loadReconcilerConfig, type ReconcilerConfig } from './config.ts';

/**
 * The entry `mobius start reconciler` imports: importing this module starts the service. It reads the
 * environment once (POSTGRES_* for RAG, CHAT_DATABASE_URL, VECTOR_INDEX and its variables,
 * EMBEDDING_DIMENSIONS, RECONCILE_INTERVAL_SECONDS, RECONCILE_MODE, PORT, HOST, LOG_LEVEL) and serves
 * until SIGTERM, when a running pass finishes its batch and the pools close.
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  await startTelemetry({ service: 'reconciler', env });
  const config = loadReconcilerConfig(env);
  const logger = createLogger('reconciler', config.runtime.logLevel);
  const { app, close } = await buildDeps(config, logger);
  await runService({ name: 'reconciler', app, port: config.runtime.port, host: config.runtime.host, logger, shutdown: close });
}

async function buildDeps(config: ReconcilerConfig, logger: Logger) {
  const { pipeline } = config;
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle database connection failed');
  const rag = createPool(pipeline.ragDatabaseUrl, { applicationName: 'mobius-reconciler', onIdleError });
  const chat = createPool(pipeline.chatDatabaseUrl, { applicationName: 'mobius-reconciler', onIdleError });
  // An in-process index (VECTOR_INDEX=memory) lives inside vertex-sync: only Chat can be reconciled then.
  const shared = pipeline.env.VECTOR_INDEX !== 'memory';
  if (!shared) logger.warn('VECTOR_INDEX=memory lives inside vertex-sync: reconciling Chat only');
  const index = shared ? tracePort(await createServiceVectorIndex('reconciler', pipeline), 'vector-index') : undefined;
  const app = buildApp({
    reconcile: { rag, chat, dimensions: pipeline.env.EMBEDDING_DIMENSIONS, ...(index ? { index } : {}) },
    targets: shared ? ['chat', 'vertex'] : ['chat'],
    mode: config.mode,
    intervalMs: config.intervalMs,
    logger,
    metrics: createMetrics('reconciler'),
  });
  const close = async () => {
    await index?.close();
    await Promise.all([rag.end(), chat.end()]);
  };
  return { app, close };
}

try {
  await main(process.env);
} catch (error) {
  createLogger('reconciler').fatal({ err: error }, 'reconciler failed to start');
  process.exit(1);
}
