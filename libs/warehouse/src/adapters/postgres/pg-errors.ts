import { DbError } from '@mobius/db';
import {
  InvalidSnapshotError,
  WAREHOUSE_ERROR_CODES as CODES,
  WarehouseError,
  WarehouseSchemaError,
  WarehouseUnavailableError,
} from '../../errors.ts';
import { Float32RangeError } from './embedding-bytes.ts';

/** The SQLSTATE of a driver error, when it has one. */
const sqlState = (error: unknown): string => String((error as { code?: unknown }).code ?? '');

/**
 * True for SQLSTATE classes that describe the data, not the server: 22 (data exception: bad uuid or
 * timestamp, string too long, out of range) and 23 (integrity: null in a NOT NULL column, an id twice).
 */
export function isDataError(error: unknown): boolean {
  return /^2[23][0-9A-Z]{3}$/.test(sqlState(error));
}

/**
 * Turns what the driver (or the embedding's encoding) threw while landing rows into a non-retryable
 * InvalidSnapshotError when the rows were at fault; anything else goes on to `toWarehouseError`.
 */
export function rowsRejected(error: unknown, where: string): unknown {
  if (!isDataError(error) && !(error instanceof Float32RangeError)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new InvalidSnapshotError(CODES.rowRejected, `${where}: the warehouse refused a row: ${reason}`, { cause: error });
}

/**
 * Classifies any failure of `action`: ours and @mobius/db's pass through; a missing table or column
 * (SQLSTATE class 42) is a schema error; everything else (lost connection, deadlock, shutdown, pool
 * timeout) is retryable, since the operation's transaction wrote nothing.
 */
export function toWarehouseError(error: unknown, action: string): Error {
  // @mobius/db errors (unreachable, database missing, migration failed) already carry code and retryable.
  if (error instanceof WarehouseError || error instanceof DbError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (sqlState(error).startsWith('42')) {
    return new WarehouseSchemaError(`${action}: ${reason} (is the warehouse migrated? run mobius migrate --module warehouse)`, { cause: error });
  }
  return new WarehouseUnavailableError(`${action} failed: ${reason}`, { cause: error });
}
