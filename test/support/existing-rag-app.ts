// The existing RAG app's database as it leaves it (docs/contracts.md, "The RAG database"), and the app's own writes, in
// plain SQL: its schema from an ORM plus idempotent scripts, no migration table; `documents` without
// reviewed_at / reviewed_by; every foreign key to documents.id ON DELETE CASCADE, publish_events included;
// rag_published_embeddings with no foreign key and without the chunk tag columns; hierarchical_chunks
// without chunk tags but with a generated `search_vec`. (`embedding_vec` needs pgvector, which these
// machines lack: our code never names it, so its absence changes nothing here.)
import { randomUUID } from 'node:crypto';
import { appPublish as publishAsTheApp } from '@mobius/test-support';
import pg from 'pg';
import { queryDatabase, testDatabaseUrl } from './databases.ts';

const NOW = `(now() AT TIME ZONE 'utc')`;

export const EXISTING_RAG_SCHEMA = `
  CREATE TABLE documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(), filename varchar(255) NOT NULL, display_name varchar(255),
    file_hash varchar(64) UNIQUE, file_path varchar(500), content_type varchar(100), page_count integer,
    payer varchar(100), state varchar(2), program varchar(100), authority_level varchar(100),
    effective_date varchar(20), termination_date varchar(20), status varchar(20) NOT NULL DEFAULT 'uploaded',
    review_status varchar(20) NOT NULL DEFAULT 'pending', error_count integer NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}', created_at timestamp NOT NULL DEFAULT ${NOW},
    updated_at timestamp NOT NULL DEFAULT ${NOW});
  CREATE TABLE document_pages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE, page_number integer NOT NULL,
    text text, text_markdown text, extraction_status varchar(20) NOT NULL DEFAULT 'success', extraction_error text,
    text_length integer NOT NULL DEFAULT 0, created_at timestamp NOT NULL DEFAULT ${NOW},
    UNIQUE (document_id, page_number));
  CREATE TABLE hierarchical_chunks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE, page_number integer NOT NULL,
    paragraph_index integer NOT NULL, section_path varchar(500), chapter_path varchar(500), text text NOT NULL,
    text_length integer NOT NULL DEFAULT 0, start_offset_in_page integer, summary text,
    extraction_status varchar(20) NOT NULL DEFAULT 'pending', critique_status varchar(20) NOT NULL DEFAULT 'pending',
    critique_feedback text, retry_count integer NOT NULL DEFAULT 0,
    created_at timestamp NOT NULL DEFAULT ${NOW}, updated_at timestamp NOT NULL DEFAULT ${NOW},
    search_vec tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED,
    UNIQUE (document_id, page_number, paragraph_index));
  CREATE INDEX ix_hierarchical_chunks_search_vec ON hierarchical_chunks USING gin (search_vec);
  CREATE TABLE chunking_results (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
    metadata jsonb NOT NULL DEFAULT '{}', results jsonb NOT NULL DEFAULT '{}',
    created_at timestamp NOT NULL DEFAULT ${NOW}, updated_at timestamp NOT NULL DEFAULT ${NOW});
  CREATE TABLE chunk_embeddings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE, source_type varchar(20) NOT NULL,
    source_id uuid NOT NULL, embedding jsonb NOT NULL, model varchar(100),
    created_at timestamp NOT NULL DEFAULT ${NOW}, UNIQUE (source_type, source_id));
  CREATE TABLE publish_events (
    id uuid PRIMARY KEY, document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    published_at timestamp NOT NULL, published_by varchar(255), rows_written integer NOT NULL DEFAULT 0,
    notes text, verification_passed boolean, verification_message text);
  CREATE INDEX ix_publish_events_document_id ON publish_events (document_id);
  CREATE INDEX ix_publish_events_published_at ON publish_events (published_at DESC);
  CREATE TABLE rag_published_embeddings (
    id uuid PRIMARY KEY, document_id uuid NOT NULL, source_type varchar(20) NOT NULL, source_id uuid NOT NULL,
    embedding jsonb, model varchar(100), created_at timestamp NOT NULL, text text NOT NULL DEFAULT '',
    page_number integer NOT NULL DEFAULT 0, paragraph_index integer NOT NULL DEFAULT 0,
    section_path varchar(500) NOT NULL DEFAULT '', chapter_path varchar(500) NOT NULL DEFAULT '',
    summary text NOT NULL DEFAULT '', document_filename varchar(255) NOT NULL DEFAULT '',
    document_display_name varchar(255) NOT NULL DEFAULT '', document_authority_level varchar(100) NOT NULL DEFAULT '',
    document_effective_date varchar(20) NOT NULL DEFAULT '', document_termination_date varchar(20) NOT NULL DEFAULT '',
    document_payer varchar(100) NOT NULL DEFAULT '', document_state varchar(2) NOT NULL DEFAULT '',
    document_program varchar(100) NOT NULL DEFAULT '', document_status varchar(20) NOT NULL DEFAULT '',
    document_review_status varchar(20) NOT NULL DEFAULT '', document_created_at timestamp,
    document_reviewed_at timestamp, document_reviewed_by varchar(255), content_sha varchar(64) NOT NULL,
    updated_at timestamp NOT NULL, source_verification_status varchar(20) NOT NULL DEFAULT '');
  CREATE INDEX ix_rag_published_embeddings_document_id ON rag_published_embeddings (document_id);`;

