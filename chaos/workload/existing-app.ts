// The existing RAG app's own writes, in plain SQL on our migrated schema (the same statements as
// test/support/existing-rag-app.ts, on the run's private cluster): upload, publish (replace the
// document's published rows and insert a publish_events row with its 8 contract columns, one
// transaction) and hard delete (no event: only the reconciler can see it).
import type pg from 'pg';

const NOW = `(now() AT TIME ZONE 'utc')`;

/** A deterministic embedding of `dimensions` numbers, as the app stores it (a jsonb array). */
function embedding(seed: number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, i) => Math.round(Math.sin(seed * 31 + i) * 1e6) / 1e6);
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The app's upload: a document, one page, one chunk per paragraph and their embeddings (one transaction here). */
export function appUpload(pool: pg.Pool, documentId: string, filename: string, paragraphs: string[], dimensions: number, seed: number) {
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO documents (id, filename, display_name, payer, state, program, authority_level, status, review_status)
       VALUES ($1, $2, $2, 'Sunshine Health', 'FL', 'Medicaid', 'payer_policy', 'completed', 'approved')`,
      [documentId, filename],
    );
    await client.query(`INSERT INTO document_pages (document_id, page_number, text) VALUES ($1, 1, $2)`, [documentId, paragraphs.join('\n\n')]);
    for (const [index, text] of paragraphs.entries()) {
      const chunk = await client.query<{ id: string }>(
        `INSERT INTO hierarchical_chunks (document_id, page_number, paragraph_index, section_path, text, text_length)
         VALUES ($1, 1, $2, 'Coverage', $3, length($3)) RETURNING id`,
        [documentId, index, text],
      );
      await client.query(
        `INSERT INTO chunk_embeddings (document_id, source_type, source_id, embedding, model)
         VALUES ($1, 'hierarchical', $2, $3, 'gemini-embedding-001')`,
        [documentId, chunk.rows[0]!.id, JSON.stringify(embedding(seed + index, dimensions))],
      );
    }
  });
}

/** An edit by the app between publishes: one chunk's text changes (its content_sha with it). */
export async function appEditChunk(pool: pg.Pool, documentId: string, suffix: string) {
  await pool.query(
    `UPDATE hierarchical_chunks SET text = text || $2, updated_at = ${NOW}
      WHERE id = (SELECT id FROM hierarchical_chunks WHERE document_id = $1 ORDER BY paragraph_index LIMIT 1)`,
    [documentId, suffix],
  );
}

/** The app's publish: the one copy in @mobius/test-support, which the tests run too. */
export { appPublish } from '@mobius/test-support';

/** The app's hard delete: its published rows, then the document (the rest goes by cascade). No event. */
export async function appHardDelete(pool: pg.Pool, documentId: string) {
  await pool.query(
    `WITH rows AS (DELETE FROM rag_published_embeddings WHERE document_id = $1)
     DELETE FROM documents WHERE id = $1`,
    [documentId],
  );
}
