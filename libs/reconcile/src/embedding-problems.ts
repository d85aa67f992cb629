import { embeddingProblem } from '@mobius/contracts';
import type pg from 'pg';

/**
 * Which of the given RAG rows have an embedding the index cannot take, and why. A check asks only
 * about rows the index lacks or holds differently, so an in-sync corpus reads no embedding. SQL on RAG
 * finds the suspects without moving vectors (not an array, another length, an element that is not a
 * number or lies beyond float32's range); only the suspects' embeddings are then read and judged by
 * `embeddingProblem` (@mobius/contracts), the one check vertex-sync and the warehouse use, so the
 * reasons are the same everywhere.
 */
const SUSPECTS_SQL = `
  SELECT id::text AS id, embedding
    FROM rag_published_embeddings
   WHERE id = ANY($1::uuid[])
     AND (embedding IS NULL OR jsonb_typeof(embedding) <> 'array' OR jsonb_array_length(embedding) <> $2
          OR jsonb_path_exists(embedding, '$[*] ? (@.type() != "number" || @ > 3.4028234663852886e38 || @ < -3.4028234663852886e38)'))`;

/** id -> reason, for those of `ids` whose embedding cannot be indexed. */
export async function embeddingProblems(rag: pg.Pool, ids: readonly string[], dimensions: number): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const suspects = await rag.query<{ id: string; embedding: unknown }>(SUSPECTS_SQL, [ids, dimensions]);
  const problems = new Map<string, string>();
  for (const row of suspects.rows) {
    const problem = embeddingProblem(row.embedding, dimensions);
    if (problem) problems.set(row.id, problem.reason);
  }
  return problems;
}
