import { createHash } from 'node:crypto';
import type { SyncRunLog } from '@mobius/warehouse';
import type pg from 'pg';
import { advanceWatermark, lockSink, readWatermark } from './sink-state.ts';

/**
 * Sync rounds: the warehouse's `sync_runs` (BigQuery's, as the old batch job wrote it: one row per run
 * with both counts) from Chat's per-sink `sync_runs`. Our two sinks run independently, each writing
 * its own rows in Chat (`sink`, `mart_run_id`). A round ends when BOTH sinks have applied mart run N
 * (N = the lower of their watermarks): it covers the mart runs (W, N], W being the previous round's N,
 * and is ONE warehouse row: chat-sync's `postgres_rows_written` and vertex-sync's
 * `vector_rows_upserted` summed over their runs that reached a mart run in (W, N], `mart_rows_read` the
 * larger of the two sinks' reads, started_at / finished_at spanning those runs, status `success`, and in
 * `error_message` the failed attempts on the way, if any. A round's row id is derived from (W, N).
 *
 * Rounds are folded under an advisory lock in Chat, one round per call; the round's end W is kept as
 * a watermark in `mobius_sink_state` (sink `warehouse-sync-runs`), committed after the warehouse took
 * the row. A crash between the two re-sends the round with the same id (BigQuery drops the repeat
 * within its insert-id window; Postgres by primary key); see docs/bigquery-adoption.md.
 */

/** The warehouse side: the Warehouse port's SyncRunLog (BigQuery and Postgres adapters). */
export type SyncRunLogTarget = SyncRunLog;

/** Every default of the recorder, in one place. */
export const SYNC_ROUNDS_DEFAULTS = {
  /** Its name in mobius_sink_state (the last round's mart run) and its advisory lock. */
  name: 'warehouse-sync-runs',
  /** The sinks whose rows a round folds: the Postgres one, then the vector one. */
  postgresSink: 'chat-sync',
  vectorSink: 'vertex-sync',
  /** How long a call waits for another instance's fold before giving up (the next call folds it). */
  lockWaitMs: 10_000,
} as const;

/** One folded round, as recorded. */
export interface SyncRound {
  runId: string;
  /** The mart runs (fromMartRunId, toMartRunId] it covers. */
  fromMartRunId: number;
  toMartRunId: number;
  martRowsRead: number;
  postgresRowsWritten: number;
  vectorRowsUpserted: number;
  errorMessage: string | null;
}

/** A uuid (version 5 layout) from sha256 of the round's bounds: the same round always has the same id. */
export function syncRoundId(fromMartRunId: number, toMartRunId: number): string {
  const hex = createHash('sha256').update(`mobius.sync-round:${fromMartRunId}:${toMartRunId}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface SinkTotals {
  sink: string;
  started_at: Date | null;
  finished_at: Date | null;
  read: number;
  written: number;
  vectors: number;
  failures: number;
  last_error: string | null;
}

const TOTALS_SQL = `
  SELECT sink, min(started_at) AS started_at, max(finished_at) AS finished_at,
         coalesce(sum(mart_rows_read) FILTER (WHERE status = 'success'), 0)::bigint AS read,
         coalesce(sum(postgres_rows_written) FILTER (WHERE status = 'success'), 0)::bigint AS written,
         coalesce(sum(vector_rows_upserted) FILTER (WHERE status = 'success'), 0)::bigint AS vectors,
         count(*) FILTER (WHERE status = 'failure')::int AS failures,
         (array_agg(error_message ORDER BY finished_at DESC) FILTER (WHERE status = 'failure'))[1] AS last_error
    FROM sync_runs
   WHERE sink = ANY($1::text[]) AND mart_run_id > $2 AND mart_run_id <= $3
   GROUP BY sink`;

function failuresOf(totals: readonly SinkTotals[]): string | null {
  const parts = totals
    .filter((t) => t.failures > 0)
    .map((t) => `${t.sink}: ${t.failures} failed attempt(s) before the round completed; last: ${t.last_error ?? 'unknown'}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Builds the round's row from the sinks' totals. */
function roundOf(from: number, to: number, totals: readonly SinkTotals[], now: Date) {
  const bySink = new Map(totals.map((t) => [t.sink, t]));
  const { postgresSink, vectorSink } = SYNC_ROUNDS_DEFAULTS;
  const times = (key: 'started_at' | 'finished_at') =>
    totals
      .map((t) => t[key])
      .filter((time): time is Date => time !== null)
      .map((time) => time.getTime());
  const started = times('started_at');
  const finished = times('finished_at');
  return {
    runId: syncRoundId(from, to),
    fromMartRunId: from,
    toMartRunId: to,
    startedAt: new Date(started.length > 0 ? Math.min(...started) : now.getTime()),
    finishedAt: new Date(finished.length > 0 ? Math.max(...finished) : now.getTime()),
    martRowsRead: Math.max(0, ...totals.map((t) => Number(t.read))),
    postgresRowsWritten: Number(bySink.get(postgresSink)?.written ?? 0),
    vectorRowsUpserted: Number(bySink.get(vectorSink)?.vectors ?? 0),
    status: 'success' as const,
    errorMessage: failuresOf(totals),
  };
}

/**
 * Folds the next round, if both sinks have moved past the last one: records its row in the warehouse,
 * then moves the round watermark, in one Chat transaction under the recorder's lock. Returns the round,
 * or null when there is nothing to fold. Throws what the warehouse or Chat throws (nothing moved).
 */
export async function recordSyncRound(pool: pg.Pool, log: SyncRunLogTarget): Promise<SyncRound | null> {
  const { name, postgresSink, vectorSink, lockWaitMs } = SYNC_ROUNDS_DEFAULTS;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await lockSink(client, name, lockWaitMs);
    const from = await readWatermark(client, name);
    const to = Math.min(await readWatermark(client, postgresSink), await readWatermark(client, vectorSink));
    if (to <= from) {
      await client.query('COMMIT');
      return null;
    }
    const totals = (await client.query<SinkTotals>(TOTALS_SQL, [[postgresSink, vectorSink], from, to])).rows;
    const { startedAt, finishedAt, status, ...round } = roundOf(from, to, totals, new Date());
    await log.recordSyncRun({ ...round, startedAt, finishedAt, status });
    await advanceWatermark(client, name, to);
    await client.query('COMMIT');
    return round;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A bus middleware for chat-sync and vertex-sync: after a handled message (a sink run committed), folds
 * the next sync round, best effort: a failure is logged, never fails the message (the sink's work is
 * committed; the next run folds the round).
 */
export function foldSyncRoundsAfterEachRun(
  pool: pg.Pool,
  log: SyncRunLogTarget,
  logger: { warn(details: object, message: string): void; info(details: object, message: string): void },
) {
  return <M>(next: (message: M) => Promise<void>) =>
    async (message: M): Promise<void> => {
      await next(message);
      try {
        const round = await recordSyncRound(pool, log);
        if (round) logger.info(round, 'sync round recorded in the warehouse sync_runs');
      } catch (error) {
        logger.warn({ err: error }, 'could not record the sync round in the warehouse sync_runs; the next run retries');
      }
    };
}
