-- The mart's per-document version guard and the indexes of the mart-builder's
-- reads. IF NOT EXISTS throughout.

-- ---------------------------------------------------------------------------
-- Per document, the snapshot the mart currently holds. A merge applies a
-- document's winning batch only when its version is higher than this one, so
-- an older snapshot never replaces a newer one, even after an unpublish left
-- the document with no live rows. mart_run_id is the run that set it (the
-- merge finds the documents it advanced by it).
CREATE TABLE IF NOT EXISTS mobius_rag.mart_documents (
    document_id      uuid   PRIMARY KEY,
    document_version bigint NOT NULL,
    batch_id         uuid,
    mart_run_id      bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_mart_documents_mart_run_id
    ON mobius_rag.mart_documents (mart_run_id);

-- A mart that existed before this table: its documents are at the highest
-- version their rows carry.
INSERT INTO mobius_rag.mart_documents (document_id, document_version, mart_run_id)
SELECT document_id, max(document_version), max(mart_run_id)
  FROM mobius_rag.published_rag_embeddings
 GROUP BY document_id
ON CONFLICT (document_id) DO NOTHING;

-- How many documents a run advanced to a newer snapshot (warehouse.mart_updated
-- carries it as `documents`).
ALTER TABLE mobius_rag.mart_runs ADD COLUMN IF NOT EXISTS documents integer NOT NULL DEFAULT 0;

-- Each merge reads the batches it recorded by their run.
CREATE INDEX IF NOT EXISTS idx_merged_batches_mart_run_id
    ON mobius_rag.merged_batches (mart_run_id);

-- The sinks page through a run range in (mart_run_id, id) order.
CREATE INDEX IF NOT EXISTS idx_mart_pre_mart_run_id_id
    ON mobius_rag.published_rag_embeddings (mart_run_id, id);
-- The single-column index of 001 is a prefix of this one: keep one to maintain.
DROP INDEX IF EXISTS mobius_rag.idx_mart_pre_mart_run_id;

-- Embeddings (1536 floats, about 30 kB of JSON per row) are TOASTed; lz4
-- compresses them several times faster than the default pglz, which roughly
-- halves the time of landing a snapshot. A server built without lz4 (or
-- older than Postgres 14) keeps pglz: EXECUTE defers parsing so the handler
-- can catch both.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE landing_rag.rag_published_embeddings ALTER COLUMN embedding SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE mobius_rag.published_rag_embeddings ALTER COLUMN embedding SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    NULL;
END $$;
