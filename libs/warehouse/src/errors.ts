import { MobiusError } from '@mobius/contracts/errors';

/**
 * The warehouse's error catalogue. Every error has a stable `code`, says whether a retry can help
 * (`retryable`; the bus dead-letters the rest at once with the message as the reason) and keeps `cause`.
 */
export const WAREHOUSE_ERROR_CODES = {
  // No code for an unusable embedding: such a row is landed with a NULL one (snapshot.ts, landableRows).
  /** A row's `document_id` is not the snapshot's document. */
  rowDocumentMismatch: 'WAREHOUSE_ROW_DOCUMENT_MISMATCH',
  /** The database refused a row: a required column null, a bad uuid or timestamp, a string too long, an id twice. */
  rowRejected: 'WAREHOUSE_ROW_REJECTED',
  /** The snapshot header is invalid (document id not a uuid, version not a non-negative integer, ...). */
  snapshotInvalid: 'WAREHOUSE_SNAPSHOT_INVALID',
  /** A caller passed an invalid argument (a batch size below 1, a negative run id). */
  argumentInvalid: 'WAREHOUSE_ARGUMENT_INVALID',
  /** The warehouse schema is missing or not what the adapter expects: run `mobius migrate --module warehouse`. */
  schemaMissing: 'WAREHOUSE_SCHEMA_MISSING',
  /** The backend failed in a way a retry can fix (connection lost, deadlock, server shutting down). */
  unavailable: 'WAREHOUSE_UNAVAILABLE',
  /** The warehouse was used after `close()`. */
  closed: 'WAREHOUSE_CLOSED',
} as const;

export type WarehouseErrorCode = (typeof WAREHOUSE_ERROR_CODES)[keyof typeof WAREHOUSE_ERROR_CODES];

/** Base of every warehouse error. A MobiusError: a retryable one (unavailable) answers 503 through an HTTP API's error handler. */
export class WarehouseError extends MobiusError {
  declare readonly code: WarehouseErrorCode;

  constructor(code: WarehouseErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(code, message, retryable, options);
  }
}

/**
 * A snapshot that can never be landed (a foreign row, an invalid header or a row the database refuses).
 * Not retryable; nothing of the call that raised it was written.
 */
export class InvalidSnapshotError extends WarehouseError {
  constructor(code: WarehouseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}

/** An invalid argument to a port method. Not retryable. */
export class InvalidArgumentError extends WarehouseError {
  constructor(message: string) {
    super(WAREHOUSE_ERROR_CODES.argumentInvalid, message, false);
  }
}

/** The schema is missing or different from what the adapter expects. Not retryable until migrated. */
export class WarehouseSchemaError extends WarehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(WAREHOUSE_ERROR_CODES.schemaMissing, message, false, options);
  }
}

/** The backend failed transiently; the operation wrote nothing and may be retried. */
export class WarehouseUnavailableError extends WarehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(WAREHOUSE_ERROR_CODES.unavailable, message, true, options);
  }
}

/** The warehouse was closed. Not retryable on this instance. */
export class WarehouseClosedError extends WarehouseError {
  constructor() {
    super(WAREHOUSE_ERROR_CODES.closed, 'the warehouse is closed', false);
  }
}
