import { PUBLISHED_COLUMNS, type PublishedColumn, type PublishedRow } from '@mobius/contracts';

/**
 * SQL fragments over the 29 published columns, all derived from PUBLISHED_COLUMNS (never a hand-copied
 * list). Timestamps cross the wire as text without zone (`2026-01-02 03:04:05.123456`, UTC): JS Dates
 * would drop the microseconds.
 */

export const LANDING_BATCHES = 'landing_rag.landing_batches';
export const LANDING_ROWS = 'landing_rag.rag_published_embeddings';
export const MART_ROWS = 'mobius_rag.published_rag_embeddings';
export const MART_DOCUMENTS = 'mobius_rag.mart_documents';
export const MART_RUNS = 'mobius_rag.mart_runs';
export const MERGED_BATCHES = 'mobius_rag.merged_batches';

/** A double-quoted identifier (`text` and friends are type names). */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const NAMES = PUBLISHED_COLUMNS.map((column) => column.name);

/** `"id", "document_id", ...`, optionally qualified by a table alias. */
export function columnList(alias?: string): string {
  return NAMES.map((name) => (alias ? `${alias}.${ident(name)}` : ident(name))).join(', ');
}

/** The select list that reads a row as PublishedRow: timestamps as `::text`, the rest as pg parses them. */
export function selectRowColumns(alias: string): string {
  return PUBLISHED_COLUMNS.map((column) =>
    column.kind === 'timestamp'
      ? `${alias}.${ident(column.name)}::text AS ${ident(column.name)}`
      : `${alias}.${ident(column.name)}`,
  ).join(', ');
}

/**
 * The array type each column travels in when a batch is sent as one parameter per column. Strings go
 * as text[] (an explicit cast to varchar(n) would silently truncate; the INSERT's assignment refuses
 * an over-long value instead), embeddings as jsonb[] of JSON texts.
 */
function arrayType(column: PublishedColumn): string {
  return { uuid: 'uuid[]', string: 'text[]', integer: 'int4[]', timestamp: 'timestamp[]', vector: 'jsonb[]' }[column.kind];
}

/** `unnest($1::uuid[], $2::uuid[], ...) AS r("id", ...)`: the rows of a batch from its column arrays. */
export function unnestRows(firstParam: number, alias: string): string {
  const arrays = PUBLISHED_COLUMNS.map((column, i) => `$${firstParam + i}::${arrayType(column)}`);
  return `unnest(${arrays.join(', ')}) AS ${alias}(${columnList()})`;
}

/** One array per column, in PUBLISHED_COLUMNS order, for `unnestRows`. */
export function columnArrays(rows: readonly PublishedRow[]): unknown[][] {
  return PUBLISHED_COLUMNS.map((column) =>
    column.kind === 'vector'
      ? rows.map((row) => (row[column.name] === null ? null : JSON.stringify(row[column.name])))
      : rows.map((row) => row[column.name] ?? null),
  );
}

/** `"text" = EXCLUDED."text", ...` for an upsert. */
export function assignFromExcluded(): string {
  return NAMES.map((name) => `${ident(name)} = EXCLUDED.${ident(name)}`).join(', ');
}

/** True in SQL when any of the 29 columns of `left` and `right` differ (null-safe). */
export function anyColumnDiffers(left: string, right: string): string {
  return `(${columnList(left)}) IS DISTINCT FROM (${columnList(right)})`;
}
