import { hasDrift, finalReport, reconcile, type ReconcileDeps, type Target, type TargetOutcome } from '@mobius/reconcile';
import type { Logger } from '@mobius/service';
import { observePass, type ReconcileMetrics } from './reconcile-metrics.ts';

/** One advisory lock for every reconciler instance: `(hashtext('mobius.reconciler'), 0)` on Chat's database. */
const TRY_LOCK_SQL = `SELECT pg_try_advisory_lock(hashtext('mobius.reconciler'), 0) AS locked`;
const UNLOCK_SQL = `SELECT pg_advisory_unlock(hashtext('mobius.reconciler'), 0)`;

export interface PassLoopOptions {
  deps: ReconcileDeps;
  targets: readonly Target[];
  mode: 'repair' | 'check';
  intervalMs: number;
  metrics: ReconcileMetrics;
  logger: Logger;
}

export interface PassLoop {
  /** Runs one pass now (unless another instance holds the lock); resolves with its outcomes, or null when skipped. */
  runOnce(): Promise<TargetOutcome[] | null>;
  stop(): Promise<void>;
}

/**
 * Runs a pass every `intervalMs` (0: never). Safe as N instances: a pass runs under a session advisory
 * lock on Chat's database, and an instance that cannot take it skips its turn. A failed pass is logged
 * and counted; the next interval tries again. `stop` aborts a running pass between pages or repair
 * batches (what it committed stays) and waits for it to end, so SIGTERM is answered within seconds.
 */
export function startPassLoop(options: PassLoopOptions): PassLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  // Aborted at stop: a pass ends between pages or repair batches, keeping what it committed.
  const shutdown = new AbortController();
  const runOnce = async (): Promise<TargetOutcome[] | null> => {
    const client = await options.deps.chat.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK_SQL);
      if (!rows[0]?.locked) {
        options.metrics.passes.inc({ outcome: 'skipped' });
        options.logger.debug('another reconciler instance is running a pass; skipping this one');
        return null;
      }
      try {
        return await pass(options, shutdown.signal);
      } finally {
        await client.query(UNLOCK_SQL);
      }
    } finally {
      client.release();
    }
  };
  const tick = () => {
    running = runOnce().catch((error: unknown) => {
      if (shutdown.signal.aborted) return options.logger.info('reconciliation pass stopped for shutdown; the next start checks again');
      options.metrics.passes.inc({ outcome: 'failed' });
      options.logger.error({ err: error }, 'reconciliation pass failed; the next interval tries again');
    });
    void running.finally(() => {
      if (!stopped) timer = setTimeout(tick, options.intervalMs);
    });
  };
  if (options.intervalMs > 0) timer = setTimeout(tick, 0);
  return {
    runOnce: () => {
      const pending = runOnce();
      running = pending.catch(() => undefined);
      return pending;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      shutdown.abort();
      await running;
    },
  };
}

async function pass(options: PassLoopOptions, signal: AbortSignal): Promise<TargetOutcome[]> {
  const started = Date.now();
  const outcomes = await reconcile(options.deps, { mode: options.mode, targets: options.targets, signal });
  observePass(options.metrics, outcomes);
  const left = outcomes.some((outcome) => hasDrift(finalReport(outcome)));
  const repaired = outcomes.some((outcome) => (outcome.repaired?.written ?? 0) > 0);
  options.metrics.passes.inc({ outcome: left ? 'drift_left' : repaired ? 'repaired' : 'clean' });
  for (const outcome of outcomes) {
    const found = { missing: outcome.found.missing, extra: outcome.found.extra, stale: outcome.found.stale, invalid: outcome.found.invalid };
    if (outcome.repaired) {
      const documents = outcome.found.documents
        .filter(hasDrift)
        .slice(0, 20)
        .map((d) => d.documentId);
      options.logger.info({ target: outcome.target, found, repaired: outcome.repaired, documents }, `reconciler repaired ${outcome.target}`);
    } else if (hasDrift(outcome.found)) {
      options.logger.warn({ target: outcome.target, found }, `reconciler found drift in ${outcome.target}`);
    }
  }
  options.logger.debug({ ms: Date.now() - started }, 'reconciliation pass done');
  return outcomes;
}
