import type { SyncRunStatus } from '@mobius/status';
import type pg from 'pg';
import type { SyncRunsSource } from '../types.ts';

/**
 * The newest rows of Chat's `sync_runs` (chat-sync's, vertex-sync's and the reconciler's
 * `resync:*` repairs), newest first, by the started_at index. Times as ISO-8601 UTC.
 */
const RECENT_SQL = `
  SELECT run_id::text, sink, status,
         to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
         to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at,
         mart_rows_read, postgres_rows_written, vector_rows_upserted, error_message
    FROM sync_runs
   ORDER BY started_at DESC
   LIMIT $1`;

/** Recent sync runs of Chat's database `chat` (read-only). */
export function syncRunsFrom(chat: pg.Pool): SyncRunsSource {
  return async (limit) => {
    const { rows } = await chat.query<SyncRunStatus>(RECENT_SQL, [limit]);
    return rows.map((row) => ({ ...row, status: row.status === 'success' ? 'success' : 'failure' }));
  };
}
