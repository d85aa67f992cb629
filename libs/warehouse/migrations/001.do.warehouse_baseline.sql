-- mobius:replaces-checksum f7276939029708fe6d7bc58f67773504
-- Local warehouse (database mobius_warehouse), the Postgres stand-in for the
-- BigQuery datasets landing_rag (append-only landing) and mobius_rag (mart).
-- The 29 published-row columns use the Postgres types of docs/contracts.md
-- section 1. IF NOT EXISTS throughout.

CREATE SCHEMA IF NOT EXISTS landing_rag;
CREATE SCHEMA IF NOT EXISTS mobius_rag;

-- ---------------------------------------------------------------------------
-- One row per landed document snapshot. row_count = 0 means the document was
-- gone (unpublished or deleted) at that version.
CREATE TABLE IF NOT EXISTS landing_rag.landing_batches (
    batch_id         uuid        PRIMARY KEY,
    document_id      uuid        NOT NULL,
    document_version bigint      NOT NULL,
    publish_event_id uuid,
    event_type       text        NOT NULL DEFAULT 'published',
    row_count        integer     NOT NULL,
    ingested_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_landing_batches_document_version
    ON landing_rag.landing_batches (document_id, document_version);

-- Append-only landing of the rows of each snapshot; id is not unique here.
CREATE TABLE IF NOT EXISTS landing_rag.rag_published_embeddings (
    id                         uuid         NOT NULL,
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
    batch_id                   uuid         NOT NULL REFERENCES landing_rag.landing_batches (batch_id),
    document_version           bigint       NOT NULL,
    ingested_at                timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, id)
);
CREATE INDEX IF NOT EXISTS idx_landing_rpe_document_id
    ON landing_rag.rag_published_embeddings (document_id);

-- ---------------------------------------------------------------------------
-- Mart runs, serialized and numbered in commit order by the mart-builder.
CREATE TABLE IF NOT EXISTS mobius_rag.mart_runs (
    run_id          bigint      PRIMARY KEY,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    batches_merged  integer     NOT NULL DEFAULT 0,
    rows_upserted   integer     NOT NULL DEFAULT 0,
    rows_tombstoned integer     NOT NULL DEFAULT 0
);

-- The landing batches already merged (the rest are found by anti-join).
CREATE TABLE IF NOT EXISTS mobius_rag.merged_batches (
    batch_id    uuid        PRIMARY KEY,
    mart_run_id bigint      NOT NULL REFERENCES mobius_rag.mart_runs (run_id),
    merged_at   timestamptz NOT NULL DEFAULT now()
);

-- The mart: per document, the rows of its latest snapshot; ids absent from it
-- are kept as tombstones (deleted = true) for the sinks to apply as deletes.
CREATE TABLE IF NOT EXISTS mobius_rag.published_rag_embeddings (
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
    document_version           bigint       NOT NULL,
    deleted                    boolean      NOT NULL DEFAULT false,
    mart_run_id                bigint       NOT NULL,
    batch_id                   uuid
);
CREATE INDEX IF NOT EXISTS idx_mart_pre_mart_run_id
    ON mobius_rag.published_rag_embeddings (mart_run_id);
CREATE INDEX IF NOT EXISTS idx_mart_pre_document_id
    ON mobius_rag.published_rag_embeddings (document_id);

-- Sync audit, same columns as chat's sync_runs.
CREATE TABLE IF NOT EXISTS mobius_rag.sync_runs (
    run_id                uuid        PRIMARY KEY,
    started_at            timestamptz NOT NULL,
    finished_at           timestamptz,
    mart_rows_read        integer,
    postgres_rows_written integer,
    vector_rows_upserted  integer,
    status                text        NOT NULL,   -- success | failure
    error_message         text
);
CREATE INDEX IF NOT EXISTS idx_mobius_rag_sync_runs_started_at
    ON mobius_rag.sync_runs (started_at DESC);
