import type { PublishedRow } from '@mobius/contracts';
import { withTransaction } from '@mobius/db';
import type { MartChange } from '@mobius/warehouse';
import type pg from 'pg';
import {
  advanceWatermark,
  FreshnessTally,
  insertSyncRun,
  lockSink,
  readDocumentVersions,
  readWatermark,
  recordDocumentVersions,
  recordFreshnessSamples,
  recordLedgerRemovals,
  recordLedgerWrites,
  type SyncRunRecord,
} from '@mobius/sink-state';

/** This sink's name in mobius_sink_state, mobius_document_versions and sync_runs. */
export const VERTEX_SYNC_SINK = 'vertex-sync';

/** Every default of the store, in one place. */
export const SINK_STORE_DEFAULTS = {
  /**
   * How long an instance waits for another instance's run to finish before the message is retried;
   * below the bus's ack wait (60 s), so a waiting message is not redelivered meanwhile.
   */
  lockWaitMs: 30_000,
} as const;

/** What one transaction of the sink can do, under its advisory lock. */
export interface VertexSyncTransaction {
  /** The last mart run vertex-sync applied; 0 before its first. */
  watermark(): Promise<number>;
  /** The version guard: `changes` without those whose document vertex-sync holds at a HIGHER version. */
  withoutOlderVersions(changes: readonly MartChange[]): Promise<MartChange[]>;
  /** Raises the stored document versions to those of `changes` (one statement). */
  recordVersions(changes: readonly MartChange[]): Promise<void>;
  /**
   * Records in the vector ledger (docs/reconcile.md) the datapoints just upserted, from their rows, and
   * the ids just removed; in this transaction, so the ledger commits with the versions and watermark.
   */
  recordLedger(upserted: readonly PublishedRow[], removedIds: readonly string[]): Promise<void>;
  /**
   * Sets the watermark to `run.martRunId`, records the successful run in sync_runs and, last, one
   * freshness sample per document whose rows `recordLedger` recorded as written (publish time against now).
   */
  finishRun(run: Omit<SyncRunRecord, 'sink' | 'status' | 'errorMessage' | 'postgresRowsWritten'>): Promise<void>;
}

/**
 * vertex-sync's durable state, which lives in Chat's database (Postgres in every environment), next
 * to chat-sync's. All of vertex-sync's SQL lives behind this.
 */
export interface SinkStore {
  /**
   * Runs `work` in ONE Chat transaction holding vertex-sync's advisory lock. The index calls happen
   * inside `work`; the watermark and versions commit only after they all succeeded.
   */
  withSinkLock<T>(work: (tx: VertexSyncTransaction) => Promise<T>): Promise<T>;
  /** Records a failed run in its own transaction (the run's own transaction was rolled back). */
  recordFailedRun(run: Omit<SyncRunRecord, 'sink' | 'status' | 'postgresRowsWritten'>): Promise<void>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
}

const versionsOf = (changes: readonly MartChange[]) =>
  changes.map((change) => ({ documentId: change.row.document_id, documentVersion: change.documentVersion }));

function sinkTransaction(client: pg.ClientBase): VertexSyncTransaction {
  const freshness = new FreshnessTally();
  return {
    watermark: () => readWatermark(client, VERTEX_SYNC_SINK),
    async withoutOlderVersions(changes) {
      const held = await readDocumentVersions(client, VERTEX_SYNC_SINK, changes.map((change) => change.row.document_id));
      return changes.filter((change) => (held.get(change.row.document_id.toLowerCase()) ?? 0) <= change.documentVersion);
    },
    recordVersions: (changes) => recordDocumentVersions(client, VERTEX_SYNC_SINK, versionsOf(changes)),
    async recordLedger(upserted, removedIds) {
      await recordLedgerWrites(client, upserted);
      await recordLedgerRemovals(client, removedIds);
      freshness.add(upserted.map((row) => ({ row })));
    },
    async finishRun(run) {
      if (run.martRunId !== null) await advanceWatermark(client, VERTEX_SYNC_SINK, run.martRunId);
      await insertSyncRun(client, { ...run, sink: VERTEX_SYNC_SINK, status: 'success', postgresRowsWritten: null, errorMessage: null });
      await recordFreshnessSamples(client, VERTEX_SYNC_SINK, run.martRunId, freshness);
    },
  };
}

/** The SinkStore on a pg pool (Chat's database) the caller owns (and ends). */
export function createSinkStore(pool: pg.Pool, options: { lockWaitMs?: number } = {}): SinkStore {
  const lockWaitMs = options.lockWaitMs ?? SINK_STORE_DEFAULTS.lockWaitMs;
  return {
    withSinkLock: (work) =>
      withTransaction(pool, async (client) => {
        await lockSink(client, VERTEX_SYNC_SINK, lockWaitMs);
        return work(sinkTransaction(client));
      }),
    recordFailedRun: (run) =>
      withTransaction(pool, (client) =>
        insertSyncRun(client, { ...run, sink: VERTEX_SYNC_SINK, status: 'failure', postgresRowsWritten: null }),
      ),
    async ping() {
      await pool.query('SELECT 1');
    },
  };
}
