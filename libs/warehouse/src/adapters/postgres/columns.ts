import { PUBLISHED_COLUMNS, type PublishedColumn, type PublishedRow } from '@mobius/contracts';
import { packEmbeddings } from './embedding-bytes.ts';

/**
 * SQL fragments over the 29 published columns, all derived from PUBLISHED_COLUMNS (never a hand-copied
 * list). Timestamps cross the wire as text without zone (`2026-01-02 03:04:05.123456`, UTC): JS Dates
 * would drop the microseconds. The embedding is stored as float32 bytes (embedding-bytes.ts).
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

/**
 * The select list that reads a row as PublishedRow: timestamps as `::text`, the rest as pg parses them
 * (the embedding as its bytes, for decodeEmbedding). Without `embedding`, that column is not read at all.
 */
export function selectRowColumns(alias: string, options: { embedding: boolean } = { embedding: true }): string {
  return PUBLISHED_COLUMNS.filter((column) => options.embedding || column.kind !== 'vector')
    .map((column) =>
      column.kind === 'timestamp' ? `${alias}.${ident(column.name)}::text AS ${ident(column.name)}` : `${alias}.${ident(column.name)}`,
    )
    .join(', ');
}

type ArrayColumn = PublishedColumn & { kind: Exclude<PublishedColumn['kind'], 'vector'> };

/** The columns that travel as one array parameter each: all but the embedding. */
const ARRAY_COLUMNS = PUBLISHED_COLUMNS.filter((column): column is ArrayColumn => column.kind !== 'vector');

/**
 * The array type each column travels in. Strings go as text[] (an explicit cast to varchar(n) would
 * silently truncate; the INSERT's assignment refuses an over-long value instead).
 */
function arrayType(column: ArrayColumn): string {
  return { uuid: 'uuid[]', string: 'text[]', integer: 'int4[]', timestamp: 'timestamp[]' }[column.kind];
}

/**
 * A batch of rows as query parameters: one array per column but the embedding, and the embeddings
 * packed into ONE binary bytea (node-pg sends a Buffer in binary: no hex text, no array literal for
 * the server to parse, which was most of the landing's cost) with each row's 1-based offset and
 * length in it (null for a null embedding). `batchRowsSql` turns them back into rows.
 */
export function batchParams(rows: readonly PublishedRow[]): unknown[] {
  const packed = packEmbeddings(
    rows.map((row) => row.embedding),
    (i) => `row ${rows[i]?.id}:`,
  );
  const arrays = ARRAY_COLUMNS.map((column) => rows.map((row) => row[column.name] ?? null));
  return [...arrays, packed.from, packed.bytes, packed.data];
}

/** How many parameters `batchParams` makes. */
export const BATCH_PARAM_COUNT = ARRAY_COLUMNS.length + 3;

/**
 * `SELECT <the 29 columns, in PUBLISHED_COLUMNS order> FROM unnest(...)`: the rows of a batch from the
 * parameters of `batchParams`, numbered from `firstParam`.
 */
export function batchRowsSql(firstParam: number): string {
  const param = (i: number) => `$${firstParam + i}`;
  const arrays = ARRAY_COLUMNS.map((column, i) => `${param(i)}::${arrayType(column)}`);
  const [from, bytes, data] = [param(ARRAY_COLUMNS.length), param(ARRAY_COLUMNS.length + 1), param(ARRAY_COLUMNS.length + 2)];
  const select = PUBLISHED_COLUMNS.map((column) =>
    column.kind === 'vector'
      ? `substring(${data}::bytea FROM r.embedding_from FOR r.embedding_bytes) AS ${ident(column.name)}`
      : `r.${ident(column.name)}`,
  );
  const names = [...ARRAY_COLUMNS.map((column) => ident(column.name)), 'embedding_from', 'embedding_bytes'];
  return `SELECT ${select.join(', ')}
    FROM unnest(${arrays.join(', ')}, ${from}::int4[], ${bytes}::int4[]) AS r(${names.join(', ')})`;
}

/** `"text" = EXCLUDED."text", ...` for an upsert. */
export function assignFromExcluded(): string {
  return NAMES.map((name) => `${ident(name)} = EXCLUDED.${ident(name)}`).join(', ');
}

/** True in SQL when any of the 29 columns of `left` and `right` differ (null-safe). */
export function anyColumnDiffers(left: string, right: string): string {
  return `(${columnList(left)}) IS DISTINCT FROM (${columnList(right)})`;
}
