-- mobius:replaces-checksum 9639908955bc58e1db26e0dff6a16854
-- mobius-rag baseline schema (database mobius_rag).
--
-- Adoption-safe: the production RAG app created these tables with its own
-- scripts and no tracking table, so every statement only creates what is
-- missing (IF NOT EXISTS everywhere, constraints inline in CREATE TABLE) and
-- never drops, rewrites or retypes anything. Index names follow the existing
-- app's names where it has them, so IF NOT EXISTS recognises them.
--
-- Conventions (docs/contracts.md, "The published row"): timestamps are `timestamp` without time
-- zone holding UTC; '' for a missing string and 0 for a missing integer in the
-- published rows. Within this database, children reference documents with
-- ON DELETE CASCADE, except rag_published_embeddings and publish_events, which
-- the contract defines without foreign keys.

-- ---------------------------------------------------------------------------
-- documents: one uploaded source document and its metadata / review state.
CREATE TABLE IF NOT EXISTS documents (
    id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    filename         varchar(255) NOT NULL,
    display_name     varchar(255),
    file_hash        varchar(64)  UNIQUE,          -- sha256 hex of the file bytes
    file_path        varchar(500),                 -- storage path (GCS or local)
    content_type     varchar(100),
    page_count       integer,
    payer            varchar(100),
    state            varchar(2),
    program          varchar(100),
    authority_level  varchar(100),
    effective_date   varchar(20),                  -- free text, not a date
    termination_date varchar(20),                  -- free text, not a date
    status           varchar(20)  NOT NULL DEFAULT 'uploaded',  -- uploaded|extracting|chunking|embedding|completed|failed
    review_status    varchar(20)  NOT NULL DEFAULT 'pending',   -- pending|approved|rejected|reprocessing
    error_count      integer      NOT NULL DEFAULT 0,
    metadata         jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at       timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    reviewed_at      timestamp,
    reviewed_by      varchar(255)
);
CREATE INDEX IF NOT EXISTS idx_documents_status ON documents (status);
CREATE INDEX IF NOT EXISTS idx_documents_created_at ON documents (created_at);

-- ---------------------------------------------------------------------------
-- document_pages: extracted text (raw + markdown) per page, 1-based.
CREATE TABLE IF NOT EXISTS document_pages (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id       uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page_number       integer     NOT NULL,
    text              text,
    text_markdown     text,
    extraction_status varchar(20) NOT NULL DEFAULT 'success',   -- success|failed|empty
    extraction_error  text,
    text_length       integer     NOT NULL DEFAULT 0,
    created_at        timestamp   NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (document_id, page_number)
);
CREATE INDEX IF NOT EXISTS idx_document_pages_document_id ON document_pages (document_id);

-- ---------------------------------------------------------------------------
-- hierarchical_chunks: one paragraph of a page, with its section/chapter path.
CREATE TABLE IF NOT EXISTS hierarchical_chunks (
    id                   uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id          uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page_number          integer      NOT NULL,                -- 1-based
    paragraph_index      integer      NOT NULL,                -- 0-based within the page
    section_path         varchar(500),
    chapter_path         varchar(500),
    text                 text         NOT NULL,
    text_length          integer      NOT NULL DEFAULT 0,
    start_offset_in_page integer,
    summary              text,
    chunk_d_tags         jsonb,
    chunk_p_tags         jsonb,
    chunk_j_tags         jsonb,
    extraction_status    varchar(20)  NOT NULL DEFAULT 'pending',  -- pending|extracted|failed
    critique_status      varchar(20)  NOT NULL DEFAULT 'pending',  -- pending|passed|failed|retrying
    critique_feedback    text,
    retry_count          integer      NOT NULL DEFAULT 0,
    created_at           timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at           timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (document_id, page_number, paragraph_index)
);
CREATE INDEX IF NOT EXISTS idx_hierarchical_chunks_document_id ON hierarchical_chunks (document_id);

