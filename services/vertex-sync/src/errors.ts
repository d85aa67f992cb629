/**
 * vertex-sync's error: a stable `code`, retryable, and the `cause`. The sink runner (docs/sinks.md)
 * lets errors that already say whether they are retryable (the warehouse's, InvalidEventError,
 * SinkBusyError, the index's) pass through unchanged; anything else (a Postgres error on Chat, an index
 * failure without a code) becomes this one.
 */
export class VertexSyncFailedError extends Error {
  readonly code = 'VERTEX_SYNC_FAILED';
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VertexSyncFailedError';
  }
}
