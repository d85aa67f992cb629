import type pg from 'pg';

/**
 * Why RAG rows cannot become datapoints, decided in SQL on RAG for just the ids asked about (a check
 * asks only about rows the index lacks or holds differently, so an in-sync corpus reads no embedding).
 * The same three reasons vertex-sync skips a row for: no embedding, the wrong length, or an element
 * that is not a number (JSON has no NaN or Infinity; the existing app leaves them as strings).
 */
const PROBLEMS_SQL = `
  SELECT id::text AS id,
         CASE
           WHEN embedding IS NULL OR jsonb_typeof(embedding) <> 'array' THEN 'embedding is missing'
           WHEN jsonb_array_length(embedding) <> $2 THEN
             'embedding has ' || jsonb_array_length(embedding) || ' dimensions, expected ' || $2
           WHEN jsonb_path_exists(embedding, '$[*] ? (@.type() != "number")') THEN
             'embedding holds a value that is not a finite number'
         END AS problem
    FROM rag_published_embeddings
   WHERE id = ANY($1::uuid[])`;

/** id -> reason, for those of `ids` whose embedding cannot be indexed. */
export async function embeddingProblems(rag: pg.Pool, ids: readonly string[], dimensions: number): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const result = await rag.query<{ id: string; problem: string | null }>(PROBLEMS_SQL, [ids, dimensions]);
  return new Map(result.rows.filter((row) => row.problem !== null).map((row) => [row.id, row.problem!]));
}
