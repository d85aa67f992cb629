import { createPool } from '@mobius/db';
import { buildApp, loadReconcilerConfig } from '@mobius/reconciler';
import { createMetrics } from '@mobius/service';
import type { DevContext, DevService } from './types.ts';

/**
 * The reconciler as `mobius start reconciler` wires it, but on the one index the whole process shares
 * (the in-process index too), so it checks and repairs both Chat and the index. Its passes start when
 * the app listens, every RECONCILE_INTERVAL_SECONDS (default 300; 0: off), in RECONCILE_MODE.
 */
export function startReconciler(ctx: DevContext): DevService {
  const config = loadReconcilerConfig(ctx.env);
  const logger = ctx.logger('reconciler');
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle database connection failed');
  const rag = createPool(ctx.ragReadUrl, { applicationName: 'mobius-reconciler', onIdleError });
  const chat = createPool(ctx.pipeline.chatDatabaseUrl, { applicationName: 'mobius-reconciler', onIdleError });
  const app = buildApp({
    reconcile: { rag, chat, index: ctx.index, dimensions: ctx.pipeline.env.EMBEDDING_DIMENSIONS },
    targets: ['chat', 'vertex'],
    mode: config.mode,
    intervalMs: config.intervalMs,
    logger,
    metrics: createMetrics('reconciler'),
  });
  return {
    name: 'reconciler',
    app,
    async stop() {
      await Promise.all([rag.end(), chat.end()]);
    },
  };
}
