-- mobius:replaces-checksum 4d09fedd476249557912707710032b9c
-- Embeddings as binary float32 in the local warehouse: bytea, 4 bytes per dimension, BIG-ENDIAN.
--
-- Why: a jsonb embedding is 1536 numerics that Postgres parses on every landing (about 1 ms of CPU per
-- row, most of the pipeline's cost) and prints on every read; bytes are only copied. A documented
-- departure from docs/contracts.md, "The published row" (embedding jsonb) for this local stand-in only, which nothing
-- but our own adapter reads; BigQuery keeps ARRAY<FLOAT64>, RAG and the port keep number arrays.
-- Values are rounded to the nearest float32, the precision of the vector index.
--
-- Why big-endian: it is Postgres's own binary form of a real (float4send), so this conversion is
-- plain SQL. libs/warehouse/src/adapters/postgres/embedding-bytes.ts encodes and decodes the same
-- bytes in JS (swapping from the host's order).
--
-- Existing rows are converted in place (the tables are rewritten); NULL stays NULL. Each value goes
-- through float8, then float4, rounding to nearest as the JS encoder does (Float32Array); a value
-- too small for a float4 becomes 0 (a bare cast would refuse it), one too large fails the migration
-- (validation never landed one: embeddings are of magnitude below 1).

CREATE FUNCTION pg_temp.mobius_float32_bytes(embedding jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(string_agg(
               float4send(CASE WHEN abs(e.value::float8) <= 2 ^ -150 THEN 0 ELSE e.value::float8 END::float4),
               ''::bytea ORDER BY e.position),
           ''::bytea)
      FROM jsonb_array_elements_text(embedding) WITH ORDINALITY AS e(value, position)
$$;

ALTER TABLE landing_rag.rag_published_embeddings
    ALTER COLUMN embedding TYPE bytea USING pg_temp.mobius_float32_bytes(embedding);
ALTER TABLE mobius_rag.published_rag_embeddings
    ALTER COLUMN embedding TYPE bytea USING pg_temp.mobius_float32_bytes(embedding);

DROP FUNCTION pg_temp.mobius_float32_bytes(jsonb);

-- float32 embeddings do not compress (the lz4 of 002 saved nothing on them, and the rewrite above
-- left the default method): EXTERNAL keeps them out of line, uncompressed, with no compression
-- attempted on each landed or merged row.
ALTER TABLE landing_rag.rag_published_embeddings ALTER COLUMN embedding SET STORAGE EXTERNAL;
ALTER TABLE mobius_rag.published_rag_embeddings ALTER COLUMN embedding SET STORAGE EXTERNAL;
