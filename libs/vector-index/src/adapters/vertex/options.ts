import type { RetryPolicy } from './retry.ts';

/** The Vertex AI resources the adapter addresses (the VERTEX_* variables of docs/contracts.md, "The vector index"). */
export interface VertexResources {
  project: string;
  region: string;
  indexId: string;
  indexEndpointId: string;
  deployedIndexId: string;
}

/** Request sizes, retries and deadlines. Tests shorten the backoff; production keeps the defaults. */
export interface VertexTuning {
  /** Datapoints per upsertDatapoints request: Vertex streaming updates take bounded requests. */
  upsertBatchSize: number;
  /** upsertDatapoints requests in flight at once within one call. */
  upsertConcurrency: number;
  /** Ids per removeDatapoints request. */
  removeBatchSize: number;
  /** Ids per readIndexDatapoints request. */
  readBatchSize: number;
  retry: RetryPolicy;
  /** Deadline of one request. */
  requestTimeoutMs: number;
}

/** Every default of the adapter, in one place. */
export const VERTEX_ADAPTER_DEFAULTS: VertexTuning = {
  upsertBatchSize: 100,
  // Two: while the index inserts one request's vectors, the next is already encoded and on its way.
  upsertConcurrency: 2,
  removeBatchSize: 1000,
  readBatchSize: 100,
  // Six attempts over roughly 8 s of backoff (more when a 429 asks for it): long enough to ride out a
  // quota window or a restart of the local server, short enough that the bus redelivers after that.
  retry: { maxAttempts: 6, initialBackoffMs: 250, backoffMultiplier: 2, maxBackoffMs: 20_000 },
  requestTimeoutMs: 60_000,
};
