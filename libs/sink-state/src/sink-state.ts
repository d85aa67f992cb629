import { randomUUID } from 'node:crypto';
import { MobiusError } from '@mobius/contracts';
import type pg from 'pg';

/**
 * A sink's durable state in Chat's database (migration 004): its watermark (`mobius_sink_state`), its
 * per-document version guard (`mobius_document_versions`) and its audit rows (`sync_runs`). Every
 * function runs on the caller's client, inside the caller's transaction.

 */

/** Postgres's code for a lock wait that hit lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** One sink's advisory lock key space: `(hashtext('mobius.sink'), hashtext(sink))`. */
const SINK_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('mobius.sink'), hashtext($1))`;

/** Thrown when another instance of the sink held its lock for longer than the wait allowed. Retryable. */
export class SinkBusyError extends MobiusError {
  declare readonly code: 'SINK_BUSY';
  declare readonly retryable: true;

  constructor(sink: string, waitMs: number, options?: { cause?: unknown }) {
    super('SINK_BUSY', `${sink}: another instance held the sink lock for more than ${waitMs} ms`, true, options);
  }
}

/**
 * Takes the sink's transaction-scoped advisory lock, waiting at most `waitMs`: two instances of one
 * sink never apply runs at the same time; the second waits, then finds the first one's watermark.
 * Released by the transaction's COMMIT or ROLLBACK.
 */
export async function lockSink(client: pg.ClientBase, sink: string, waitMs: number): Promise<void> {
  await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
  try {
    await client.query(SINK_LOCK_SQL, [sink]);
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new SinkBusyError(sink, waitMs, { cause: error });
    throw error;
  }
  // Statements after the lock wait on ordinary row locks as usual.
  await client.query('SET LOCAL lock_timeout TO DEFAULT');
}

/** The last mart run the sink applied; 0 before its first run. */
export async function readWatermark(client: pg.ClientBase, sink: string): Promise<number> {
  const result = await client.query<{ run: string }>('SELECT last_mart_run_id::text AS run FROM mobius_sink_state WHERE sink = $1', [sink]);
  return Number(result.rows[0]?.run ?? 0);
}

/** Moves the watermark forward to `martRunId` (never backward). */
export async function advanceWatermark(client: pg.ClientBase, sink: string, martRunId: number): Promise<void> {
  await client.query(
    `INSERT INTO mobius_sink_state (sink, last_mart_run_id, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (sink) DO UPDATE
        SET last_mart_run_id = GREATEST(mobius_sink_state.last_mart_run_id, EXCLUDED.last_mart_run_id),
            updated_at = now()`,
    [sink, martRunId],
  );
}

/** A document at a version, as a mart change carries it. */
export interface DocumentVersion {
  documentId: string;
  documentVersion: number;
}

/** The versions the sink holds for these documents (documents it never applied are absent). */
export async function readDocumentVersions(client: pg.ClientBase, sink: string, documentIds: readonly string[]): Promise<Map<string, number>> {
  const result = await client.query<{ document_id: string; document_version: string }>(
    `SELECT document_id, document_version::text AS document_version FROM mobius_document_versions
      WHERE sink = $1 AND document_id = ANY($2::uuid[])`,
    [sink, [...new Set(documentIds)]],
  );
  return new Map(result.rows.map((row) => [row.document_id, Number(row.document_version)]));
}

/** Raises each document's stored version to the highest one given (never lowers it). One statement. */
export async function recordDocumentVersions(client: pg.ClientBase, sink: string, versions: readonly DocumentVersion[]): Promise<void> {
  if (versions.length === 0) return;
  await client.query(
    `INSERT INTO mobius_document_versions (sink, document_id, document_version)
     SELECT $1, t.document_id, max(t.document_version)
       FROM unnest($2::uuid[], $3::bigint[]) AS t(document_id, document_version)
      GROUP BY t.document_id
     ON CONFLICT (sink, document_id) DO UPDATE SET document_version = EXCLUDED.document_version
      WHERE mobius_document_versions.document_version < EXCLUDED.document_version`,
    [sink, versions.map((v) => v.documentId), versions.map((v) => v.documentVersion)],
  );
}

/** One `sync_runs` row. Counts a sink does not have are null. */
export interface SyncRunRecord {
  sink: string;
  status: 'success' | 'failure';
  startedAt: Date;
  finishedAt: Date;
  martRowsRead: number | null;
  postgresRowsWritten: number | null;
  vectorRowsUpserted: number | null;
  /** The mart run the sink reached (success) or was bringing itself to (failure; null if not known yet). */
  martRunId: number | null;
  errorMessage: string | null;
}

/** Inserts one audit row (operators read sync_runs; chat never does). */
export async function insertSyncRun(client: pg.ClientBase | pg.Pool, run: SyncRunRecord): Promise<void> {
  await client.query(
    `INSERT INTO sync_runs (run_id, started_at, finished_at, mart_rows_read, postgres_rows_written,
                            vector_rows_upserted, status, error_message, sink, mart_run_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      randomUUID(),
      run.startedAt,
      run.finishedAt,
      run.martRowsRead,
      run.postgresRowsWritten,
      run.vectorRowsUpserted,
      run.status,
      run.errorMessage,
      run.sink,
      run.martRunId,
    ],
  );
}
