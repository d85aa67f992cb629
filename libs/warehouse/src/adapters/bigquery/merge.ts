import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery } from '@google-cloud/bigquery';
import type { MartRun } from '../../types.ts';
import { isTransactionConflict } from './bigquery-errors.ts';
import { type JobOptions, runQuery } from './jobs.ts';
import { mergeQuery } from './merge-sql.ts';
import type { Datasets } from './tables.ts';

export interface MergeContext {
  client: BigQuery;
  datasets: Datasets;
  jobs: JobOptions;
  /** Tries of a merge whose transaction BigQuery cancelled for a concurrent merge, the first included. */
  conflictAttempts: number;
  /** Wait before the first new try; doubles (with jitter) up to `conflictBackoffMaxMs`. */
  conflictBackoffMs: number;
  conflictBackoffMaxMs: number;
  /** How much earlier than its header a snapshot's rows may have landed (insert-id dedup window). */
  dedupWindowMinutes: number;
  /** Written to mart_lock.claimed_by: which instance ran the run, for operators. */
  claimant: string;
}

function toMartRun(row: Record<string, unknown> | undefined): MartRun | null {
  if (row === undefined || row.run_id === null || row.run_id === undefined) return null;
  return {
    runId: Number(row.run_id),
    batchesMerged: Number(row.batches_merged),
    documents: Number(row.documents),
    rowsUpserted: Number(row.rows_upserted),
    rowsTombstoned: Number(row.rows_tombstoned),
  };
}

function backoff(context: MergeContext, attempt: number): number {
  const ceiling = Math.min(context.conflictBackoffMs * 2 ** (attempt - 1), context.conflictBackoffMaxMs);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Runs the merge script (merge-sql.ts) as one job and returns its run, or null when nothing was
 * pending. A try that lost the race to a concurrent merge (BigQuery cancelled its transaction, which
 * rolled back everything) is run again after a jittered wait, so concurrent callers effectively wait
 * for each other; after `conflictAttempts` tries the conflict is thrown (and reported as retryable).
 */
export async function mergePendingBatches(context: MergeContext): Promise<MartRun | null> {
  const statement = mergeQuery(context.datasets, {
    dedupWindowMinutes: context.dedupWindowMinutes,
    claimant: context.claimant,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await runQuery(context.client, statement, { ...context.jobs, purpose: 'merge', readRows: true });
      return toMartRun(rows[0]);
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= context.conflictAttempts) throw error;
      await sleep(backoff(context, attempt));
    }
  }
}
