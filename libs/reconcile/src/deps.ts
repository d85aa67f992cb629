import type { VectorIndex } from '@mobius/vector-index';
import type pg from 'pg';
import type { ProgressListener } from './types.ts';

/** Every default of reconciliation, in one place. */
export const RECONCILE_DEFAULTS = {
  /** Hashed rows per keyset page of a check (both sides). */
  pageSize: 5_000,
  /** Rows the vertex check asks RAG about at once (why a row the index lacks cannot be indexed). */
  classifyBatch: 1_000,
  /** Ledger ids read back from the index by id per check before trusting the ledger; 0: none. */
  indexSample: 1_000,
  /** Datapoints per readDatapoints call while verifying. */
  readBatch: 100,
  /** Documents a repair reads from RAG and writes in one transaction. */
  repairDocuments: 25,
  /** Datapoints per upsert call of a repair. */
  upsertBatch: 500,
  /** How long a repair waits for the sink's lock (a running sync) before giving up this batch. */
  lockWaitMs: 30_000,
} as const;

/** What a check or a repair works on. */
export interface ReconcileDeps {
  /** RAG's database: the truth. */
  rag: pg.Pool;
  /** Chat's database: the chat target, and the sinks' state (versions, ledger, sync_runs). */
  chat: pg.Pool;
  /** The vector index; without it the vertex target cannot be checked. */
  index?: VectorIndex;
  /** The index's embedding length (EMBEDDING_DIMENSIONS). */
  dimensions: number;
  onProgress?: ProgressListener;
}

export interface CheckOptions {
  /** Only this document. */
  documentId?: string;
  pageSize?: number;
  /** Ledger ids read back from the index: a number (a random sample; any absent one widens it to all), or 'all'. */
  indexSample?: number | 'all';
  /**
   * Stops a long pass between pages and between repair batches (what was committed stays): the
   * reconciler aborts it at SIGTERM so the process stops within its grace period.
   */
  signal?: AbortSignal;
}
