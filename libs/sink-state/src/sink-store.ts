import { withTransaction } from '@mobius/db';
import type { MartChange } from '@mobius/warehouse';
import type pg from 'pg';
import { FreshnessTally, recordFreshnessSamples, type FreshnessRow } from './freshness-samples.ts';
import {
  advanceWatermark,
  insertSyncRun,
  lockSink,
  readDocumentVersions,
  readWatermark,
  recordDocumentVersions,
  type SyncRunRecord,
} from './sink-state.ts';

/** Every default of a sink's store, in one place. */
export const SINK_STORE_DEFAULTS = {
  /**
   * How long an instance waits for another instance's run to finish before the message is retried;
   * below the bus's ack wait (60 s), so a waiting message is not redelivered meanwhile.
   */
  lockWaitMs: 30_000,
} as const;

/** A sync_runs row as a run reports it: the sink, status and the other sink's count are filled in. */
export type SinkRunRecord = Omit<SyncRunRecord, 'sink' | 'status'>;

/** What one run's transaction offers, under the sink's advisory lock (docs/sinks.md). */
export interface SinkTransaction {
  /** The run's Chat client: a sink's own SQL goes here, and commits with the watermark. */
  readonly client: pg.ClientBase;
  /** The sink's name in mobius_sink_state, mobius_document_versions and sync_runs. */
  readonly sink: string;
  /** The last mart run the sink applied; 0 before its first. */
  watermark(): Promise<number>;
  /** The version guard: `changes` without those whose document the sink holds at a HIGHER version. */
  withoutOlderVersions(changes: readonly MartChange[]): Promise<MartChange[]>;
  /** Raises the stored document versions to those of `changes` (one statement). */
  recordVersions(changes: readonly MartChange[]): Promise<void>;
  /** Rows the run made visible: one freshness sample per document is written by `finishRun`. */
  delivered(rows: Iterable<FreshnessRow>): void;
  /**
   * Sets the watermark to `run.martRunId`, records the successful run in sync_runs and, last, one
   * freshness sample per document `delivered` was told of (publish time against now).
   */
  finishRun(run: SinkRunRecord): Promise<void>;
}

/** A sink's durable state in Chat's database; the sink's own SQL runs in `withSinkLock`'s transaction. */
export interface SinkStore {
  readonly sink: string;
  /** The pool the store runs on (Chat's database), owned by the caller. */
  readonly pool: pg.Pool;
  /** Runs `work` in ONE Chat transaction holding the sink's advisory lock: all of it commits, or none. */
  withSinkLock<T>(work: (tx: SinkTransaction) => Promise<T>): Promise<T>;
  /** Records a failed run in its own transaction (the run's own transaction was rolled back). */
  recordFailedRun(run: SinkRunRecord): Promise<void>;
  /** Sets the watermark back to 0 under the lock: the next run applies every mart run again (a full resync). */
  rewind(): Promise<void>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
}

function sinkTransaction(client: pg.ClientBase, sink: string): SinkTransaction {
  const freshness = new FreshnessTally();
  return {
    client,
    sink,
    watermark: () => readWatermark(client, sink),
    async withoutOlderVersions(changes) {
      const held = await readDocumentVersions(
        client,
        sink,
        changes.map((change) => change.row.document_id),
      );
      return changes.filter((change) => (held.get(change.row.document_id.toLowerCase()) ?? 0) <= change.documentVersion);
    },
    recordVersions: (changes) =>
      recordDocumentVersions(
        client,
        sink,
        changes.map((change) => ({ documentId: change.row.document_id, documentVersion: change.documentVersion })),
      ),
    delivered: (rows) => freshness.add(rows),
    async finishRun(run) {
      if (run.martRunId !== null) await advanceWatermark(client, sink, run.martRunId);
      await insertSyncRun(client, { ...run, sink, status: 'success', errorMessage: null });
      await recordFreshnessSamples(client, sink, run.martRunId, freshness);
    },
  };
}

/** The store of sink `sink` on a pg pool (Chat's database) the caller owns (and ends). */
export function openSinkStore(pool: pg.Pool, sink: string, options: { lockWaitMs?: number } = {}): SinkStore {
  const lockWaitMs = options.lockWaitMs ?? SINK_STORE_DEFAULTS.lockWaitMs;
  return {
    sink,
    pool,
    withSinkLock: (work) =>
      withTransaction(pool, async (client) => {
        await lockSink(client, sink, lockWaitMs);
        return work(sinkTransaction(client, sink));
      }),
    recordFailedRun: (run) => withTransaction(pool, (client) => insertSyncRun(client, { ...run, sink, status: 'failure' })),
    rewind: () =>
      withTransaction(pool, async (client) => {
        await lockSink(client, sink, lockWaitMs);
        await client.query('UPDATE mobius_sink_state SET last_mart_run_id = 0, updated_at = now() WHERE sink = $1', [sink]);
      }),
    async ping() {
      await pool.query('SELECT 1');
    },
  };
}
