/**
 * chat-sync's error: a stable `code`, retryable, and the `cause`. The sink runner (docs/sinks.md) lets
 * errors that already say whether they are retryable (the warehouse's, InvalidEventError,
 * SinkBusyError) pass through unchanged; anything else (a Postgres error on Chat) becomes this one.
 */
export class ChatSyncFailedError extends Error {
  readonly code = 'CHAT_SYNC_FAILED';
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChatSyncFailedError';
  }
}
