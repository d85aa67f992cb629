-- Outbox quarantine (issue 12, "one bad item hurts only itself").
--
-- A publish_events row the event schema refuses (an id Postgres takes as a uuid
-- but RFC 4122 does not, a NULL document_id, ...) can never be relayed. The
-- relay used to retry it forever, and every later event waited behind it. Now
-- it sets relay_quarantined_at and keeps the reason in relay_error; the row
-- stays unrelayed (relayed_at NULL) and is skipped from then on, so it neither
-- blocks the relay nor counts as an older unrelayed event of its document.
--
-- Backward compatible: one nullable column, no default, so adding it is a
-- catalog-only change and the existing RAG app's inserts are unaffected.

ALTER TABLE publish_events ADD COLUMN IF NOT EXISTS relay_quarantined_at timestamptz;  -- NULL = not quarantined

-- The relay's claim reads only events still to send: neither relayed nor quarantined.
-- (publish_events is one row per publish: building it locks writes only briefly.)
CREATE INDEX IF NOT EXISTS idx_publish_events_relay_pending
    ON publish_events (published_at, id)
    WHERE relayed_at IS NULL AND relay_quarantined_at IS NULL;
DROP INDEX IF EXISTS idx_publish_events_unrelayed;

-- Operators (mobius resync --check, the rag metrics) list and count quarantined events.
CREATE INDEX IF NOT EXISTS idx_publish_events_quarantined
    ON publish_events (relay_quarantined_at, id)
    WHERE relay_quarantined_at IS NOT NULL;
