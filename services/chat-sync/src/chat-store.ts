import { withTransaction } from '@mobius/db';
import type { MartChange } from '@mobius/warehouse';
import type pg from 'pg';
import {
  advanceWatermark,
  deleteChatRows,
  FreshnessTally,
  insertSyncRun,
  lockSink,
  readWatermark,
  recordDocumentVersions,
  recordFreshnessSamples,
  upsertChatRows,
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
  /**
   * Sets the watermark to `run.martRunId`, records the successful run in sync_runs and, last, one
   * freshness sample per document whose live rows this transaction applied (publish time against now).
   */
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

const VIEW_EXISTS = `
  SELECT EXISTS (SELECT 1 FROM pg_matviews
                  WHERE schemaname = current_schema() AND matviewname = 'published_rag_documents') AS present`;

/** Postgres's code when a view cannot be refreshed concurrently (no unique index, or never populated). */
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';

function sinkTransaction(client: pg.ClientBase): ChatSyncTransaction {
  const freshness = new FreshnessTally();
  return {
    watermark: () => readWatermark(client, CHAT_SYNC_SINK),
    async applyChanges(changes) {
      // Both statements guard against the versions as they were BEFORE this batch; the versions move after.
      const written =
        (await upsertChatRows(client, CHAT_SYNC_SINK, changes.filter((change) => !change.deleted))) +
        (await deleteChatRows(client, CHAT_SYNC_SINK, changes.filter((change) => change.deleted)));
      await recordDocumentVersions(
        client,
        CHAT_SYNC_SINK,
        changes.map((change) => ({ documentId: change.row.document_id, documentVersion: change.documentVersion })),
      );
      freshness.add(changes);
      return written;
    },
    async finishRun(run) {
      if (run.martRunId !== null) await advanceWatermark(client, CHAT_SYNC_SINK, run.martRunId);
      await insertSyncRun(client, { ...run, sink: CHAT_SYNC_SINK, status: 'success', vectorRowsUpserted: null, errorMessage: null });
      await recordFreshnessSamples(client, CHAT_SYNC_SINK, run.martRunId, freshness);
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
