import type { ReconcileDeps, Target } from '@mobius/reconcile';
import { buildServiceApp, type Logger, type ServiceMetrics } from '@mobius/service';
import type { FastifyInstance } from 'fastify';
import { startPassLoop, type PassLoop } from './pass-loop.ts';
import { createReconcileMetrics } from './reconcile-metrics.ts';

/** The reconciler's one typed dependency object; service.ts builds it, tests build their own. */
export interface ReconcilerDeps {
  reconcile: ReconcileDeps;
  /** `chat`, plus `vertex` when the index is shared (VECTOR_INDEX=vertex or local, or one process). */
  targets: readonly Target[];
  mode: 'repair' | 'check';
  /** Between passes; 0: no passes. */
  intervalMs: number;
  logger: Logger;
  metrics: ServiceMetrics;
  /**
   * Called once the app exists and before the pass loop's hooks are added: service.ts registers there
   * (closeWithApp) the closing of its pools and index. Fastify runs onClose hooks last-registered first,
   * so a running pass ends before what it uses closes.
   */
  own?(app: FastifyInstance): void;
}

/**
 * The reconciler's app: /healthz, /readyz (RAG, Chat), /metrics (drift per target and kind, repairs,
 * passes), and the pass loop, started when the app is ready and stopped (a running pass finishes)
 * when it closes. docs/reconcile.md.
 */
export function buildApp(deps: ReconcilerDeps): FastifyInstance & { passes: () => PassLoop | undefined } {
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [
      { name: 'rag-db', check: async () => void (await deps.reconcile.rag.query('SELECT 1')) },
      { name: 'chat-db', check: async () => void (await deps.reconcile.chat.query('SELECT 1')) },
    ],
  });
  deps.own?.(app);
  const metrics = createReconcileMetrics(deps.metrics.registry);
  let loop: PassLoop | undefined;
  app.addHook('onReady', async () => {
    deps.logger.info(
      { targets: deps.targets, mode: deps.mode, intervalMs: deps.intervalMs },
      deps.intervalMs > 0 ? 'reconciler passes start' : 'reconciler passes are off (RECONCILE_INTERVAL_SECONDS=0)',
    );
    loop = startPassLoop({ ...deps, deps: deps.reconcile, metrics });
  });
  app.addHook('onClose', async () => {
    await loop?.stop();
  });
  return Object.assign(app, { passes: () => loop });
}
