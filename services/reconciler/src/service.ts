import { createServiceVectorIndex } from '@mobius/backends';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { closeWithApp, createLogger, createMetrics, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import type { VectorIndex } from '@mobius/vector-index';
import { buildApp } from './app.ts';
import type { ReconcilerConfig } from './config.ts';

const SERVICE = 'reconciler';

/** What `mobius dev` shares with the reconciler: the one index vertex-sync writes (the in-process one too), a logger. Never closed here. */
export interface ReconcilerShared {
  index?: VectorIndex;
  logger?: Logger;
}

/**
 * The reconciler's composition root (docs/architecture.md, "Composition roots"), for `mobius start
 * reconciler` and `mobius dev` alike: checks and repairs Chat and the index against RAG every
 * RECONCILE_INTERVAL_SECONDS, in RECONCILE_MODE (docs/reconcile.md). An index of its own
 * (VECTOR_INDEX=vertex or local) is reconciled too; an in-process one (memory) lives inside
 * vertex-sync, so only Chat is, unless `mobius dev` shares the one index of its process. The passes
 * start once the app is ready; a running pass ends before the pools and the index close.
 */
export async function createService(config: ReconcilerConfig, shared: ReconcilerShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const { pipeline } = config;
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle database connection failed');
  const rag = createPool(config.ragDatabaseUrl, { applicationName: `mobius-${SERVICE}`, onIdleError });
  const chat = createPool(pipeline.chatDatabaseUrl, { applicationName: `mobius-${SERVICE}`, onIdleError });
  const ownIndex = !shared.index && pipeline.vectorIndex.kind !== 'memory';
  if (!shared.index && !ownIndex) logger.warn('VECTOR_INDEX=memory lives inside vertex-sync: reconciling Chat only');
  const index =
    shared.index ??
    (ownIndex
      ? tracePort(
          await createServiceVectorIndex(SERVICE, pipeline).catch(async (error: unknown) => {
            await Promise.all([rag.end(), chat.end()]);
            throw error;
          }),
          'vector-index',
        )
      : undefined);
  const app = buildApp({
    reconcile: { rag, chat, dimensions: pipeline.embeddingDimensions, ...(index ? { index } : {}) },
    targets: index ? ['chat', 'vertex'] : ['chat'],
    mode: config.mode,
    intervalMs: config.intervalMs,
    logger,
    metrics: createMetrics(SERVICE),
    own(app) {
      closeWithApp(app, () => Promise.all([rag.end(), chat.end()]));
      if (ownIndex) closeWithApp(app, () => index?.close());
    },
  });
  return serviceInstance(SERVICE, app, logger, {
    ragDatabase: maskUrl(config.ragDatabaseUrl),
    chatDatabase: maskUrl(pipeline.chatDatabaseUrl),
    vectorIndex: shared.index ? 'shared' : ownIndex ? pipeline.vectorIndex.kind : 'none (memory: Chat only)',
    mode: config.mode,
    intervalSeconds: config.intervalMs / 1000,
  });
}
