import { CHAT_COLUMNS } from '@mobius/contracts';

/**
 * The 28 Chat columns as comparable text: timestamps rendered in UTC with microseconds (`zoned`: the
 * table's timestamps are timestamptz, as Chat's; RAG's are UTC timestamps without a zone).
 */
export function comparableColumns(zoned: boolean): string {
  return CHAT_COLUMNS.map((c) => {
    if (c.kind !== 'timestamp') return `${c.name}::text AS ${c.name}`;
    const utc = zoned ? `${c.name} AT TIME ZONE 'UTC'` : c.name;
    return `to_char(${utc}, 'YYYY-MM-DD HH24:MI:SS.US') AS ${c.name}`;
  }).join(', ');
}

/** RAG's published rows (the 28 Chat columns as comparable text), by id. */
export const RAG_PUBLISHED_ROWS_SQL = `SELECT ${comparableColumns(false)} FROM rag_published_embeddings ORDER BY id`;

/** Chat's published_rag_metadata rows (the 28 columns as comparable text), by id. */
export const CHAT_PUBLISHED_ROWS_SQL = `SELECT ${comparableColumns(true)} FROM published_rag_metadata ORDER BY id`;
