-- mobius-chat 003: chat's later additive columns, the trigram index and the
-- doc-grain materialized view (CONTRACTS.md section 3). All IF NOT EXISTS; the
-- view depends on published_rag_metadata, so its columns are never dropped or
-- retyped.

ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS instant_rag boolean DEFAULT false;
ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS verification_tier text DEFAULT 'verified';
ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS agent_scope_tags jsonb DEFAULT '[]'::jsonb;
ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS expires_at timestamptz;

-- Trigram index for substring (ILIKE '%...%') search over the chunk text.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_text_trgm
    ON published_rag_metadata USING gin (text gin_trgm_ops);

-- Newest row per document (doc-grain cache for name lookups). Refresh with
-- REFRESH MATERIALIZED VIEW CONCURRENTLY published_rag_documents (needs the
-- unique index below).
CREATE MATERIALIZED VIEW IF NOT EXISTS published_rag_documents AS
SELECT DISTINCT ON (document_id)
    document_id,
    document_filename,
    document_display_name,
    document_authority_level,
    document_effective_date,
    document_termination_date,
    document_payer,
    document_state,
    document_program,
    document_status,
    document_review_status,
    document_created_at,
    document_reviewed_at,
    document_reviewed_by,
    updated_at                      -- the newest row's updated_at = max(updated_at) of the document
FROM published_rag_metadata
ORDER BY document_id, updated_at DESC;

CREATE UNIQUE INDEX IF NOT EXISTS idx_prd_document_id ON published_rag_documents (document_id);
