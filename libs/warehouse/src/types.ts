import type { PublishedRow } from '@mobius/contracts';

/**
 * The Warehouse port: landing (append-only document snapshots) and the mart (per document, the rows of
 * its latest snapshot; ids absent from it become tombstones). docs/architecture.md, "Why it stays correct" 3-5.
 */

/** Which document snapshot is being landed: one document at one RAG version. */
export interface SnapshotHeader {
  documentId: string;
  /** The version RAG assigned (our `document_version`, or the event's position in the document's history). */
  documentVersion: number;
  publishEventId: string | null;
  eventType: 'published' | 'unpublished';
}

/** A snapshot to land: its header and its rows, streamed in batches (never a whole table in memory). */
export interface SnapshotToLand extends SnapshotHeader {
  /** Rows of the snapshot; an empty snapshot means the document is gone (every id becomes a tombstone). */
  rows: AsyncIterable<PublishedRow[]>;
}

export interface LandedBatch {
  /** Derived from (documentId, documentVersion): landing the same snapshot twice lands it once. */
  batchId: string;
  documentId: string;
  documentVersion: number;
  rowCount: number;
  /** True when this batch was already landed by an earlier call (nothing written this time). */
  alreadyLanded: boolean;
}

/** One committed mart run. Runs are serialized and numbered 1, 2, 3 ... in commit order. */
export interface MartRun {
  runId: number;
  /** Landing batches this run recorded as merged, including those older than the mart's (no effect). */
  batchesMerged: number;
  /** Documents this run advanced to a newer snapshot (`documents` of warehouse.mart_updated). */
  documents: number;
  /** Rows written: new ids, changed rows, and tombstones brought back to life. */
  rowsUpserted: number;
  /** Live rows this run turned into tombstones. */
  rowsTombstoned: number;
}

/** A mart row that changed in a run: its current values, or a tombstone. */
export interface MartChange {
  row: PublishedRow;
  /** True for a tombstone: the sinks delete this id. `row` then holds the last values it had. */
  deleted: boolean;
  documentVersion: number;
  martRunId: number;
}

/** How readMartChanges reads. */
export interface ReadMartChangesOptions {
  /**
   * Read each row's embedding (default true). A sink that does not hold embeddings (chat-sync) passes
   * false: the adapter does not read the column, and every row's `embedding` is null.
   */
  embedding?: boolean;
}

export interface Warehouse {
  /** Creates what the adapter needs (idempotent); on Postgres the migrations do this. */
  ensureSchema(): Promise<void>;
  /**
   * Lands snapshots in one write (bursts of events become one landing transaction). Idempotent: a
   * snapshot already landed is reported `alreadyLanded` and not written again.
   */
  landSnapshots(snapshots: SnapshotToLand[]): Promise<LandedBatch[]>;
  /**
   * Merges every landing batch not yet merged (anti-join, so a batch that committed late is never
   * skipped) as ONE run: per document the highest version wins; an older snapshot than the mart's is
   * recorded as merged and changes nothing; rows equal in all 29 columns are not rewritten; ids of the
   * document missing from the winner become tombstones. Serialized: concurrent callers wait.
   * Returns null when there was nothing to merge.
   */
  mergePendingBatches(): Promise<MartRun | null>;
  /** The highest committed run id, 0 before the first run. */
  latestMartRunId(): Promise<number>;
  /**
   * Mart rows changed by runs in (afterRunId, upToRunId], in batches of at most `batchSize`, ordered
   * by (martRunId, id). Each id appears once, with its latest state as of `upToRunId`. The mart keeps
   * only each id's current state: an id changed again by a run after `upToRunId` is left out here and
   * comes with that run's range instead (which is what a sink reading range after range needs). Runs
   * committed after the read started are never included, even when `upToRunId` is beyond them.
   * With `options.embedding: false` the rows come without their embedding (null), unread.
   */
  readMartChanges(afterRunId: number, upToRunId: number, batchSize: number, options?: ReadMartChangesOptions): AsyncIterable<MartChange[]>;
  close(): Promise<void>;
}
