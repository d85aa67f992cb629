-- mobius-chat 007: publish-to-visible samples of the sinks (`mobius status`'s freshness;
-- docs/status.md). Additive and adoption-safe: one new table, IF NOT EXISTS throughout.
--
-- One row per document a sink run made visible: `published_at` is the document's publish time in RAG
-- (the greatest `updated_at` of its live rows in the run, UTC), `visible_at` the sink's commit
-- (clock_timestamp() as the run's last statement runs). Written in the run's own transaction, so a
-- rolled-back run leaves no sample; the same write deletes samples older than a day, so the table stays
-- bounded by one day of publishes. Chat never reads it.
CREATE TABLE IF NOT EXISTS mobius_freshness_samples (
    sink         text        NOT NULL,
    document_id  uuid        NOT NULL,
    mart_run_id  bigint,
    published_at timestamptz NOT NULL,
    visible_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS mobius_freshness_samples_visible_idx ON mobius_freshness_samples (sink, visible_at DESC);
