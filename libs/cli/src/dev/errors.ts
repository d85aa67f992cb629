/**
 * Why `mobius dev` could not start or stop. `code` is stable; none is retryable by the caller as it
 * is (each message says what to change), and `cause` keeps the underlying error.
 * - DEV_DATA_DIR: the data directory is in use by another `mobius dev`, or unusable.
 * - DEV_POSTGRES: the embedded Postgres could not be initialised, started or stopped.
 * - DEV_PORT: a port is taken or invalid.
 * - DEV_SAMPLES: the sample manifest is invalid or a sample could not be published.
 * - DEV_RUNNING: `mobius dev reset` was asked to delete the data directory of a running dev.
 */
export class DevError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: 'DEV_DATA_DIR' | 'DEV_POSTGRES' | 'DEV_PORT' | 'DEV_SAMPLES' | 'DEV_RUNNING',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevError';
  }
}
