import { PUBLISHED_COLUMNS, type PublishedRow } from '@mobius/contracts';
import type pg from 'pg';

/** A document as RAG holds it now: its version (null when it has no publish event left) and its rows. */
export interface RagDocument {
  documentId: string;
  version: number | null;
  rows: PublishedRow[];
}

// The version of a document: its latest publish event's `document_version`, or for events the existing
// app wrote without one, the event's position in the document's history (as the ingestor reads it).
const VERSIONS_SQL = `
  WITH history AS (
    SELECT document_id, id, document_version, published_at,
           row_number() OVER (PARTITION BY document_id ORDER BY published_at, id) AS position
      FROM publish_events WHERE document_id = ANY($1::uuid[]))
  SELECT DISTINCT ON (document_id) document_id::text AS document_id, coalesce(document_version, position)::text AS version
    FROM history ORDER BY document_id, coalesce(document_version, position) DESC, published_at DESC, id DESC`;

function selectColumns(withEmbedding: boolean): string {
  return PUBLISHED_COLUMNS.map((c) => {
    if (c.kind === 'vector') return withEmbedding ? c.name : `NULL::jsonb AS ${c.name}`;
    return c.kind === 'timestamp' || c.kind === 'uuid' ? `${c.name}::text AS ${c.name}` : c.name;
  }).join(', ');
}

/**
 * Reads documents' current versions and rows from RAG in ONE repeatable-read snapshot, so rows and
 * version match. Embeddings only when asked (the vector target); Chat holds none.
 */
export async function readRagDocuments(rag: pg.Pool, documentIds: readonly string[], withEmbedding: boolean): Promise<Map<string, RagDocument>> {
  const client = await rag.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const versions = await client.query<{ document_id: string; version: string }>(VERSIONS_SQL, [documentIds]);
    const rows = await client.query<PublishedRow>(
      `SELECT ${selectColumns(withEmbedding)} FROM rag_published_embeddings WHERE document_id = ANY($1::uuid[]) ORDER BY id`,
      [documentIds],
    );
    await client.query('COMMIT');
    const documents = new Map<string, RagDocument>(documentIds.map((id) => [id, { documentId: id, version: null, rows: [] }]));
    for (const row of versions.rows) documents.get(row.document_id)!.version = Number(row.version);
    for (const row of rows.rows) documents.get(row.document_id)?.rows.push(row);
    return documents;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
