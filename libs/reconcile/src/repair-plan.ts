import type { RagDocument } from './rag-documents.ts';

/** What one repaired batch did. */
export interface BatchRepair {
  /** Documents brought to RAG's state. */
  documents: number;
  /** Documents left alone: the sink already holds a newer version than RAG showed. */
  skipped: number;
  /** Rows or datapoints written or removed. */
  written: number;
  /** Of those, rows or datapoints removed. */
  removed: number;
  /** Rows that cannot be written (vector target: embeddings that cannot be indexed). */
  invalid?: number;
}

/**
 * The version a repair writes a document at: RAG's, unless the sink holds a newer one (then 'skip':
 * the sink is ahead of this read and will get it right). A document with no publish event left
 * (hard-deleted by the existing app) returns null: its rows go, and no version is recorded, so a
 * later first publish under that id (an unpublished document the old job had copied) is never blocked.
 */
export function versionToWrite(document: RagDocument, held: number | undefined): number | null | 'skip' {
  if (document.version === null) return document.rows.length > 0 ? (held ?? 0) : null;
  if (held !== undefined && held > document.version) return 'skip';
  return document.version;
}
