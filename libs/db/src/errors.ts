/** Base of every database error: a stable `code`, whether a retry can help, and the `cause`. */
export class DbError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server did not answer, refused, or rejected the login. `target` is the masked URL. */
export class DatabaseUnreachableError extends DbError {
  constructor(readonly target: string, reason: string, options?: { cause?: unknown }) {
    super('DB_UNREACHABLE', `cannot reach ${target}: ${reason}`, true, options);
  }
}

/** The database does not exist, and this run may not create it (prod, or a dry run). */
export class DatabaseMissingError extends DbError {
  constructor(readonly target: string, hint: string) {
    super('DB_MISSING', `database does not exist: ${target} (${hint})`, false);
  }
}

/** An applied migration's file changed since it ran: its checksum no longer matches. */
export class MigrationTamperedError extends DbError {
  constructor(readonly file: string, options?: { cause?: unknown }) {
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
