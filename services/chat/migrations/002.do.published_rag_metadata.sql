-- mobius:replaces-checksum de2a23291b6d9527d926e5fb3172a158
-- mobius-chat 002: the published RAG metadata chat reads, and the sync audit
-- (docs/contracts.md, "Chat's database"). The 28 non-embedding columns of the published row,
-- typed as chat's contract gives them. Index names are the existing app's, so
-- IF NOT EXISTS recognises indexes already present on an adopted database.

CREATE TABLE IF NOT EXISTS published_rag_metadata (
    id                         uuid        PRIMARY KEY,
    document_id                uuid        NOT NULL,
    source_type                text        NOT NULL,
    source_id                  uuid        NOT NULL,
    model                      text,
    created_at                 timestamptz NOT NULL,
    text                       text,
    page_number                integer,
    paragraph_index            integer,
    section_path               text,
    chapter_path               text,
    summary                    text,
    document_filename          text,
    document_display_name      text,
    document_authority_level   text,
    document_effective_date    text,
    document_termination_date  text,
    document_payer             text,
    document_state             text,
    document_program           text,
    document_status            text,
    document_review_status     text,
    document_created_at        timestamptz,
    document_reviewed_at       timestamptz,
    document_reviewed_by       text,
    content_sha                text        NOT NULL,
    updated_at                 timestamptz NOT NULL,
    source_verification_status text
);
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_document_id ON published_rag_metadata (document_id);
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_updated_at  ON published_rag_metadata (updated_at);
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_payer       ON published_rag_metadata (document_payer);
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_state       ON published_rag_metadata (document_state);
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_program     ON published_rag_metadata (document_program);
CREATE INDEX IF NOT EXISTS idx_published_rag_metadata_authority   ON published_rag_metadata (document_authority_level);

-- One row per sync run (chat-sync / vertex-sync); read by operators only.
CREATE TABLE IF NOT EXISTS sync_runs (
    run_id                uuid        PRIMARY KEY,
    started_at            timestamptz NOT NULL,
    finished_at           timestamptz,
    mart_rows_read        integer,
    postgres_rows_written integer,
    vector_rows_upserted  integer,
    status                text        NOT NULL,   -- success | failure
    error_message         text
);
CREATE INDEX IF NOT EXISTS idx_sync_runs_started_at ON sync_runs (started_at DESC);
