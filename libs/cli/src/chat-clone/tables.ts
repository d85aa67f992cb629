/**
 * How each of chat's 001 dev-clone tables is filled from the rag database (docs/contracts.md, "Chat's database"):
 * the source page query (keyset on id) and the idempotent upsert. Source values travel as text where
 * a JS value could lose something: timestamps (microseconds), jsonb (numbers beyond 2^53) and
 * embeddings, which are converted from jsonb to `real` in SQL (exact decimal -> float4 rounding, no
 * detour through float8) and sent as real[] literals, whose shortest round-trip text is exact.
 */

/** The type of chat's `chunk_embeddings.embedding`: real[] here, vector(n) where pgvector exists. */
export type EmbeddingColumn = { kind: 'real[]' } | { kind: 'vector'; type: string };

export interface TableCopy {
  /** The chat table written; the progress line names it. */
  table: 'documents' | 'chunks' | 'chunk_embeddings' | 'facts';
  /** Counts the source rows that will be copied. */
  countSql: string;
  /** One page of source rows: `$1` the last id copied (NULL to start), `$2` the page size; by id. */
  pageSql: string;
  /** The page's columns, in the order of the upsert's parameters. */
  columns: readonly string[];
  /** Runs first, in the batch's transaction, with the first two parameters; its row count counts as written. */
  prepareSql?: string;
  /** Inserts the page's rows, updates those that differ, and returns one row per row written. */
  upsertSql(embedding: EmbeddingColumn): string;
}

/** `WHERE` of a keyset page on `column`. */
const after = (column: string) => `($1::uuid IS NULL OR ${column} > $1::uuid)`;

/** `(SET a = EXCLUDED.a, ...) WHERE (t.a, ...) IS DISTINCT FROM (EXCLUDED.a, ...)`: a same row is not rewritten. */
function updateWhenChanged(columns: string[], compare: (column: string, side: string) => string = (c, side) => `${side}.${c}`) {
  const set = columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const current = columns.map((c) => compare(c, 't')).join(', ');
  const incoming = columns.map((c) => compare(c, 'EXCLUDED')).join(', ');
  return `ON CONFLICT (id) DO UPDATE SET ${set} WHERE (${current}) IS DISTINCT FROM (${incoming}) RETURNING 1`;
}

/** A rag `timestamp` (UTC, sent as text) as chat's `timestamptz`. */
const utc = (column: string) => `(${column}::timestamp AT TIME ZONE 'UTC')`;

const DOCUMENTS: TableCopy = {
  table: 'documents',
  countSql: 'SELECT count(*)::bigint AS n FROM documents',
  pageSql: `
    SELECT id::text AS id,
           COALESCE(NULLIF(btrim(display_name), ''), filename) AS name,
           created_at::text AS created_at,
           (CASE WHEN jsonb_typeof(metadata) = 'object' THEN metadata ELSE '{}'::jsonb END || jsonb_build_object(
              'filename', filename, 'display_name', display_name, 'payer', payer, 'state', state, 'program', program,
              'authority_level', authority_level, 'effective_date', effective_date, 'termination_date', termination_date,
              'status', status, 'review_status', review_status, 'content_type', content_type, 'page_count', page_count,
              'file_hash', file_hash, 'updated_at', updated_at::text, 'reviewed_at', reviewed_at::text,
              'reviewed_by', reviewed_by))::text AS metadata
      FROM documents WHERE ${after('id')} ORDER BY id LIMIT $2`,
  columns: ['id', 'name', 'created_at', 'metadata'],
  upsertSql: () => `
    INSERT INTO documents AS t (id, name, source_type, created_at, metadata)
    SELECT s.id, s.name, 'document', ${utc('s.created_at')}, s.metadata::jsonb
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS s (id, name, created_at, metadata)
    ${updateWhenChanged(['name', 'source_type', 'created_at', 'metadata'])}`,
};

const CHUNKS: TableCopy = {
  table: 'chunks',
  countSql: 'SELECT count(*)::bigint AS n FROM hierarchical_chunks',
  pageSql: `
    SELECT id::text AS id, document_id::text AS document_id, text, page_number,
           start_offset_in_page AS start_offset, start_offset_in_page + char_length(text) AS end_offset,
           created_at::text AS created_at,
           jsonb_build_object(
              'source_type', 'hierarchical', 'paragraph_index', paragraph_index, 'section_path', section_path,
              'chapter_path', chapter_path, 'summary', summary, 'text_length', text_length,
              'chunk_d_tags', chunk_d_tags, 'chunk_p_tags', chunk_p_tags, 'chunk_j_tags', chunk_j_tags,
              'extraction_status', extraction_status, 'critique_status', critique_status,
              'updated_at', updated_at::text)::text AS metadata
      FROM hierarchical_chunks WHERE ${after('id')} ORDER BY id LIMIT $2`,
  columns: ['id', 'document_id', 'text', 'page_number', 'start_offset', 'end_offset', 'created_at', 'metadata'],
  upsertSql: () => `
    INSERT INTO chunks AS t (id, document_id, text, page_number, start_offset, end_offset, created_at, metadata)
    SELECT s.id, s.document_id, s.text, s.page_number, s.start_offset, s.end_offset, ${utc('s.created_at')}, s.metadata::jsonb
      FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[])
           AS s (id, document_id, text, page_number, start_offset, end_offset, created_at, metadata)
    ${updateWhenChanged(['document_id', 'text', 'page_number', 'start_offset', 'end_offset', 'created_at', 'metadata'])}`,
};

