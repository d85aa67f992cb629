import { createHash } from 'node:crypto';

/**
 * The published chunk row of docs/contracts.md, "The published row": one row per embedded chunk or fact of a published
 * document, with the same 29 columns in RAG `rag_published_embeddings`, the warehouse landing table and
 * the mart; Chat's `published_rag_metadata` has them all but `embedding`. Every schema (Postgres DDL
 * checks, BigQuery table schemas, column lists in SQL) derives from this one catalogue.
 */
export interface PublishedColumn {
  name: keyof PublishedRow;
  /**
   * The type in RAG Postgres, and in the Postgres warehouse except `embedding`, which the local
   * warehouse stores as binary float32 (`bytea`, libs/warehouse/migrations/003).
   */
  postgres: string;
  /** The type in Chat's `published_rag_metadata`; absent for `embedding`, which Chat does not hold. */
  chat?: 'uuid' | 'text' | 'integer' | 'timestamptz';
  bigquery: 'STRING' | 'INT64' | 'TIMESTAMP' | 'ARRAY<FLOAT64>';
  /** BigQuery REQUIRED / Postgres NOT NULL without a default. */
  required: boolean;
  kind: 'uuid' | 'string' | 'integer' | 'timestamp' | 'vector';
}

const col = (name: keyof PublishedRow, postgres: string, kind: PublishedColumn['kind'], required: boolean): PublishedColumn => {
  const chat = ({ uuid: 'uuid', string: 'text', integer: 'integer', timestamp: 'timestamptz' } as const)[
    kind as Exclude<PublishedColumn['kind'], 'vector'>
  ];
  const bigquery = ({ uuid: 'STRING', string: 'STRING', integer: 'INT64', timestamp: 'TIMESTAMP', vector: 'ARRAY<FLOAT64>' } as const)[kind];
  return kind === 'vector' ? { name, postgres, bigquery, required, kind } : { name, postgres, chat, bigquery, required, kind };
};

/** The 29 columns, in contract order. */
export const PUBLISHED_COLUMNS: readonly PublishedColumn[] = [
  col('id', 'uuid', 'uuid', true),
  col('document_id', 'uuid', 'uuid', true),
  col('source_type', 'varchar(20)', 'string', true),
  col('source_id', 'uuid', 'uuid', true),
  col('embedding', 'jsonb', 'vector', false),
  col('model', 'varchar(100)', 'string', false),
  col('created_at', 'timestamp', 'timestamp', true),
  col('text', 'text', 'string', false),
  col('page_number', 'integer', 'integer', false),
  col('paragraph_index', 'integer', 'integer', false),
  col('section_path', 'varchar(500)', 'string', false),
  col('chapter_path', 'varchar(500)', 'string', false),
  col('summary', 'text', 'string', false),
  col('document_filename', 'varchar(255)', 'string', false),
  col('document_display_name', 'varchar(255)', 'string', false),
  col('document_authority_level', 'varchar(100)', 'string', false),
  col('document_effective_date', 'varchar(20)', 'string', false),
  col('document_termination_date', 'varchar(20)', 'string', false),
  col('document_payer', 'varchar(100)', 'string', false),
  col('document_state', 'varchar(2)', 'string', false),
  col('document_program', 'varchar(100)', 'string', false),
  col('document_status', 'varchar(20)', 'string', false),
  col('document_review_status', 'varchar(20)', 'string', false),
  col('document_created_at', 'timestamp', 'timestamp', false),
  col('document_reviewed_at', 'timestamp', 'timestamp', false),
  col('document_reviewed_by', 'varchar(255)', 'string', false),
  col('content_sha', 'varchar(64)', 'string', true),
  col('updated_at', 'timestamp', 'timestamp', true),
  col('source_verification_status', 'varchar(20)', 'string', false),
];

/** The 29 column names, in contract order. */
export const PUBLISHED_COLUMN_NAMES = PUBLISHED_COLUMNS.map((c) => c.name);

/** The 28 columns Chat holds (all but `embedding`). */
export const CHAT_COLUMNS = PUBLISHED_COLUMNS.filter((c) => c.chat !== undefined);
export const CHAT_COLUMN_NAMES = CHAT_COLUMNS.map((c) => c.name);

/**
 * Timestamps travel as Postgres text without a zone (`2026-01-02 03:04:05.123456`), in UTC: a JS Date
 * would drop the microseconds and Chat's copy would no longer equal RAG's.
 */
export type UtcTimestamp = string;

/** One published row. Strings default to '' and integers to 0 in RAG; nullable columns say so. */
export interface PublishedRow {
  id: string;
  document_id: string;
  source_type: string;
  source_id: string;
  embedding: number[] | null;
  model: string | null;
  created_at: UtcTimestamp;
  text: string;
  page_number: number;
  paragraph_index: number;
  section_path: string;
  chapter_path: string;
  summary: string;
  document_filename: string;
  document_display_name: string;
  document_authority_level: string;
  document_effective_date: string;
  document_termination_date: string;
  document_payer: string;
  document_state: string;
  document_program: string;
  document_status: string;
  document_review_status: string;
  document_created_at: UtcTimestamp | null;
  document_reviewed_at: UtcTimestamp | null;
  document_reviewed_by: string | null;
  content_sha: string;
  updated_at: UtcTimestamp;
  source_verification_status: string;
}

/** sha256 hex of `document_id + source_id + text`, as the contract defines `content_sha`. */
export function contentSha(documentId: string, sourceId: string, text: string): string {
  return createHash('sha256').update(`${documentId}${sourceId}${text}`).digest('hex');
}
