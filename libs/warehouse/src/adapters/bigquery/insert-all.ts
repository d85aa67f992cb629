import { setTimeout as sleep } from 'node:timers/promises';
import type { Table } from '@google-cloud/bigquery';
import { InvalidSnapshotError, WAREHOUSE_ERROR_CODES as CODES, WarehouseUnavailableError } from '../../errors.ts';
import { httpStatusOf, toWarehouseError } from './bigquery-errors.ts';

/** One row for tabledata.insertAll: its insert id (BigQuery's best-effort dedup key) and its JSON. */
export interface StreamedRow {
  insertId: string;
  json: Record<string, unknown>;
  /** How errors name the row (`row <id>`). */
  label: string;
}

export interface InsertPolicy {
  /** Tries of a row that keeps failing transiently, the first one included. */
  insertAttempts: number;
  /** Wait before the first re-send of failed rows; doubles each time. */
  retryBackoffMs: number;
}

/** The one per-row reason that blames the row itself; `stopped` rows only stood beside an invalid one. */
const ROW_REFUSED = 'invalid';

interface RowFailure {
  row?: { insertId: string };
  errors: Array<{ reason?: string; message?: string }>;
}

function partialFailures(error: unknown): RowFailure[] | null {
  if ((error as { name?: unknown }).name !== 'PartialFailureError') return null;
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as RowFailure[]) : null;
}

function refusedRow(failures: RowFailure[], labels: Map<string, string>, where: string): InvalidSnapshotError | null {
  const refused = failures.find((failure) => failure.errors.some((e) => e.reason === ROW_REFUSED));
  if (!refused) return null;
  const detail = refused.errors.find((e) => e.reason === ROW_REFUSED)?.message ?? 'invalid';
  const insertId = refused.row?.insertId ?? '';
  const label = labels.get(insertId) ?? `the row with insert id ${insertId || '(unknown)'}`;
  return new InvalidSnapshotError(CODES.rowRejected, `${where}: the warehouse refused a row: ${label}: ${detail}`);
}

function stillFailing(failures: RowFailure[], labels: Map<string, string>, where: string, attempts: number): Error {
  const named = failures.slice(0, 5).map((failure) => {
    const reasons = failure.errors.map((e) => e.reason ?? 'unknown').join('/');
    const insertId = failure.row?.insertId ?? '';
    return `${labels.get(insertId) ?? `insert id ${insertId || '(unknown)'}`} (${reasons})`;
  });
  const more = failures.length > named.length ? ` and ${failures.length - named.length} more` : '';
  return new WarehouseUnavailableError(`${where}: ${failures.length} rows still not inserted after ${attempts} attempts: ${named.join(', ')}${more}`);
}

/** A whole request that failed: a table BigQuery's streaming does not see yet is worth a retry. */
function requestFailed(error: unknown, where: string): Error {
  if (httpStatusOf(error) === 404) {
    return new WarehouseUnavailableError(`${where}: table not found (streaming sees a new table only after a delay; otherwise call ensureSchema())`, {
      cause: error,
    });
  }
  return toWarehouseError(error, where);
}

/**
 * Streams `rows` into `table` so that every row lands or the call throws; no row is ever dropped
 * silently. A partial failure re-sends exactly the failed rows, with their insert ids (BigQuery drops
 * a re-sent row it already holds), after a growing wait, up to `insertAttempts` tries. A row BigQuery
 * refuses as invalid throws a non-retryable InvalidSnapshotError naming it; rows still failing after
 * the last try throw a retryable WarehouseUnavailableError naming them.
 */
export async function insertAllExactly(table: Table, rows: readonly StreamedRow[], policy: InsertPolicy, where: string): Promise<void> {
  const labels = new Map(rows.map((row) => [row.insertId, row.label]));
  let pending = rows.map(({ insertId, json }) => ({ insertId, json }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    try {
      // partialRetries 0: the client would otherwise re-send refused rows too, at once.
      await table.insert(pending, { raw: true, skipInvalidRows: false, ignoreUnknownValues: false, partialRetries: 0 });
      return;
    } catch (error) {
      const failures = partialFailures(error);
      if (!failures) throw requestFailed(error, where);
      const refused = refusedRow(failures, labels, where);
      if (refused) throw refused;
      if (attempt >= policy.insertAttempts) throw stillFailing(failures, labels, where, attempt);
      // A failure the client could not match to a row (an index out of range) re-sends them all.
      const failed = failures.map((failure) => failure.row as { insertId: string; json: Record<string, unknown> } | undefined);
      if (failed.every((row) => row !== undefined)) pending = failed as typeof pending;
      await sleep(policy.retryBackoffMs * 2 ** (attempt - 1));
    }
  }
}