/**
 * The jsonb embedding as a real[] literal, converted element by element in array order; NULL when it
 * is not a non-empty array of numbers (the row is still copied, without an embedding).
 */
const EMBEDDING_AS_REAL_ARRAY = `
  CASE WHEN jsonb_typeof(e.embedding) = 'array'
            AND NOT jsonb_path_exists(e.embedding, 'strict $[*] ? (@.type() != "number")')
       THEN (SELECT array_agg(x.value::real ORDER BY x.n)
               FROM jsonb_array_elements_text(e.embedding) WITH ORDINALITY AS x (value, n))::text
  END`;

/** Chat's chunk_embeddings reference chunks: only the embeddings of hierarchical chunks are copied. */
const HIERARCHICAL_EMBEDDINGS = `
  FROM chunk_embeddings e JOIN hierarchical_chunks c ON c.id = e.source_id
 WHERE e.source_type = 'hierarchical'`;

const CHUNK_EMBEDDINGS: TableCopy = {
  table: 'chunk_embeddings',
  countSql: `SELECT count(*)::bigint AS n ${HIERARCHICAL_EMBEDDINGS}`,
  pageSql: `
    SELECT e.id::text AS id, e.source_id::text AS chunk_id, ${EMBEDDING_AS_REAL_ARRAY} AS embedding,
           e.model AS model_id, e.created_at::text AS created_at
    ${HIERARCHICAL_EMBEDDINGS} AND ${after('e.id')} ORDER BY e.id LIMIT $2`,
  columns: ['id', 'chunk_id', 'embedding', 'model_id', 'created_at'],
  // A chunk re-embedded in rag has a new embedding id: the old row, unique on chunk_id, goes first.
  prepareSql: `
    DELETE FROM chunk_embeddings t
     USING unnest($1::uuid[], $2::uuid[]) AS s (id, chunk_id)
     WHERE t.chunk_id = s.chunk_id AND t.id <> s.id`,
  upsertSql: (embedding) => {
    const cast = embedding.kind === 'vector' ? `s.embedding::real[]::vector` : `s.embedding::real[]`;
    return `
    INSERT INTO chunk_embeddings AS t (id, chunk_id, embedding, model_id, created_at)
    SELECT s.id, s.chunk_id, ${cast}, s.model_id, ${utc('s.created_at')}
      FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS s (id, chunk_id, embedding, model_id, created_at)
    ${updateWhenChanged(['chunk_id', 'embedding', 'model_id', 'created_at'], (c, side) =>
      // Compared as text: exact for real[] and for pgvector's type alike.
      c === 'embedding' ? `${side}.embedding::text` : `${side}.${c}`,
    )}`;
  },
};

const FACTS: TableCopy = {
  table: 'facts',
  countSql: 'SELECT count(*)::bigint AS n FROM extracted_facts',
  pageSql: `
    SELECT id::text AS id, document_id::text AS document_id, hierarchical_chunk_id::text AS chunk_id, fact_type,
           fact_text AS content, created_at::text AS created_at,
           jsonb_build_object(
              'who_eligible', who_eligible, 'how_verified', how_verified, 'conflict_resolution', conflict_resolution,
              'when_applies', when_applies, 'limitations', limitations,
              'is_pertinent_to_claims_or_members', is_pertinent_to_claims_or_members, 'confidence', confidence,
              'category_scores', category_scores, 'page_number', page_number, 'start_offset', start_offset,
              'end_offset', end_offset, 'verification_status', verification_status, 'verified_by', verified_by,
              'verified_at', verified_at::text, 'updated_at', updated_at::text)::text AS metadata
      FROM extracted_facts WHERE ${after('id')} ORDER BY id LIMIT $2`,
  columns: ['id', 'document_id', 'chunk_id', 'fact_type', 'content', 'created_at', 'metadata'],
  upsertSql: () => `
    INSERT INTO facts AS t (id, document_id, chunk_id, fact_type, content, created_at, metadata)
    SELECT s.id, s.document_id, s.chunk_id, s.fact_type, s.content, ${utc('s.created_at')}, s.metadata::jsonb
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS s (id, document_id, chunk_id, fact_type, content, created_at, metadata)
    ${updateWhenChanged(['document_id', 'chunk_id', 'fact_type', 'content', 'created_at', 'metadata'])}`,
};

/** The tables in the order they are copied: parents before the rows that reference them. */
export const TABLE_COPIES: readonly TableCopy[] = [DOCUMENTS, CHUNKS, CHUNK_EMBEDDINGS, FACTS];

/** The rag tables the clone reads. */
export const SOURCE_TABLES = ['documents', 'hierarchical_chunks', 'chunk_embeddings', 'extracted_facts'] as const;

/** Every rag embedding; those of facts (or of a missing chunk) have no place in chat's chunk_embeddings. */
export const ALL_EMBEDDINGS_COUNT_SQL = 'SELECT count(*)::bigint AS n FROM chunk_embeddings';