-- ---------------------------------------------------------------------------
-- chunking_results: the persisted chunking/extraction output, one per document.
CREATE TABLE IF NOT EXISTS chunking_results (
    id          uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid      NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
    metadata    jsonb     NOT NULL DEFAULT '{}'::jsonb,
    results     jsonb     NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at  timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- ---------------------------------------------------------------------------
-- llm_configs: named LLM provider configurations used by chunking/extraction.
CREATE TABLE IF NOT EXISTS llm_configs (
    name          varchar(100) PRIMARY KEY,
    provider      varchar(50)  NOT NULL,        -- vertex|openai|ollama|local
    model         varchar(200),
    version_label varchar(100),
    options       jsonb        NOT NULL DEFAULT '{}'::jsonb,
    is_default    boolean      NOT NULL DEFAULT false,
    created_at    timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at    timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

-- ---------------------------------------------------------------------------
-- chunking_jobs: queue of chunking work, claimed by workers.
CREATE TABLE IF NOT EXISTS chunking_jobs (
    id                 uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id        uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    status             varchar(20)  NOT NULL DEFAULT 'pending',  -- pending|processing|completed|failed|cancelled
    priority           integer      NOT NULL DEFAULT 0,
    threshold          varchar(10),
    extraction_enabled boolean      NOT NULL DEFAULT true,
    skip_embedding     boolean      NOT NULL DEFAULT false,
    llm_config_name    varchar(100),                               -- llm_configs.name (no FK: configs may be renamed)
    run_config         jsonb        NOT NULL DEFAULT '{}'::jsonb,
    attempts           integer      NOT NULL DEFAULT 0,
    worker_id          varchar(100),
    started_at         timestamp,
    completed_at       timestamp,
    error_message      text,
    created_at         timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at         timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS idx_chunking_jobs_document_id ON chunking_jobs (document_id);
CREATE INDEX IF NOT EXISTS idx_chunking_jobs_status_created ON chunking_jobs (status, created_at);

-- ---------------------------------------------------------------------------
-- chunking_events: progress events of a chunking run (streamed to the UI).
CREATE TABLE IF NOT EXISTS chunking_events (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    job_id      uuid        REFERENCES chunking_jobs (id) ON DELETE SET NULL,
    event_type  varchar(50) NOT NULL,          -- paragraph_start|paragraph_complete|job_complete|...
    event_data  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamp   NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS idx_chunking_events_document_created ON chunking_events (document_id, created_at);

-- ---------------------------------------------------------------------------
-- embedding_jobs: queue of embedding work, claimed by workers.
CREATE TABLE IF NOT EXISTS embedding_jobs (
    id                       uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id              uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    status                   varchar(20)  NOT NULL DEFAULT 'pending',  -- pending|processing|completed|failed|cancelled
    model                    varchar(100),
    embedding_config_version varchar(100),
    attempts                 integer      NOT NULL DEFAULT 0,
    rows_embedded            integer      NOT NULL DEFAULT 0,
    worker_id                varchar(100),
    started_at               timestamp,
    completed_at             timestamp,
    error_message            text,
    created_at               timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at               timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS idx_embedding_jobs_status ON embedding_jobs (status);
CREATE INDEX IF NOT EXISTS idx_embedding_jobs_document_id ON embedding_jobs (document_id);

-- ---------------------------------------------------------------------------
-- extracted_facts: atomic facts extracted from a hierarchical chunk, with
-- their human verification state (published as source_type 'fact').
CREATE TABLE IF NOT EXISTS extracted_facts (
    id                    uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id           uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    hierarchical_chunk_id uuid         REFERENCES hierarchical_chunks (id) ON DELETE SET NULL,
    fact_text             text         NOT NULL,
    fact_type             varchar(255),
    who_eligible          text,
    how_verified          text,
    conflict_resolution   text,
    when_applies          text,
    limitations           text,
    is_pertinent_to_claims_or_members boolean,
    confidence            real,
    category_scores       jsonb        NOT NULL DEFAULT '{}'::jsonb,
    page_number           integer,
    start_offset          integer,
    end_offset            integer,
    verification_status   varchar(20)  NOT NULL DEFAULT 'pending',  -- pending|approved|rejected
    verified_by           varchar(255),
    verified_at           timestamp,
    created_at            timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at            timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS idx_extracted_facts_document_id ON extracted_facts (document_id);
CREATE INDEX IF NOT EXISTS idx_extracted_facts_chunk_id ON extracted_facts (hierarchical_chunk_id);

-- ---------------------------------------------------------------------------
-- chunk_embeddings: the embedding of one hierarchical chunk or fact. Its id is
-- the published row id (and the vector datapoint id); a re-embed gets a new id.
CREATE TABLE IF NOT EXISTS chunk_embeddings (
    id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    source_type varchar(20)  NOT NULL,            -- hierarchical|fact
    source_id   uuid         NOT NULL,            -- hierarchical_chunks.id or extracted_facts.id
    embedding   jsonb        NOT NULL,            -- array of EMBEDDING_DIMENSIONS floats
    model       varchar(100),
    created_at  timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (source_type, source_id)
);
CREATE INDEX IF NOT EXISTS idx_chunk_embeddings_document_id ON chunk_embeddings (document_id);
CREATE INDEX IF NOT EXISTS idx_chunk_embeddings_document_source ON chunk_embeddings (document_id, source_type);

-- ---------------------------------------------------------------------------
-- processing_errors: errors met while processing a document, for review.
CREATE TABLE IF NOT EXISTS processing_errors (
    id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id      uuid         NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    job_id           uuid,                          -- chunking_jobs.id or embedding_jobs.id
    stage            varchar(50)  NOT NULL,         -- extraction|chunking|critique|embedding|publish|other
    error_type       varchar(50)  NOT NULL,         -- llm_failure|json_parse_error|database_error|...
    severity         varchar(20)  NOT NULL DEFAULT 'warning',  -- critical|warning|info
    error_message    text         NOT NULL,
    error_details    jsonb,
    page_number      integer,
    paragraph_id     varchar(100),
    resolved         boolean      NOT NULL DEFAULT false,
    resolution       varchar(20),                   -- approved|rejected|reprocess
    resolved_by      varchar(255),
    resolved_at      timestamp,
    resolution_notes text,
    created_at       timestamp    NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX IF NOT EXISTS idx_processing_errors_document_id ON processing_errors (document_id);

-- ---------------------------------------------------------------------------
-- publish_events (docs/contracts.md, "The RAG database"): exactly the 8 contract columns; our
-- additions are in 002. No foreign key (contract).
CREATE TABLE IF NOT EXISTS publish_events (
    id                   uuid         PRIMARY KEY,
    document_id          uuid         NOT NULL,
    published_at         timestamp    NOT NULL,
    published_by         varchar(255),
    rows_written         integer      NOT NULL DEFAULT 0,
    notes                text,
    verification_passed  boolean,
    verification_message text
);
CREATE INDEX IF NOT EXISTS idx_publish_events_document_id ON publish_events (document_id);

-- ---------------------------------------------------------------------------
-- rag_published_embeddings (docs/contracts.md, "The published row"): exactly the 29 contract
-- columns plus the optional chunk tag columns. No foreign key (contract).
CREATE TABLE IF NOT EXISTS rag_published_embeddings (
    id                         uuid         PRIMARY KEY,
    document_id                uuid         NOT NULL,
    source_type                varchar(20)  NOT NULL,
    source_id                  uuid         NOT NULL,
    embedding                  jsonb,
    model                      varchar(100),
    created_at                 timestamp    NOT NULL,
    text                       text         NOT NULL DEFAULT '',
    page_number                integer      NOT NULL DEFAULT 0,
    paragraph_index            integer      NOT NULL DEFAULT 0,
    section_path               varchar(500) NOT NULL DEFAULT '',
    chapter_path               varchar(500) NOT NULL DEFAULT '',
    summary                    text         NOT NULL DEFAULT '',
    document_filename          varchar(255) NOT NULL DEFAULT '',
    document_display_name      varchar(255) NOT NULL DEFAULT '',
    document_authority_level   varchar(100) NOT NULL DEFAULT '',
    document_effective_date    varchar(20)  NOT NULL DEFAULT '',
    document_termination_date  varchar(20)  NOT NULL DEFAULT '',
    document_payer             varchar(100) NOT NULL DEFAULT '',
    document_state             varchar(2)   NOT NULL DEFAULT '',
    document_program           varchar(100) NOT NULL DEFAULT '',
    document_status            varchar(20)  NOT NULL DEFAULT '',
    document_review_status     varchar(20)  NOT NULL DEFAULT '',
    document_created_at        timestamp,
    document_reviewed_at       timestamp,
    document_reviewed_by       varchar(255),
    content_sha                varchar(64)  NOT NULL,
    updated_at                 timestamp    NOT NULL,
    source_verification_status varchar(20)  NOT NULL DEFAULT '',
    chunk_d_tags               jsonb,
    chunk_p_tags               jsonb,
    chunk_j_tags               jsonb
);
-- The optional tag columns may be missing on an adopted table: add them (nullable).
ALTER TABLE rag_published_embeddings ADD COLUMN IF NOT EXISTS chunk_d_tags jsonb;
ALTER TABLE rag_published_embeddings ADD COLUMN IF NOT EXISTS chunk_p_tags jsonb;
ALTER TABLE rag_published_embeddings ADD COLUMN IF NOT EXISTS chunk_j_tags jsonb;
CREATE INDEX IF NOT EXISTS idx_rag_published_embeddings_document_id ON rag_published_embeddings (document_id);
