import { MobiusError } from '@mobius/contracts/errors';

/**
 * Base of every database error: a stable `code`, whether a retry can help, and the `cause`. A
 * retryable one (the server is unreachable) answers 503 through the HTTP error handler, others 500.
 */
export class DbError extends MobiusError {}

/** The server did not answer, refused, or rejected the login. `target` is the masked URL. */
export class DatabaseUnreachableError extends DbError {
  constructor(
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('DB_UNREACHABLE', `cannot reach ${target}: ${reason}`, true, options);
  }
}

/** The database does not exist, and this run may not create it (prod, or a dry run). */
export class DatabaseMissingError extends DbError {
  constructor(
    readonly target: string,
    hint: string,
  ) {
    super('DB_MISSING', `database does not exist: ${target} (${hint})`, false);
  }
}

/** An applied migration's file changed since it ran: its checksum no longer matches. */
export class MigrationTamperedError extends DbError {
  constructor(
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(
      'MIGRATION_TAMPERED',
      `migration ${file} was edited after it was applied (checksum mismatch); restore it and add a new migration instead`,
      false,
      options,
    );
  }
}

/**
 * A migration's SQL failed; its transaction was rolled back. A migration that runs outside a
 * transaction (`-- mobius:no-transaction`) cannot be: the statements before the failing one stay,
 * and the message says so (the next run repeats them; they are idempotent by contract).
 */
export class MigrationFailedError extends DbError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown; outsideTransaction?: boolean },
  ) {
    const outcome = options?.outsideTransaction
      ? 'failed (it runs outside a transaction: the statements before the failure stay applied, and the next run repeats them)'
      : 'failed and was rolled back';
    super('MIGRATION_FAILED', `migration ${file} ${outcome}: ${reason}`, false, options);
  }
}

/** Socket errors that mean the server could not be reached or the connection broke. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs of a server that is going away or not taking connections: class 08 (connection exception),
 * 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up, shutting down), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres's own words for a connection that never came or died (it gives them no code). */
const DRIVER_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * True when `error` says the database could not be reached or dropped the connection, rather than
 * refused the statement: a socket error (ECONNREFUSED, a timeout; also inside the AggregateError
 * Node raises when every address of a host refuses), a server going away (57P01 ...), or pg's own
 * connect timeout and "Connection terminated". An HTTP API answers these 503: a retry can succeed.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DbError) return error instanceof DatabaseUnreachableError;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  const message = error instanceof Error ? error.message : '';
  return DRIVER_MESSAGES.some((words) => message.includes(words));
}
