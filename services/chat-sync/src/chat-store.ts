import { CHAT_COLUMNS, type PublishedColumn } from '@mobius/contracts';
import { withTransaction } from '@mobius/db';
import type { MartChange } from '@mobius/warehouse';
import type pg from 'pg';
import {
  advanceWatermark,
  insertSyncRun,
  lockSink,
  readWatermark,
  recordDocumentVersions,
  type SyncRunRecord,
} from '@mobius/sink-state';

/** This sink's name in mobius_sink_state, mobius_document_versions and sync_runs. */
export const CHAT_SYNC_SINK = 'chat-sync';

/** Every default of the store, in one place. */
export const CHAT_STORE_DEFAULTS = {
  /**
   * How long an instance waits for another instance's run to finish before the message is retried;
   * below the bus's ack wait (60 s), so a waiting message is not redelivered meanwhile.
   */
  lockWaitMs: 30_000,
} as const;

/** What one transaction of the sink can do, under its advisory lock. */
export interface ChatSyncTransaction {
  /** The last mart run chat-sync applied; 0 before its first. */
  watermark(): Promise<number>;
  /**
   * Applies one batch of mart changes (each id once) in at most three set-based statements: upserts of
   * the live rows' 28 columns (a row whose 28 columns are all equal is not rewritten), deletes of the
   * tombstoned ids, then the document versions. A change whose document chat-sync already holds at a
   * HIGHER version is skipped. Returns the rows actually inserted, updated or deleted.
   */
  applyChanges(changes: readonly MartChange[]): Promise<number>;
  /** Sets the watermark to `run.martRunId` and records the successful run in sync_runs. */
  finishRun(run: Omit<SyncRunRecord, 'sink' | 'status' | 'errorMessage' | 'vectorRowsUpserted'>): Promise<void>;
}

