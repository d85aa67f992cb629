import type { BigQuery } from '@google-cloud/bigquery';
import { InvalidArgumentError } from '../../errors.ts';
import { type InsertPolicy, insertAllExactly } from './insert-all.ts';
import { insertIdOf } from './rows.ts';
import { type Datasets, datasetOf, SYNC_RUNS } from './tables.ts';

/** One sink run, with the columns of chat's sync_runs (docs/contracts.md, "Chat's database"). */
export interface SyncRunRecord {
  runId: string;
  startedAt: Date;
  finishedAt: Date | null;
  martRowsRead: number | null;
  postgresRowsWritten: number | null;
  vectorRowsUpserted: number | null;
  status: 'success' | 'failure';
  errorMessage: string | null;
}

/**
 * A warehouse that also keeps `sync_runs` audit rows: one per sync round of the sinks
 * (libs/sink-state/src/sync-rounds.ts). Both adapters implement it.
 */
export interface SyncRunLog {
  /**
   * Appends one audit row. Recording the same run id again records it once: exactly on Postgres (primary
   * key), within BigQuery's insert-id dedup window (at least a minute) on BigQuery.
   */
  recordSyncRun(run: SyncRunRecord): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Streams one sync_runs row into the mart dataset (append-only: no DML, no mutation quota). */
export async function recordSyncRun(context: { client: BigQuery; datasets: Datasets; insert: InsertPolicy }, run: SyncRunRecord): Promise<void> {
  if (!UUID.test(run.runId)) throw new InvalidArgumentError(`runId must be a uuid, got ${run.runId}`);
  const table = context.client.dataset(datasetOf(context.datasets, SYNC_RUNS)).table(SYNC_RUNS.name);
  const row = {
    insertId: insertIdOf(run.runId.toLowerCase(), 'sync_run'),
    label: `sync run ${run.runId}`,
    json: {
      run_id: run.runId.toLowerCase(),
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      mart_rows_read: run.martRowsRead,
      postgres_rows_written: run.postgresRowsWritten,
      vector_rows_upserted: run.vectorRowsUpserted,
      status: run.status,
      error_message: run.errorMessage,
    },
  };
  await insertAllExactly(table, [row], context.insert, `sync run ${run.runId}`);
}
