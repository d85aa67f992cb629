-- mobius:replaces-checksum dafd71a707bf09cbf1132d503968e6f0
-- mobius-rag 004: on a database the existing RAG app created, let our
-- `unpublished` events survive the delete of their document (docs/adoption.md).
--
-- There, publish_events.document_id REFERENCES documents ON DELETE CASCADE
-- (docs/contracts.md, "The RAG database"). Our DELETE /documents/{id} must leave an
-- `unpublished` event behind for the outbox relay and the ingestor (its
-- version is what lets the sinks apply the removal); with that foreign key the
-- event is either cascaded away or refused.
--
-- So, only where such a foreign key exists, it is replaced by two triggers that
-- do for the existing app exactly what the key did:
--   * inserting (or re-pointing) a `published` event of a document that does
--     not exist fails with the same SQLSTATE 23503 and the same constraint name;
--   * deleting a document deletes its `published` events (every event the
--     existing app writes is one).
-- The only difference: `unpublished` events, which only our platform writes,
-- are exempt from both, so they stay as tombstones. A database our migrations
-- created has no such key (001) and is left as it is.
--
-- Cost: one index probe per inserted event (as the key's check) and one
-- statement-level delete per DELETE on documents (as the key's cascade).

CREATE OR REPLACE FUNCTION mobius_publish_event_requires_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The lock a foreign-key check takes, so a concurrent delete of the document waits for us.
    PERFORM 1 FROM documents WHERE id = NEW.document_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "publish_events" violates foreign key constraint "%"', TG_ARGV[0]
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = TG_ARGV[0],
                  TABLE = 'publish_events',
                  DETAIL = format('Key (document_id)=(%s) is not present in table "documents".', NEW.document_id);
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION mobius_delete_published_events_of_deleted_documents() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publish_events pe
     USING deleted_documents gone
     WHERE pe.document_id = gone.id
       AND pe.event_type <> 'unpublished';
    RETURN NULL;
END
$$;

DO $$
DECLARE
    fk record;
    replaced text;
BEGIN
    FOR fk IN
        SELECT conname FROM pg_constraint
         WHERE conrelid = 'publish_events'::regclass
           AND confrelid = 'documents'::regclass
           AND contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE publish_events DROP CONSTRAINT %I', fk.conname);
        replaced := coalesce(replaced, fk.conname);
    END LOOP;
    IF replaced IS NULL THEN
        RETURN;
    END IF;
    -- NULL document ids pass, as they pass a foreign key (MATCH SIMPLE).
    EXECUTE format($sql$
        CREATE TRIGGER mobius_publish_event_requires_document
            BEFORE INSERT OR UPDATE OF document_id, event_type ON publish_events
            FOR EACH ROW
            WHEN (NEW.event_type <> 'unpublished' AND NEW.document_id IS NOT NULL)
            EXECUTE FUNCTION mobius_publish_event_requires_document(%L)$sql$, replaced);
    CREATE TRIGGER mobius_delete_published_events_of_deleted_documents
        AFTER DELETE ON documents
        REFERENCING OLD TABLE AS deleted_documents
        FOR EACH STATEMENT
        EXECUTE FUNCTION mobius_delete_published_events_of_deleted_documents();
END
$$;
