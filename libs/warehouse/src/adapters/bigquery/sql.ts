import { PUBLISHED_COLUMNS } from '@mobius/contracts';
import { type Datasets, ident, LANDING_BATCHES, MART_LOCK, MART_ROWS, MART_RUNS, tableRef } from './tables.ts';

/**
 * Every SQL statement the BigQuery adapter sends, except the merge script (merge-sql.ts), as functions
 * returning the text with its named parameters and their types. A test parses each one with a
 * BigQuery-dialect parser, so a syntax error cannot ship.
 */

/** A query parameter type as @google-cloud/bigquery's `types` takes it (`['STRING']` is ARRAY<STRING>). */
export type ParamType = 'INT64' | 'STRING' | readonly ['STRING'];

/** A statement ready for jobs.insert: its text, named parameters and their types. */
export interface BoundQuery {
  sql: string;
  params: Record<string, unknown>;
  types: Record<string, ParamType>;
}

/** The name of the one row of mart_lock. */
export const MERGE_LOCK_NAME = 'merge';

/** The headers already landed among `batchIds` (a header streamed twice comes back twice). */
export function existingBatchesQuery(datasets: Datasets, batchIds: readonly string[]): BoundQuery {
  return {
    sql: `SELECT lb.batch_id, lb.row_count FROM ${tableRef(datasets, LANDING_BATCHES)} lb
 WHERE lb.batch_id IN UNNEST(@batch_ids)`,
    params: { batch_ids: [...batchIds] },
    types: { batch_ids: ['STRING'] },
  };
}

/** The highest committed run id, 0 before the first run. */
export function latestRunQuery(datasets: Datasets): BoundQuery {
  return {
    sql: `SELECT COALESCE(MAX(r.run_id), 0) AS run_id FROM ${tableRef(datasets, MART_RUNS)} r`,
    params: {},
    types: {},
  };
}

/**
 * The select list that reads a mart row as a PublishedRow. Timestamps are formatted as the
 * Postgres warehouse returns them (`2026-01-02 03:04:05.123456`, UTC, trailing zeros of the fraction
 * dropped): a JS Date or the client's TIMESTAMP type would lose the microseconds. Without `embedding`,
 * that column is not selected.
 */
function selectRowColumns(alias: string, columns: { embedding: boolean }): string {
  return PUBLISHED_COLUMNS.filter((column) => columns.embedding || column.kind !== 'vector')
    .map((column) =>
      column.kind === 'timestamp'
        ? `FORMAT_TIMESTAMP('%F %H:%M:%E*S', ${alias}.${ident(column.name)}, 'UTC') AS ${ident(column.name)}`
        : `${alias}.${ident(column.name)}`,
    )
    .join(', ');
}

/** Where a keyset page starts: after (runId, id). */
export interface PageCursor {
  runId: number;
  id: string;
}

/**
 * One keyset page of the changes in (afterRunId, upToRunId] after `cursor`, in (mart_run_id, id)
 * order, served by the mart's clustering on those columns. Each page is its own query job. With
 * `columns.embedding` false the embedding is not read.
 */
export function changesPageQuery(
  datasets: Datasets,
  range: { afterRunId: number; upToRunId: number; cursor: PageCursor; pageSize: number },
  columns: { embedding: boolean } = { embedding: true },
): BoundQuery {
  const id = `m.${ident('id')}`;
  return {
    sql: `SELECT ${selectRowColumns('m', columns)}, m.deleted, m.document_version, m.mart_run_id
  FROM ${tableRef(datasets, MART_ROWS)} m
 WHERE m.mart_run_id > @after_run_id AND m.mart_run_id <= @up_to_run_id
   AND (m.mart_run_id > @cursor_run_id OR (m.mart_run_id = @cursor_run_id AND ${id} > @cursor_id))
 ORDER BY m.mart_run_id, ${id}
 LIMIT @page_size`,
    params: {
      after_run_id: range.afterRunId,
      up_to_run_id: range.upToRunId,
      cursor_run_id: range.cursor.runId,
      cursor_id: range.cursor.id,
      page_size: range.pageSize,
    },
    types: { after_run_id: 'INT64', up_to_run_id: 'INT64', cursor_run_id: 'INT64', cursor_id: 'STRING', page_size: 'INT64' },
  };
}

/** The value mart_lock's row starts with, per column. */
const LOCK_SEED: Record<string, string> = {
  name: `'${MERGE_LOCK_NAME}'`,
  last_run_id: '0',
  claimed_at: 'CAST(NULL AS TIMESTAMP)',
  claimed_by: 'CAST(NULL AS STRING)',
};

/**
 * Creates mart_lock WITH its one row, atomically: two instances running it at once create one table
 * and one row (IF NOT EXISTS), and no crash can leave the table without its row. Columns derived from
 * MART_LOCK.
 */
export function createLockTableQuery(datasets: Datasets): BoundQuery {
  const columns = MART_LOCK.fields.map((field) => `${field.name} ${field.type}${field.mode === 'REQUIRED' ? ' NOT NULL' : ''}`);
  const values = MART_LOCK.fields.map((field) => `${LOCK_SEED[field.name] ?? 'NULL'} AS ${field.name}`);
  return {
    sql: `CREATE TABLE IF NOT EXISTS ${tableRef(datasets, MART_LOCK)} (${columns.join(', ')})
AS SELECT ${values.join(', ')}`,
    params: {},
    types: {},
  };
}
