import type pg from 'pg';
import { ISO_UTC } from './sql.ts';
import type { DocumentListFilter, DocumentSummary } from './types.ts';

/**
 * Every document (or those of one filename) with its publish state: published when its latest
 * publish event is a publish (the existing app's rows count, as in publish-status), and its version
 * (the greatest allocated one; for a document only the existing app published, its latest event's).
 * Ordered by filename, then upload time, so a listing reads like a directory.
 */
const LIST_DOCUMENTS_SQL = `
  SELECT d.id::text AS id, d.filename, d.display_name, d.payer, d.state, d.program, d.authority_level,
         to_char(d.created_at, '${ISO_UTC}') AS created_at, to_char(d.updated_at, '${ISO_UTC}') AS updated_at,
         coalesce(e.event_type, '') = 'published' AS published,
         to_char(e.published_at, '${ISO_UTC}') AS published_at,
         greatest(dv.current_version, e.document_version)::int AS version
    FROM documents d
    LEFT JOIN LATERAL (
      SELECT pe.event_type, pe.document_version, pe.published_at
        FROM publish_events pe
       WHERE pe.document_id = d.id
       ORDER BY pe.published_at DESC, pe.document_version DESC NULLS LAST, pe.id DESC
       LIMIT 1) e ON true
    LEFT JOIN document_versions dv ON dv.document_id = d.id
   WHERE $1::text IS NULL OR d.filename = $1
   ORDER BY d.filename, d.created_at, d.id
   LIMIT $2`;

/** The documents `filter` selects, at most `filter.limit`. */
export async function listDocuments(pool: pg.Pool, filter: DocumentListFilter): Promise<DocumentSummary[]> {
  const result = await pool.query(LIST_DOCUMENTS_SQL, [filter.filename ?? null, filter.limit]);
  return result.rows.map((row) => ({
    id: row.id,
    filename: row.filename,
    displayName: row.display_name,
    payer: row.payer,
    state: row.state,
    program: row.program,
    authorityLevel: row.authority_level,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    published: row.published,
    publishedAt: row.published ? row.published_at : null,
    version: row.version,
  }));
}
