/**
 * chat-sync's error catalogue: a stable `code`, whether a retry can help, and the `cause`. Errors that
 * already say whether they are retryable (the warehouse's, InvalidEventError, SinkBusyError) pass
 * through unchanged; anything else (a Postgres error on Chat) becomes a retryable ChatSyncFailedError.
 */
export class ChatSyncFailedError extends Error {
  readonly code = 'CHAT_SYNC_FAILED';
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChatSyncFailedError';
  }
}

/** The error to throw to the bus for `error`: itself when it carries `retryable`, else wrapped (retryable). */
export function toSinkError(error: unknown): Error {
  if (error instanceof Error && typeof (error as { retryable?: unknown }).retryable === 'boolean') return error;
  return new ChatSyncFailedError(`chat-sync run failed: ${describeError(error)}`, { cause: error });
}

/** A one-line description for logs and sync_runs.error_message (with the Postgres code when there is one). */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