/** A deterministic embedding of `dimensions` numbers, as the app stores it (a jsonb array). */
function embedding(seed: number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, i) => Math.round(Math.sin(seed * 31 + i) * 1e6) / 1e6);
}

/** The existing app's upload: a document, one page, one chunk per paragraph and their embeddings. */
export async function appUpload(database: string, filename: string, paragraphs: string[], dimensions: number) {
  const documentId = randomUUID();
  await queryDatabase(
    database,
    `INSERT INTO documents (id, filename, display_name, payer, state, program, authority_level, status, review_status)
     VALUES ($1, $2, $2, 'Sunshine Health', 'FL', 'Medicaid', 'payer_policy', 'completed', 'approved')`,
    [documentId, filename],
  );
  await queryDatabase(database, `INSERT INTO document_pages (document_id, page_number, text) VALUES ($1, 1, $2)`, [
    documentId,
    paragraphs.join('\n\n'),
  ]);
  for (const [index, text] of paragraphs.entries()) {
    const chunk = await queryDatabase<{ id: string }>(
      database,
      `INSERT INTO hierarchical_chunks (document_id, page_number, paragraph_index, section_path, text, text_length)
       VALUES ($1, 1, $2, 'Coverage', $3, length($3)) RETURNING id`,
      [documentId, index, text],
    );
    await queryDatabase(
      database,
      `INSERT INTO chunk_embeddings (document_id, source_type, source_id, embedding, model)
       VALUES ($1, 'hierarchical', $2, $3, 'gemini-embedding-001')`,
      [documentId, chunk[0]!.id, JSON.stringify(embedding(index + 1, dimensions))],
    );
  }
  return documentId;
}

/** The existing app's publish (@mobius/test-support appPublish) on database `database`. */
export async function appPublish(database: string, documentId: string) {
  const client = new pg.Client({ connectionString: testDatabaseUrl(database) });
  await client.connect();
  try {
    await publishAsTheApp(client, documentId);
  } finally {
    await client.end();
  }
}

/** The existing app's hard delete: its published rows, then the document (the rest goes by cascade). */
export async function appHardDelete(database: string, documentId: string) {
  await queryDatabase(
    database,
    `WITH rows AS (DELETE FROM rag_published_embeddings WHERE document_id = $1)
     DELETE FROM documents WHERE id = $1`,
    [documentId],
  );
}
