-- mobius:replaces-checksum 7269902de25a380e1a4300bac1d751f1
-- mobius-chat 004: the pipeline sinks' durable state, kept in Chat's database
-- (Postgres in every environment) by chat-sync AND vertex-sync
-- (docs/architecture.md, "Why it stays correct" 4 and 5). Additive and adoption-safe:
-- IF NOT EXISTS throughout; sync_runs gains two nullable columns only.

-- Per sink, the last mart run it applied (its watermark). A sink handling any
-- trigger applies the runs in (last_mart_run_id, latest] and then moves it.
CREATE TABLE IF NOT EXISTS mobius_sink_state (
    sink             text        PRIMARY KEY,
    last_mart_run_id bigint      NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Per sink and document, the highest document version the sink applied: the
-- version guard, so an older snapshot never replaces a newer one (kept after
-- the document is gone, so an old version cannot bring it back).
CREATE TABLE IF NOT EXISTS mobius_document_versions (
    sink             text   NOT NULL,
    document_id      uuid   NOT NULL,
    document_version bigint NOT NULL,
    PRIMARY KEY (sink, document_id)
);

-- Which sink wrote a sync_runs row (chat-sync | vertex-sync) and the mart run
-- it brought that sink to; NULL on rows written before this migration.
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS sink text;
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS mart_run_id bigint;
