// The existing RAG app's publish, in plain SQL (docs/contracts.md): the one copy the tests
// (test/support/existing-rag-app.ts, on a database of theirs) and the chaos workload (on its private
// cluster's pool) both run.
import { contentSha } from '@mobius/contracts';
import pg from 'pg';

const NOW = `(now() AT TIME ZONE 'utc')`;

/** Runs `work` in one transaction: on a pool's client of its own, or on the given client. */
async function inTransaction(db: pg.Pool | pg.ClientBase, work: (client: pg.ClientBase) => Promise<void>): Promise<void> {
  const client = db instanceof pg.Pool ? await db.connect() : db;
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (db instanceof pg.Pool) (client as pg.PoolClient).release();
  }
}

/**
 * The existing app's publish: in one transaction, replaces the document's published rows (its columns
 * only: no chunk tags, reviewed columns NULL) and inserts a publish_events row with the 8 contract
 * columns (no event type, no version, no notification).
 */
export async function appPublish(db: pg.Pool | pg.ClientBase, documentId: string): Promise<void> {
  const chunks = (await db.query<{ id: string; text: string }>('SELECT id, text FROM hierarchical_chunks WHERE document_id = $1', [documentId])).rows;
  const shas = chunks.map((c) => contentSha(documentId, c.id, c.text));
  await inTransaction(db, async (client) => {
    await client.query('DELETE FROM rag_published_embeddings WHERE document_id = $1', [documentId]);
    await client.query(
      `WITH rows AS (
              INSERT INTO rag_published_embeddings (id, document_id, source_type, source_id, embedding, model, created_at,
                text, page_number, paragraph_index, section_path, chapter_path, summary, document_filename,
                document_display_name, document_authority_level, document_payer, document_state, document_program,
                document_status, document_review_status, document_created_at, content_sha, updated_at,
                source_verification_status)
              SELECT ce.id, d.id, 'hierarchical', hc.id, ce.embedding, ce.model, ce.created_at, hc.text, hc.page_number,
                     hc.paragraph_index, coalesce(hc.section_path, ''), '', '', d.filename, d.display_name,
                     d.authority_level, d.payer, d.state, d.program, d.status, d.review_status, d.created_at,
                     s.sha, ${NOW}, 'n/a'
                FROM chunk_embeddings ce
                JOIN hierarchical_chunks hc ON hc.id = ce.source_id
                JOIN documents d ON d.id = ce.document_id
                JOIN unnest($2::uuid[], $3::text[]) AS s(id, sha) ON s.id = hc.id
               WHERE ce.document_id = $1
              RETURNING 1)
       INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written, verification_passed,
                                   verification_message)
       SELECT gen_random_uuid(), $1, ${NOW}, 'legacy-app@mobius', count(*), true, '' FROM rows`,
      [documentId, chunks.map((c) => c.id), shas],
    );
  });
}
