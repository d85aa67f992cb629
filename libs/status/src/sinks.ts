import type { Warehouse } from '@mobius/warehouse';
import type { Queryable } from './deps.ts';
import { readPart } from './errors.ts';
import type { SinkStatus, SyncRunStatus } from './types.ts';

const WATERMARKS_SQL = `
  SELECT sink, last_mart_run_id::text AS watermark FROM mobius_sink_state WHERE sink = ANY($1::text[])`;

/** Each sink's most recent sync_runs row (by started_at, served by idx_sync_runs_started_at per sink). */
const LAST_RUNS_SQL = `
  SELECT s.sink, r.run_id::text AS run_id, r.status, r.started_at, r.finished_at, r.mart_rows_read,
         r.postgres_rows_written, r.vector_rows_upserted, r.error_message
    FROM unnest($1::text[]) AS s(sink)
    CROSS JOIN LATERAL (SELECT * FROM sync_runs WHERE sync_runs.sink = s.sink ORDER BY started_at DESC LIMIT 1) AS r`;

interface RunRow {
  sink: string;
  run_id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  mart_rows_read: number | null;
  postgres_rows_written: number | null;
  vector_rows_upserted: number | null;
  error_message: string | null;
}

/**
 * chat-sync and vertex-sync: the last mart run each applied (its watermark in Chat's
 * mobius_sink_state; 0 before its first run), how many mart runs the warehouse committed after it,
 * and its latest sync_runs row.
 */
export async function collectSinks(chat: Queryable, warehouse: Pick<Warehouse, 'latestMartRunId'>, sinks: readonly string[]): Promise<SinkStatus[]> {
  const [latest, watermarks, runs] = await Promise.all([
    readPart('warehouse (latest mart run)', () => warehouse.latestMartRunId()),
    readPart('sinks (mobius_sink_state)', () => chat.query<{ sink: string; watermark: string }>(WATERMARKS_SQL, [sinks])),
    readPart('sinks (sync_runs)', () => chat.query<RunRow>(LAST_RUNS_SQL, [sinks])),
  ]);
  const watermarkOf = new Map(watermarks.rows.map((row) => [row.sink, Number(row.watermark)]));
  const runOf = new Map(runs.rows.map((row) => [row.sink, toRunStatus(row)]));
  return sinks.map((name) => {
    const watermark = watermarkOf.get(name) ?? 0;
    return { name, watermark, mart_runs_behind: Math.max(0, latest - watermark), last_run: runOf.get(name) ?? null };
  });
}

function toRunStatus(row: RunRow): SyncRunStatus {
  return {
    run_id: row.run_id,
    sink: row.sink,
    status: row.status === 'success' ? 'success' : 'failure',
    started_at: row.started_at.toISOString(),
    finished_at: row.finished_at ? row.finished_at.toISOString() : null,
    mart_rows_read: row.mart_rows_read,
    postgres_rows_written: row.postgres_rows_written,
    vector_rows_upserted: row.vector_rows_upserted,
    error_message: row.error_message,
  };
}
