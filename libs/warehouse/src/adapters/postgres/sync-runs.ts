import type pg from 'pg';
import { InvalidArgumentError } from '../../errors.ts';
import type { SyncRunRecord } from '../bigquery/sync-runs.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The local warehouse's side of SyncRunLog: one row in `mobius_rag.sync_runs` (the same columns as
 * BigQuery's). Recording a run id that is already there changes nothing (as BigQuery's insert-id dedup
 * does, but exactly).
 */
export async function recordSyncRun(pool: pg.Pool, run: SyncRunRecord): Promise<void> {
  if (!UUID.test(run.runId)) throw new InvalidArgumentError(`runId must be a uuid, got ${run.runId}`);
  await pool.query(
    `INSERT INTO mobius_rag.sync_runs (run_id, started_at, finished_at, mart_rows_read, postgres_rows_written,
                                       vector_rows_upserted, status, error_message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (run_id) DO NOTHING`,
    [run.runId, run.startedAt, run.finishedAt, run.martRowsRead, run.postgresRowsWritten, run.vectorRowsUpserted, run.status, run.errorMessage],
  );
}