/** Chat's database as chat-sync sees it. All of chat-sync's SQL lives behind this. */
export interface ChatStore {
  /** Runs `work` in ONE chat transaction holding chat-sync's advisory lock: all of it commits, or none. */
  withSinkLock<T>(work: (tx: ChatSyncTransaction) => Promise<T>): Promise<T>;
  /** Records a failed run in its own transaction (the run's own transaction was rolled back). */
  recordFailedRun(run: Omit<SyncRunRecord, 'sink' | 'status' | 'vectorRowsUpserted'>): Promise<void>;
  /**
   * Refreshes chat's `published_rag_documents` view if it exists (concurrently where its unique index
   * allows, so chat's readers are not blocked). Returns false when there is no such view.
   */
  refreshDocumentsView(): Promise<boolean>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// SQL, derived from CHAT_COLUMNS (never a hand-copied column list).

const ident = (name: string): string => `"${name}"`;
const NAMES = CHAT_COLUMNS.map((column) => ident(column.name));

/** The array type a column travels in (one array parameter per column). */
function arrayType(column: PublishedColumn): string {
  return { uuid: 'uuid[]', string: 'text[]', integer: 'int4[]', timestamp: 'timestamp[]', vector: 'jsonb[]' }[column.kind];
}

/** Row timestamps are UTC without zone; Chat's columns are timestamptz, so they are read as UTC explicitly. */
function selectValue(column: PublishedColumn): string {
  return column.kind === 'timestamp' ? `r.${ident(column.name)} AT TIME ZONE 'UTC'` : `r.${ident(column.name)}`;
}

const VERSION_PARAM = CHAT_COLUMNS.length + 1;
const SINK_PARAM = CHAT_COLUMNS.length + 2;

/** Live rows: insert, or update when any of the 28 columns differs; skipped if chat-sync holds a newer version. */
const UPSERT_LIVE = `
  INSERT INTO published_rag_metadata (${NAMES.join(', ')})
  SELECT ${CHAT_COLUMNS.map(selectValue).join(', ')}
    FROM unnest(${CHAT_COLUMNS.map((c, i) => `$${i + 1}::${arrayType(c)}`).join(', ')}, $${VERSION_PARAM}::bigint[])
         AS r(${NAMES.join(', ')}, document_version)
    LEFT JOIN mobius_document_versions v ON v.sink = $${SINK_PARAM} AND v.document_id = r.document_id
   WHERE v.document_version IS NULL OR v.document_version <= r.document_version
  ON CONFLICT (id) DO UPDATE SET ${NAMES.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}
   WHERE (${NAMES.map((n) => `published_rag_metadata.${n}`).join(', ')})
         IS DISTINCT FROM (${NAMES.map((n) => `EXCLUDED.${n}`).join(', ')})`;

/** Tombstones: delete the ids, unless chat-sync holds a newer version of their document. */
const DELETE_TOMBSTONED = `
  DELETE FROM published_rag_metadata p
   USING unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS t(id, document_id, document_version)
         LEFT JOIN mobius_document_versions v ON v.sink = $4 AND v.document_id = t.document_id
   WHERE p.id = t.id AND (v.document_version IS NULL OR v.document_version <= t.document_version)`;

const VIEW_EXISTS = `
  SELECT EXISTS (SELECT 1 FROM pg_matviews
                  WHERE schemaname = current_schema() AND matviewname = 'published_rag_documents') AS present`;

/** Postgres's code when a view cannot be refreshed concurrently (no unique index, or never populated). */
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';

// ---------------------------------------------------------------------------------------------------

async function upsertLive(client: pg.ClientBase, live: readonly MartChange[]): Promise<number> {
  if (live.length === 0) return 0;
  const params: unknown[] = CHAT_COLUMNS.map((column) => live.map((change) => change.row[column.name] ?? null));
  params.push(live.map((change) => change.documentVersion), CHAT_SYNC_SINK);
  return (await client.query(UPSERT_LIVE, params)).rowCount ?? 0;
}

async function deleteTombstoned(client: pg.ClientBase, tombstones: readonly MartChange[]): Promise<number> {
  if (tombstones.length === 0) return 0;
  const result = await client.query(DELETE_TOMBSTONED, [
    tombstones.map((change) => change.row.id),
    tombstones.map((change) => change.row.document_id),
    tombstones.map((change) => change.documentVersion),
    CHAT_SYNC_SINK,
  ]);
  return result.rowCount ?? 0;
}

function sinkTransaction(client: pg.ClientBase): ChatSyncTransaction {
  return {
    watermark: () => readWatermark(client, CHAT_SYNC_SINK),
    async applyChanges(changes) {
      // Both statements guard against the versions as they were BEFORE this batch; the versions move after.
      const written =
        (await upsertLive(client, changes.filter((change) => !change.deleted))) +
        (await deleteTombstoned(client, changes.filter((change) => change.deleted)));
      await recordDocumentVersions(
        client,
        CHAT_SYNC_SINK,
        changes.map((change) => ({ documentId: change.row.document_id, documentVersion: change.documentVersion })),
      );
      return written;
    },
    async finishRun(run) {
      if (run.martRunId !== null) await advanceWatermark(client, CHAT_SYNC_SINK, run.martRunId);
      await insertSyncRun(client, { ...run, sink: CHAT_SYNC_SINK, status: 'success', vectorRowsUpserted: null, errorMessage: null });
    },
  };
}

/** The ChatStore on a pg pool the caller owns (and ends). */
export function createChatStore(pool: pg.Pool, options: { lockWaitMs?: number } = {}): ChatStore {
  const lockWaitMs = options.lockWaitMs ?? CHAT_STORE_DEFAULTS.lockWaitMs;
  return {
    withSinkLock: (work) =>
      withTransaction(pool, async (client) => {
        await lockSink(client, CHAT_SYNC_SINK, lockWaitMs);
        return work(sinkTransaction(client));
      }),
    recordFailedRun: (run) =>
      withTransaction(pool, (client) =>
        insertSyncRun(client, { ...run, sink: CHAT_SYNC_SINK, status: 'failure', vectorRowsUpserted: null }),
      ),
    async refreshDocumentsView() {
      const exists = await pool.query<{ present: boolean }>(VIEW_EXISTS);
      if (!exists.rows[0]?.present) return false;
      try {
        await pool.query('REFRESH MATERIALIZED VIEW CONCURRENTLY published_rag_documents');
      } catch (error) {
        if ((error as { code?: string }).code !== OBJECT_NOT_IN_PREREQUISITE_STATE) throw error;
        await pool.query('REFRESH MATERIALIZED VIEW published_rag_documents');
      }
      return true;
    },
    async ping() {
      await pool.query('SELECT 1');
    },
  };
}
