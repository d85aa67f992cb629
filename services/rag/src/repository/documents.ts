import { withTransaction } from '@mobius/db';
import type pg from 'pg';
import type { Page } from '../chunking/markdown.ts';
import { listDocuments } from './document-list.ts';
import type { ContentReplacement, DocumentMetadata, DocumentStore, NewChunk, NewEmbedding, StoredChunk } from './types.ts';

/** Rows per INSERT: embeddings are large (1536 numbers), so statements stay a few MB at most. */
const CHUNK_ROWS_PER_INSERT = 500;
const EMBEDDING_ROWS_PER_INSERT = 100;

function inBatches<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

const metadataParams = (m: DocumentMetadata) => [
  m.filename,
  m.displayName,
  m.payer,
  m.state,
  m.program,
  m.authorityLevel,
  m.effectiveDate,
  m.terminationDate,
];

async function insertDocumentRow(client: pg.PoolClient, id: string, m: DocumentMetadata, pages: number) {
  await client.query(
    `INSERT INTO documents (id, filename, display_name, payer, state, program, authority_level, effective_date,
                            termination_date, content_type, page_count, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'text/markdown', $10, 'completed')`,
    [id, ...metadataParams(m), pages],
  );
}

async function updateDocumentRow(client: pg.PoolClient, id: string, m: DocumentMetadata, pages: number) {
  await client.query(
    `UPDATE documents SET filename = $2, display_name = $3, payer = $4, state = $5, program = $6,
            authority_level = $7, effective_date = $8, termination_date = $9, page_count = $10,
            status = 'completed', updated_at = (now() AT TIME ZONE 'utc')
      WHERE id = $1`,
    [id, ...metadataParams(m), pages],
  );
}

/** Replaces the document's pages (nothing references page rows, so they are simply rewritten). */
async function writePages(client: pg.PoolClient, documentId: string, pages: Page[]) {
  await client.query('DELETE FROM document_pages WHERE document_id = $1', [documentId]);
  const rows = pages.map((p) => ({ page_number: p.pageNumber, text: p.text }));
  await client.query(
    `INSERT INTO document_pages (document_id, page_number, text, text_markdown, extraction_status, text_length)
     SELECT $1, p.page_number, p.text, p.text, CASE WHEN btrim(p.text, E' \\t\\n') = '' THEN 'empty' ELSE 'success' END,
            length(p.text)
       FROM jsonb_to_recordset($2::jsonb) AS p(page_number integer, text text)`,
    [documentId, JSON.stringify(rows)],
  );
}

async function insertChunks(client: pg.PoolClient, documentId: string, chunks: NewChunk[]) {
  for (const batch of inBatches(chunks, CHUNK_ROWS_PER_INSERT)) {
    await client.query(
      `INSERT INTO hierarchical_chunks (id, document_id, page_number, paragraph_index, section_path, chapter_path,
                                        text, text_length, start_offset_in_page, summary)
       SELECT c."id", $1, c."pageNumber", c."paragraphIndex", c."sectionPath", c."chapterPath", c."text",
              length(c."text"), c."startOffset", c."summary"
         FROM jsonb_to_recordset($2::jsonb) AS c("id" uuid, "pageNumber" integer, "paragraphIndex" integer,
              "sectionPath" text, "chapterPath" text, "text" text, "startOffset" integer, "summary" text)`,
      [documentId, JSON.stringify(batch)],
    );
  }
}

async function insertEmbeddings(client: pg.PoolClient, documentId: string, embeddings: NewEmbedding[]) {
  for (const batch of inBatches(embeddings, EMBEDDING_ROWS_PER_INSERT)) {
    await client.query(
      `INSERT INTO chunk_embeddings (id, document_id, source_type, source_id, embedding, model)
       SELECT e."id", $1, 'hierarchical', e."sourceId", e."embedding", e."model"
         FROM jsonb_to_recordset($2::jsonb) AS e("id" uuid, "sourceId" uuid, "embedding" jsonb, "model" text)`,
      [documentId, JSON.stringify(batch)],
    );
  }
}

const STORED_CHUNKS_SQL = `
  SELECT hc.id, hc.page_number, coalesce(hc.section_path, '') AS section_path,
         coalesce(hc.chapter_path, '') AS chapter_path, hc.text, ce.id AS embedding_id
    FROM hierarchical_chunks hc
    LEFT JOIN chunk_embeddings ce ON ce.source_type = 'hierarchical' AND ce.source_id = hc.id
   WHERE hc.document_id = $1
   ORDER BY hc.page_number, hc.paragraph_index`;

async function readChunks(client: pg.ClientBase | pg.Pool, documentId: string): Promise<StoredChunk[]> {
  const result = await client.query(STORED_CHUNKS_SQL, [documentId]);
  return result.rows.map((row) => ({
    id: row.id,
    pageNumber: row.page_number,
    sectionPath: row.section_path,
    chapterPath: row.chapter_path,
    text: row.text,
    embeddingId: row.embedding_id,
  }));
}

/**
 * Applies a PUT plan. Kept chunks move to their new paragraph index in two steps (first to negative
 * placeholders) because the unique (document, page, paragraph) index is checked row by row.
 */
async function applyReplacement(client: pg.PoolClient, documentId: string, plan: ContentReplacement) {
  await writePages(client, documentId, plan.pages);
  if (plan.removedIds.length > 0) {
    await client.query(`DELETE FROM chunk_embeddings WHERE source_type = 'hierarchical' AND source_id = ANY($1::uuid[])`, [plan.removedIds]);
    await client.query('DELETE FROM hierarchical_chunks WHERE id = ANY($1::uuid[])', [plan.removedIds]);
  }
  await client.query('UPDATE hierarchical_chunks SET paragraph_index = -1 - paragraph_index WHERE document_id = $1', [documentId]);
  await client.query(
    `UPDATE hierarchical_chunks hc SET paragraph_index = k."paragraphIndex", start_offset_in_page = k."startOffset",
            updated_at = (now() AT TIME ZONE 'utc')
       FROM jsonb_to_recordset($1::jsonb) AS k("id" uuid, "paragraphIndex" integer, "startOffset" integer)
      WHERE hc.id = k."id"`,
    [JSON.stringify(plan.kept)],
  );
  await insertChunks(client, documentId, plan.added);
  await insertEmbeddings(client, documentId, plan.embeddings);
}

/** The documents side of the rag repository on `pool`. */
export function createDocumentStore(pool: pg.Pool): DocumentStore {
  return {
    listDocuments: (filter) => listDocuments(pool, filter),

    insertDocument: (id, metadata, content) =>
      withTransaction(pool, async (client) => {
        await insertDocumentRow(client, id, metadata, content.pages.length);
        await writePages(client, id, content.pages);
        await insertChunks(client, id, content.chunks);
        await insertEmbeddings(client, id, content.embeddings);
      }),

    async listChunks(documentId) {
      const found = await pool.query('SELECT 1 FROM documents WHERE id = $1', [documentId]);
      return found.rowCount === 0 ? undefined : readChunks(pool, documentId);
    },

    replaceDocument: (documentId, metadata, plan) =>
      withTransaction(pool, async (client) => {
        const locked = await client.query('SELECT 1 FROM documents WHERE id = $1 FOR UPDATE', [documentId]);
        if (locked.rowCount === 0) return false;
        const replacement = await plan(await readChunks(client, documentId));
        await updateDocumentRow(client, documentId, metadata, replacement.pages.length);
        await applyReplacement(client, documentId, replacement);
        return true;
      }),
  };
}
