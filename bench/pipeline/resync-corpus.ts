/**
 * The reconciliation benchmark's corpus: published rows written straight into RAG's
 * `rag_published_embeddings` by one `INSERT ... SELECT generate_series` (2M rows in a few minutes, where
 * the publish API would take hours), with one publish event per document so a repair reads real
 * versions. Embeddings are NULL unless asked for (Chat holds none, and a Chat check never reads them);
 * when asked, they come from the pipeline benchmark's vector model (corpus.ts) through COPY. Loading is
 * setup, not part of any figure.
 */
import { once } from 'node:events';
import { pipeline as pipe } from 'node:stream/promises';
import { CHAT_COLUMN_NAMES } from '@mobius/contracts';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { embeddingJson, vectorModel } from './corpus.ts';

export interface ResyncCorpusOptions {
  rows: number;
  /** Rows per document. */
  paragraphs: number;
  /** Embedding length, or undefined for NULL embeddings. */
  dimensions?: number;
  /** Distinguishes the documents of two corpora loaded into the same databases one after the other. */
  tag: string;
}

/** Rows are `g` = 0..rows-1; document `g / paragraphs`; random uuids, so the id order is not the insert order. */
const INSERT_ROWS = `
  INSERT INTO rag_published_embeddings (
    id, document_id, source_type, source_id, embedding, model, created_at, text, page_number, paragraph_index,
    section_path, chapter_path, summary, document_filename, document_display_name, document_authority_level,
    document_effective_date, document_termination_date, document_payer, document_state, document_program,
    document_status, document_review_status, document_created_at, document_reviewed_at, document_reviewed_by,
    content_sha, updated_at, source_verification_status)
  SELECT gen_random_uuid(), md5($1::text || (g / $2::int))::uuid, 'hierarchical', gen_random_uuid(), e.embedding,
         'gemini-embedding-001', timestamp '2026-01-01 00:00:00' + g * interval '1 millisecond',
         left(repeat(md5(g::text) || ' prior authorization member claim coverage benefit provider network ', 12), 600 + g % 200),
         1 + (g % $2::int) / 10, g % 10, 'Section ' || g % 7, 'Chapter ' || g % 3, '',
         'bench-' || (g / $2::int) || '.pdf', 'Bench document ' || (g / $2::int), 'policy', '2026-01-01', '',
         (ARRAY['Sunshine Health','Aetna Better Health','Molina','Humana','Simply Healthcare'])[1 + (g / $2::int) % 5],
         (ARRAY['FL','TX','CA','NY','OH'])[1 + (g / $2::int) % 5], 'Medicaid', 'completed', 'approved',
         timestamp '2025-12-01 00:00:00', timestamp '2025-12-02 00:00:00.123456', 'reviewer@example.com',
         md5(g::text) || md5($1::text || g), timestamp '2026-01-02 00:00:00' + g * interval '1 microsecond', 'verified'
    FROM generate_series(0, $3::int - 1) AS g
    LEFT JOIN bench_resync_embeddings e ON e.row_no = g`;

const INSERT_EVENTS = `
  INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written, event_type, document_version, relayed_at)
  SELECT gen_random_uuid(), md5($1::text || d)::uuid, timestamp '2026-01-02 00:00:00', 'bench', $2::int, 'published', 1, now()
    FROM generate_series(0, $3::int - 1) AS d`;

/** Replaces RAG's published rows and publish events with a corpus of `rows` rows. */
export async function loadResyncCorpus(ragUrl: string, options: ResyncCorpusOptions): Promise<void> {
  const rag = new pg.Client({ connectionString: ragUrl });
  await rag.connect();
  try {
    await rag.query('TRUNCATE rag_published_embeddings, publish_events');
    await rag.query('CREATE UNLOGGED TABLE IF NOT EXISTS bench_resync_embeddings (row_no integer PRIMARY KEY, embedding jsonb NOT NULL)');
    await rag.query('TRUNCATE bench_resync_embeddings');
    if (options.dimensions) await copyEmbeddings(rag, options.rows, options.paragraphs, options.dimensions);
    await rag.query(INSERT_ROWS, [options.tag, options.paragraphs, options.rows]);
    await rag.query(INSERT_EVENTS, [options.tag, options.paragraphs, Math.ceil(options.rows / options.paragraphs)]);
    await rag.query('DROP TABLE bench_resync_embeddings');
    await rag.query('VACUUM ANALYZE rag_published_embeddings');
    await rag.query('ANALYZE publish_events');
  } finally {
    await rag.end();
  }
}

async function copyEmbeddings(client: pg.Client, rows: number, paragraphs: number, dimensions: number): Promise<void> {
  const vectors = vectorModel(dimensions, paragraphs);
  const scratch = new Float32Array(dimensions);
  const stream = client.query(copyFrom('COPY bench_resync_embeddings (row_no, embedding) FROM STDIN'));
  const done = once(stream, 'finish');
  for (let row = 0; row < rows; row++) {
    if (!stream.write(`${row}\t${embeddingJson(vectors.vector(row, scratch))}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await done;
}

/**
 * Makes Chat's published_rag_metadata equal to RAG's rows by COPY (the 28 columns, both sessions in
 * UTC so timestamps keep their value): the in-sync state, when the repair is not what is measured.
 */
export async function copyRagToChat(ragUrl: string, chatUrl: string): Promise<void> {
  const columns = CHAT_COLUMN_NAMES.map((name) => `"${name}"`).join(', ');
  const [rag, chat] = [ragUrl, chatUrl].map((url) => new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' }));
  await Promise.all([rag!.connect(), chat!.connect()]);
  try {
    await chat!.query('TRUNCATE published_rag_metadata');
    await pipe(
      rag!.query(copyTo(`COPY (SELECT ${columns} FROM rag_published_embeddings) TO STDOUT`)),
      chat!.query(copyFrom(`COPY published_rag_metadata (${columns}) FROM STDIN`)),
    );
    await chat!.query('VACUUM ANALYZE published_rag_metadata');
  } finally {
    await Promise.all([rag!.end(), chat!.end()]);
  }
}
