-- mobius:replaces-checksum eadff61032c609cb2cfe186ceef2c99a
-- mobius:replaces-checksum 4f02aec0581379b23597311a426193be
-- mobius-chat 003: chat's later additive columns (docs/contracts.md, "Chat's database").
--
-- This file used to create pg_trgm, a trigram index over the chunk text and the
-- published_rag_documents view here, inside the migration's transaction. On a
-- Chat table that already has rows (production: ~1.95M) that builds an index
-- while holding the ACCESS EXCLUSIVE lock of the ALTERs below: Chat could
-- neither read nor write until it finished. The view and the contract's
-- indexes are now made by 006, outside any transaction and CONCURRENTLY; the
-- text index, which no reader uses and the contract does not name, is gone.
-- A database that applied the old text keeps what it made; 006 completes it
-- (the header line above lets its record move to this text).
--
-- The columns are Chat's own (its migration 029), so on an adopted database
-- these are no-ops; a constant default makes each a catalog-only change. Each
-- still takes a brief ACCESS EXCLUSIVE lock: if a long reader holds the table,
-- give up after lock_timeout rather than queue every Chat query behind us
-- (the run fails, names this file, and can simply be repeated).

SET LOCAL lock_timeout = '5s';

ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS instant_rag boolean DEFAULT false;
ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS verification_tier text DEFAULT 'verified';
ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS agent_scope_tags jsonb DEFAULT '[]'::jsonb;
ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS expires_at timestamptz;
