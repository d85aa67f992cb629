import { embeddingProblem, type EmbeddingProblemCode } from '@mobius/contracts';
import { toDatapoint, type Datapoint } from '@mobius/vector-index';
import type { MartChange } from '@mobius/warehouse';

/** A live mart row whose embedding cannot be a datapoint, and why (`embeddingProblem` of @mobius/contracts). */
export interface InvalidRow {
  id: string;
  documentId: string;
  code: EmbeddingProblemCode;
  reason: string;
}

/** The index calls of one page of mart changes. */
export interface IndexChanges {
  /** One per live row whose embedding is usable. */
  datapoints: Datapoint[];
  /** Tombstoned ids, and the ids of invalid rows: a vector RAG no longer has must not stay in the index. */
  removals: string[];
  /** Live rows skipped for their embedding; their metadata still reaches Chat (chat-sync does not read embeddings). */
  invalid: InvalidRow[];
}

/**
 * Splits a page of current changes into the index calls: a datapoint for every live row with a usable
 * embedding, a removal for every tombstone and for every live row whose embedding is unusable (the
 * warehouse lands those with a NULL embedding; the batch job this platform replaces also skipped only
 * the vector). One bad row hurts only itself: it never fails the page. Still throws
 * InvalidDatapointError for a row id that is not a uuid (the warehouse never lands one).
 */
export function indexChangesOf(changes: readonly MartChange[], dimensions: number): IndexChanges {
  const result: IndexChanges = { datapoints: [], removals: [], invalid: [] };
  for (const { row, deleted } of changes) {
    const id = row.id.toLowerCase();
    if (deleted) {
      result.removals.push(id);
      continue;
    }
    const problem = embeddingProblem(row.embedding, dimensions);
    if (problem) {
      result.invalid.push({ id, documentId: row.document_id.toLowerCase(), code: problem.code, reason: problem.reason });
      result.removals.push(id);
      continue;
    }
    result.datapoints.push(toDatapoint(row, { dimensions }));
  }
  return result;
}
