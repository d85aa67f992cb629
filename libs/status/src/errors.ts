/**
 * One part of the status could not be read (a database or the warehouse did not answer). Retryable:
 * `mobius status --watch` and the console try again on their next refresh. The message names the part.
 */
export class StatusUnavailableError extends Error {
  readonly code = 'STATUS_UNAVAILABLE';
  readonly retryable = true;

  constructor(
    readonly part: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`cannot read the ${part}: ${reason}`, options);
    this.name = 'StatusUnavailableError';
  }
}

/** Runs one part's read, wrapping a failure in StatusUnavailableError naming the part. */
export async function readPart<T>(part: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new StatusUnavailableError(part, { cause: error });
  }
}
