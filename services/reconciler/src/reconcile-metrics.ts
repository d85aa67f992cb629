import type { TargetOutcome } from '@mobius/reconcile';
import { finalReport } from '@mobius/reconcile';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The reconciler's metrics, on the service's registry. */
export interface ReconcileMetrics {
  /** Drift the last pass left (after its repair), by target and kind (missing, extra, stale, invalid). */
  drift: Gauge<'target' | 'kind'>;
  /** Drift each pass found before repairing, by target and kind. */
  found: Counter<'target' | 'kind'>;
  /** Rows and datapoints written or removed by repairs, by target. */
  repaired: Counter<'target'>;
  /** Passes, by outcome: `clean`, `repaired`, `drift_left`, `failed`, `skipped` (another instance was running one). */
  passes: Counter<'outcome'>;
  /** When the last pass finished (unix seconds). */
  lastPass: Gauge;
}

const KINDS = ['missing', 'extra', 'stale', 'invalid'] as const;

export function createReconcileMetrics(registry: Registry): ReconcileMetrics {
  return {
    drift: new Gauge({
      name: 'mobius_drift_rows',
      help: 'Drift left by the last reconciliation pass',
      labelNames: ['target', 'kind'] as const,
      registers: [registry],
    }),
    found: new Counter({
      name: 'mobius_drift_found_total',
      help: 'Drift found by reconciliation passes before repair',
      labelNames: ['target', 'kind'] as const,
      registers: [registry],
    }),
    repaired: new Counter({
      name: 'mobius_reconcile_repaired_total',
      help: 'Rows and datapoints written or removed by repairs',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
    passes: new Counter({
      name: 'mobius_reconcile_passes_total',
      help: 'Reconciliation passes by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    lastPass: new Gauge({
      name: 'mobius_reconcile_last_pass_timestamp_seconds',
      help: 'When the last reconciliation pass finished',
      registers: [registry],
    }),
  };
}

/** Records one pass's outcomes. */
export function observePass(metrics: ReconcileMetrics, outcomes: readonly TargetOutcome[]): void {
  for (const outcome of outcomes) {
    const left = finalReport(outcome);
    for (const kind of KINDS) {
      metrics.drift.set({ target: outcome.target, kind }, left[kind]);
      metrics.found.inc({ target: outcome.target, kind }, outcome.found[kind]);
    }
    if (outcome.repaired) metrics.repaired.inc({ target: outcome.target }, outcome.repaired.written);
  }
  metrics.lastPass.set(Date.now() / 1000);
}
