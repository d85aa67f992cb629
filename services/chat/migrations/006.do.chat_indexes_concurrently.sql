-- mobius:replaces-checksum 468ba12814bbe44c8c2948b7ebcc5fa1
-- mobius:no-transaction
-- mobius-chat 006: the indexes and the doc-grain view of Chat's own later
-- migrations (docs/contracts.md, "Chat's database"), under the names Chat gives them, so on
-- an adopted database IF NOT EXISTS finds them and nothing is built.
--
-- Runs outside a transaction, one statement at a time (libs/db
-- outside-transaction.ts): CREATE INDEX CONCURRENTLY takes only a SHARE UPDATE
-- EXCLUSIVE lock, so Chat's reads and chat-sync's INSERT/UPDATE/DELETE go on
-- while an index is built (docs/adoption.md; bench/chat-index-build.ts). Every
-- statement is idempotent: after a failure the next run repeats them, and an
-- index the failed build left INVALID is dropped and built again.
--
-- Needs the pg_trgm extension (contrib; always there on Cloud SQL, and Chat's
-- own migrations need it too). Where it is not installable, the first
-- statement fails, this migration stays pending with that error, and Chat works
-- as before, its name search unindexed.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Chat's name lookup: ILIKE '%token%' over display name, filename and payer.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_prm_trgm_names
    ON published_rag_metadata
    USING gin (
        document_display_name gin_trgm_ops,
        document_filename      gin_trgm_ops,
        document_payer         gin_trgm_ops
    );

-- Chat's instant-RAG rows: a partial index on the flag, one on expiry, one on scope tags.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_prm_instant_rag
    ON published_rag_metadata (instant_rag) WHERE instant_rag = true;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_prm_expires_at
    ON published_rag_metadata (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_prm_agent_scope
    ON published_rag_metadata USING gin (agent_scope_tags);

-- Our old 003 built this one; nothing reads it and every write paid for it.
DROP INDEX CONCURRENTLY IF EXISTS idx_published_rag_metadata_text_trgm;

-- Newest row per document (doc-grain cache for name lookups). Creating it
-- reads the table under an ACCESS SHARE lock only: writers do not wait.
-- Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY (chat every 600 s,
-- chat-sync after a sync), which needs the unique index below.
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

CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_prd_document_id
    ON published_rag_documents (document_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_prd_trgm_names
    ON published_rag_documents
    USING gin (
        document_display_name gin_trgm_ops,
        document_filename      gin_trgm_ops,
        document_payer         gin_trgm_ops
    );
