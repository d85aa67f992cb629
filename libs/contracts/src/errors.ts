/**
 * The base of every Mobius error (docs/architecture.md): a stable `code` a caller may branch
 * on, whether a retry can help (`retryable`: the bus retries only those, a client may), and the HTTP
 * status an API answers when the error reaches the one error handler (@mobius/service
 * `installErrorHandler`), so that mapping is written once rather than in every route.
 *
 * It lives here, in @mobius/contracts, because this is the one workspace with no dependency of its own
 * that the lowest layers can all import without a cycle: @mobius/config (ConfigError), @mobius/db
 * (DbError), @mobius/bus (BusError), @mobius/service (HttpError). The error's shape is part of the
 * contract between those layers, like the events and topics beside it.
 */
export class MobiusError extends Error {
  /** What an HTTP API answers with: given, else 503 when a retry can help (a backend is down), else 500. */
  readonly httpStatus: number;

  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; httpStatus?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.httpStatus = options?.httpStatus ?? (retryable ? 503 : 500);
  }
}

/**
 * A message that can never be processed: unparseable, the wrong type, or invalid against its schema.
 * Not retryable, so the bus sends it to the dead-letter topic at once with this message as the reason.
 */
export class InvalidEventError extends MobiusError {
  declare readonly code: 'EVENT_INVALID';
  declare readonly retryable: false;

  constructor(message: string, options?: { cause?: unknown }) {
    super('EVENT_INVALID', message, false, options);
  }
}
