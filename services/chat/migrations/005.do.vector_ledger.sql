-- mobius-chat 005: what reconciliation needs in Chat's database (docs/reconcile.md).
-- Additive and adoption-safe: new tables only, IF NOT EXISTS throughout.

-- The vector ledger: every datapoint vertex-sync (or a repair) wrote to the vector index, with the hash
-- of the row it came from. Vertex Vector Search cannot list its datapoints, so this is how a check
-- knows what the index holds (confirmed by reads by id). Written in the same transaction as
-- vertex-sync's watermark; seeded at cutover from the ids the old job wrote (`mobius resync
-- --seed-ledger`, which takes them from published_rag_metadata).
CREATE TABLE IF NOT EXISTS mobius_vector_ledger (
    datapoint_id uuid        PRIMARY KEY,
    document_id  uuid        NOT NULL,
    row_hash     text        NOT NULL,
    written_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mobius_vector_ledger_document_id_idx ON mobius_vector_ledger (document_id);

-- One row per target of every reconciliation pass (`mobius resync`, the reconciler service): the drift
-- it found and what it repaired. Operators and `mobius status` read it; chat never does.
CREATE TABLE IF NOT EXISTS mobius_reconcile_runs (
    run_id        uuid        NOT NULL,
    target        text        NOT NULL,
    mode          text        NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    rows_checked  bigint      NOT NULL,
    missing       bigint      NOT NULL,
    extra         bigint      NOT NULL,
    stale         bigint      NOT NULL,
    invalid       bigint      NOT NULL,
    rows_repaired bigint      NOT NULL DEFAULT 0,
    documents     bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, target)
);
CREATE INDEX IF NOT EXISTS mobius_reconcile_runs_started_idx ON mobius_reconcile_runs (started_at DESC);
