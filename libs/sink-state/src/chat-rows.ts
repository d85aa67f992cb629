import { CHAT_COLUMNS, type PublishedColumn, type PublishedRow } from '@mobius/contracts';
import type pg from 'pg';

/**
 * Chat's `published_rag_metadata` writes, shared by chat-sync (mart changes) and the reconciler
 * (repairs from RAG), so both go through one version guard. SQL derived from CHAT_COLUMNS (never a
 * hand-copied column list). Every function runs on the caller's client, inside its transaction.
 */

/** A live row at its document's version. */
export interface VersionedRow {
  row: PublishedRow;
  documentVersion: number;
}

const ident = (name: string): string => `"${name}"`;
const NAMES = CHAT_COLUMNS.map((column) => ident(column.name));

/** The array type a column travels in (one array parameter per column). */
export function arrayType(column: PublishedColumn): string {
  return { uuid: 'uuid[]', string: 'text[]', integer: 'int4[]', timestamp: 'timestamp[]', vector: 'jsonb[]' }[column.kind];
}

/** Row timestamps are UTC without zone; Chat's columns are timestamptz, so they are read as UTC explicitly. */
function selectValue(column: PublishedColumn): string {
  return column.kind === 'timestamp' ? `r.${ident(column.name)} AT TIME ZONE 'UTC'` : `r.${ident(column.name)}`;
}

const VERSION_PARAM = CHAT_COLUMNS.length + 1;
const SINK_PARAM = CHAT_COLUMNS.length + 2;

/** Live rows: insert, or update when any of the 28 columns differs; skipped if the sink holds a newer version. */
const UPSERT_LIVE = `
  INSERT INTO published_rag_metadata (${NAMES.join(', ')})
  SELECT ${CHAT_COLUMNS.map(selectValue).join(', ')}
    FROM unnest(${CHAT_COLUMNS.map((c, i) => `$${i + 1}::${arrayType(c)}`).join(', ')}, $${VERSION_PARAM}::bigint[])
         AS r(${NAMES.join(', ')}, document_version)
    LEFT JOIN mobius_document_versions v ON v.sink = $${SINK_PARAM} AND v.document_id = r.document_id
   WHERE v.document_version IS NULL OR v.document_version <= r.document_version
  ON CONFLICT (id) DO UPDATE SET ${NAMES.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}
   WHERE (${NAMES.map((n) => `published_rag_metadata.${n}`).join(', ')})
         IS DISTINCT FROM (${NAMES.map((n) => `EXCLUDED.${n}`).join(', ')})`;

/** Tombstones: delete the ids, unless the sink holds a newer version of their document. */
const DELETE_TOMBSTONED = `
  DELETE FROM published_rag_metadata p
   USING unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS t(id, document_id, document_version)
         LEFT JOIN mobius_document_versions v ON v.sink = $4 AND v.document_id = t.document_id
   WHERE p.id = t.id AND (v.document_version IS NULL OR v.document_version <= t.document_version)`;

/** Every row of the documents whose id is not among the ids to keep: deletes by document, not by id. */
const DELETE_OTHER_ROWS_OF_DOCUMENTS = `
  DELETE FROM published_rag_metadata
   WHERE document_id = ANY($1::uuid[]) AND NOT (id = ANY($2::uuid[]))`;

/**
 * Upserts live rows of the 28 columns (a row equal in all of them is not rewritten), skipping rows
 * whose document `sink` holds at a higher version. Returns the rows inserted or updated.
 */
export async function upsertChatRows(client: pg.ClientBase, sink: string, live: readonly VersionedRow[]): Promise<number> {
  if (live.length === 0) return 0;
  const params: unknown[] = CHAT_COLUMNS.map((column) => live.map((change) => change.row[column.name] ?? null));
  params.push(
    live.map((change) => change.documentVersion),
    sink,
  );
  return (await client.query(UPSERT_LIVE, params)).rowCount ?? 0;
}

/** Deletes tombstoned ids, unless `sink` holds their document at a higher version. Returns rows deleted. */
export async function deleteChatRows(client: pg.ClientBase, sink: string, tombstones: readonly VersionedRow[]): Promise<number> {
  if (tombstones.length === 0) return 0;
  const result = await client.query(DELETE_TOMBSTONED, [
    tombstones.map((change) => change.row.id),
    tombstones.map((change) => change.row.document_id),
    tombstones.map((change) => change.documentVersion),
    sink,
  ]);
  return result.rowCount ?? 0;
}

/**
 * Deletes every Chat row of `documentIds` whose id is not in `keepIds`, whoever wrote it (pre-cutover
 * rows, ids the mart never saw). The caller decides, under the sink lock, that these documents are to be
 * exactly `keepIds`. Returns rows deleted.
 */
export async function deleteOtherChatRows(client: pg.ClientBase, documentIds: readonly string[], keepIds: readonly string[]): Promise<number> {
  if (documentIds.length === 0) return 0;
  return (await client.query(DELETE_OTHER_ROWS_OF_DOCUMENTS, [documentIds, keepIds])).rowCount ?? 0;
}
