import { WarehouseError, WarehouseSchemaError, WarehouseUnavailableError } from '../../errors.ts';
import { LOCK_MISSING_MESSAGE } from './merge-sql.ts';

/**
 * Classifies what the BigQuery client or a job threw into the warehouse's error catalogue.
 * Non-retryable: a missing dataset, table or column, and a statement BigQuery refuses as invalid
 * (nothing a retry can fix). Everything else (5xx, rate limits, a network error, a transaction
 * cancelled by a concurrent one, access denied while IAM propagates) is retryable: every operation
 * of the adapter either wrote nothing or is idempotent.
 */

/** A query job that finished with `status.errorResult`. Internal: toWarehouseError maps it. */
export class BigQueryJobError extends Error {
  constructor(
    readonly jobId: string,
    readonly reasons: readonly string[],
    message: string,
  ) {
    super(`job ${jobId}: ${message}`);
    this.name = 'BigQueryJobError';
  }
}

/** The `reason`s an API error or a failed job carries (`notFound`, `invalidQuery`, `backendError` ...). */
export function reasonsOf(error: unknown): string[] {
  if (error instanceof BigQueryJobError) return [...error.reasons];
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((entry) => String((entry as { reason?: unknown }).reason ?? ''));
}

/** The HTTP status of an API error, when it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * True when BigQuery cancelled a transaction because another one mutated the same table: the merge
 * lost the race for the run and retries (BigQuery reports it as "Transaction is aborted due to
 * concurrent update against table ...").
 */
export function isTransactionConflict(error: unknown): boolean {
  return /concurrent update|could not serialize access/i.test(messageOf(error));
}

function isSchemaProblem(error: unknown): boolean {
  if (messageOf(error).includes(LOCK_MISSING_MESSAGE)) return true;
  const reasons = reasonsOf(error);
  return reasons.includes('notFound') || httpStatusOf(error) === 404;
}

function isRefused(error: unknown): boolean {
  if (isTransactionConflict(error)) return false;
  const reasons = reasonsOf(error);
  return reasons.includes('invalidQuery') || reasons.includes('invalid') || httpStatusOf(error) === 400;
}

/** Maps any failure of `action` to a WarehouseError (ours pass through). */
export function toWarehouseError(error: unknown, action: string): Error {
  if (error instanceof WarehouseError) return error;
  const reason = messageOf(error);
  if (isSchemaProblem(error)) {
    return new WarehouseSchemaError(`${action}: ${reason} (are the BigQuery datasets and tables in place? call ensureSchema())`, { cause: error });
  }
  if (isRefused(error)) {
    return new WarehouseSchemaError(`${action}: BigQuery refused the statement: ${reason}`, { cause: error });
  }
  return new WarehouseUnavailableError(`${action} failed: ${reason}`, { cause: error });
}
