import { randomUUID } from 'node:crypto';
import { insertSyncRun } from '@mobius/sink-state';
import { checkTarget } from './check.ts';
import { RECONCILE_DEFAULTS, type CheckOptions, type ReconcileDeps } from './deps.ts';
import { repairChatDocuments } from './repair-chat.ts';
import type { BatchRepair } from './repair-plan.ts';
import { repairVertexDocuments } from './repair-vertex.ts';
import { hasDrift, type Target, type TargetReport } from './types.ts';

export interface ReconcileOptions extends CheckOptions {
  mode: 'check' | 'repair';
  /** Targets in the order given; a repair of both does `vertex` first (it still finds pre-cutover ids in Chat). */
  targets: readonly Target[];
}

/** A target's outcome: the drift found and, after a repair, what was done and the drift left. */
export interface TargetOutcome {
  target: Target;
  /** The check before any repair. */
  found: TargetReport;
  repaired?: { documents: number; skipped: number; written: number; removed: number; invalid: number };
  /** After a repair: the check run again. */
  after?: TargetReport;
}

/** The last word on a target: the check after the repair, or the only check. */
export const finalReport = (outcome: TargetOutcome): TargetReport => outcome.after ?? outcome.found;

/**
 * One reconciliation pass: per target, a check; with mode `repair`, every drifted document repaired
 * in batches (each its own transaction under the sink's lock: a killed repair keeps what it committed
 * and the next pass finds the rest), a `sync_runs` row (`resync:<target>`), then a check again. Every
 * pass records its counts in `mobius_reconcile_runs`.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<TargetOutcome[]> {
  const runId = randomUUID();
  const ordered =
    options.mode === 'repair' && options.targets.includes('vertex')
      ? ['vertex' as const, ...options.targets.filter((t) => t !== 'vertex')]
      : options.targets;
  const outcomes: TargetOutcome[] = [];
  for (const target of ordered) {
    const startedAt = new Date();
    const found = await checkTarget(deps, target, options);
    const outcome: TargetOutcome = { target, found };
    if (options.mode === 'repair' && hasDrift(found)) {
      const drifted = found.documents.filter(hasDrift).map((d) => d.documentId);
      outcome.repaired = await repairDocuments(deps, target, drifted, startedAt, options.signal);
      outcome.after = await checkTarget(deps, target, options);
    }
    await recordRun(deps, runId, options.mode, startedAt, outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Repairs documents batch by batch, reporting progress, and records the repair in sync_runs. */
export async function repairDocuments(
  deps: ReconcileDeps,
  target: Target,
  documentIds: readonly string[],
  startedAt = new Date(),
  signal?: AbortSignal,
): Promise<NonNullable<TargetOutcome['repaired']>> {
  const total = { documents: 0, skipped: 0, written: 0, removed: 0, invalid: 0 };
  const repairBatch = target === 'chat' ? repairChatDocuments : repairVertexDocuments;
  try {
    for (let start = 0; start < documentIds.length; start += RECONCILE_DEFAULTS.repairDocuments) {
      signal?.throwIfAborted();
      const batch: BatchRepair = await repairBatch(deps, documentIds.slice(start, start + RECONCILE_DEFAULTS.repairDocuments));
      total.documents += batch.documents;
      total.skipped += batch.skipped;
      total.written += batch.written;
      total.removed += batch.removed;
      total.invalid += batch.invalid ?? 0;
      deps.onProgress?.({
        phase: 'repair',
        target,
        done: Math.min(start + RECONCILE_DEFAULTS.repairDocuments, documentIds.length),
        total: documentIds.length,
        unit: 'documents',
      });
    }
  } catch (error) {
    await recordSyncRun(deps, target, startedAt, total, error).catch(() => {});
    throw error;
  }
  await recordSyncRun(deps, target, startedAt, total);
  return total;
}

/** One sync_runs row per repair, as the sinks write one per run: sink `resync:chat` or `resync:vertex`. */
async function recordSyncRun(deps: ReconcileDeps, target: Target, startedAt: Date, total: { written: number }, error?: unknown): Promise<void> {
  await insertSyncRun(deps.chat, {
    sink: `resync:${target}`,
    status: error === undefined ? 'success' : 'failure',
    startedAt,
    finishedAt: new Date(),
    martRowsRead: null,
    postgresRowsWritten: target === 'chat' ? total.written : null,
    vectorRowsUpserted: target === 'vertex' ? total.written : null,
    martRunId: null,
    errorMessage: error === undefined ? null : error instanceof Error ? error.message : String(error),
  });
}

async function recordRun(deps: ReconcileDeps, runId: string, mode: string, startedAt: Date, outcome: TargetOutcome): Promise<void> {
  const report = finalReport(outcome);
  await deps.chat.query(
    `INSERT INTO mobius_reconcile_runs (run_id, target, mode, started_at, finished_at, rows_checked, missing, extra, stale,
                                        invalid, rows_repaired, documents)
     VALUES ($1, $2, $3, $4, now(), $5, $6, $7, $8, $9, $10, $11)`,
    [
      runId,
      outcome.target,
      mode,
      startedAt,
      outcome.found.ragRows,
      report.missing,
      report.extra,
      report.stale,
      report.invalid,
      outcome.repaired?.written ?? 0,
      report.documents.filter(hasDrift).length,
    ],
  );
}
