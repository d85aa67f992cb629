/** An embedder failed or was misconfigured. `code` is stable; `retryable` says whether a retry can help. */
export class EmbedderError extends Error {
  constructor(
    readonly code: 'EMBEDDER_INVALID_CONFIG' | 'EMBEDDER_FAILED',
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbedderError';
  }
}
