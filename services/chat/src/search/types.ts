import type { RestrictNamespace } from '@mobius/vector-index';

/**
 * The search domain: what `POST /v1/search` takes and answers (docs/api/chat.md), and the
 * port it reads Chat's published rows through.
 */

/** The filter fields: exactly the vector index's restrict namespaces (docs/contracts.md, "The vector index"). */
export type SearchFilters = Partial<Record<RestrictNamespace, string>>;

/** A validated search: either a query text or a query vector, never both. */
export interface SearchRequest {
  query?: string;
  vector?: number[];
  /** Neighbours asked of the index, 1..100. */
  k: number;
  /** Exact, case-sensitive values; '' matches rows whose value is empty. */
  filters: SearchFilters;
}

/** The columns of `published_rag_metadata` a search answers with, nulls read as '' and 0 (RAG's convention). */
export interface PublishedChunk {
  id: string;
  document_id: string;
  source_type: string;
  source_id: string;
  text: string;
  page_number: number;
  paragraph_index: number;
  section_path: string;
  chapter_path: string;
  summary: string;
  document_display_name: string;
  document_filename: string;
  document_payer: string;
  document_state: string;
  document_program: string;
  document_authority_level: string;
  document_effective_date: string;
  document_termination_date: string;
  /** The publish time, ISO 8601 UTC. */
  updated_at: string;
}

/** One result: the chunk and its relevance, `1 - distance / 2` in [0, 1]. */
export interface SearchResult extends PublishedChunk {
  score: number;
}

/** Reads Chat's published rows (the pg adapter is repository.ts). */
export interface PublishedChunkReader {
  /** The rows whose id is in `ids` (lowercase uuids), by id; ids without a row are absent. */
  findByIds(ids: string[]): Promise<Map<string, PublishedChunk>>;
  /** Resolves when the database answers and `published_rag_metadata` exists. */
  ping(): Promise<void>;
}
