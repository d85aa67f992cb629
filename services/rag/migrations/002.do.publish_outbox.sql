-- mobius:replaces-checksum 744989f89cfef701fa8cd528d3981b62
-- Transactional outbox on publish_events (docs/architecture.md, "Why it stays correct" 1).
--
-- All additions are backward compatible: the existing RAG app keeps inserting
-- rows with only the 8 contract columns, and they get event_type 'published',
-- no document_version and relayed_at NULL (so the relay sends them too).
-- Adding a column with a constant default is a catalog-only change (no rewrite).

ALTER TABLE publish_events ADD COLUMN IF NOT EXISTS event_type text NOT NULL DEFAULT 'published';
ALTER TABLE publish_events ADD COLUMN IF NOT EXISTS document_version bigint;       -- NULL on rows from the existing app
ALTER TABLE publish_events ADD COLUMN IF NOT EXISTS relayed_at timestamptz;        -- NULL = not yet relayed
ALTER TABLE publish_events ADD COLUMN IF NOT EXISTS relay_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE publish_events ADD COLUMN IF NOT EXISTS relay_error text;

DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint
        WHERE conrelid = 'publish_events'::regclass
          AND conname = 'publish_events_event_type_check'
    ) THEN
        ALTER TABLE publish_events
            ADD CONSTRAINT publish_events_event_type_check
            CHECK (event_type IN ('published', 'unpublished'));
    END IF;
END
$$;

-- One event per document version (versions are allocated from document_versions).
CREATE UNIQUE INDEX IF NOT EXISTS uq_publish_events_document_version
    ON publish_events (document_id, document_version)
    WHERE document_version IS NOT NULL;

-- The relay scans unrelayed events oldest first.
CREATE INDEX IF NOT EXISTS idx_publish_events_unrelayed
    ON publish_events (published_at, id)
    WHERE relayed_at IS NULL;

-- The ingestor reads a document's publish history (latest event, and the
-- position of an existing-app event in that history).
CREATE INDEX IF NOT EXISTS idx_publish_events_document_published
    ON publish_events (document_id, published_at, id);

-- Per-document version counter: a publish/unpublish increments current_version
-- (INSERT ... ON CONFLICT (document_id) DO UPDATE ... RETURNING current_version)
-- in the same transaction as its publish_events row. No foreign key to
-- documents on purpose: the counter must survive a document delete so a later
-- publish of the same id never reuses an older version number.
CREATE TABLE IF NOT EXISTS document_versions (
    document_id     uuid        PRIMARY KEY,
    current_version bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
