-- mobius:replaces-checksum 814c4a2fdf4431de696187f7eb481634
-- mobius-chat 001: the optional dev clone of RAG (docs/contracts.md, "Chat's database",
-- "Chat's 001 dev-clone tables"), filled from RAG_SOURCE_DATABASE_URL.
-- Adoption-safe: IF NOT EXISTS throughout, constraints inline.

CREATE TABLE IF NOT EXISTS documents (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text,
    source_type text        DEFAULT 'document',
    created_at  timestamptz DEFAULT now(),
    metadata    jsonb       DEFAULT '{}'::jsonb
);

CREATE TABLE IF NOT EXISTS chunks (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id  uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    text         text,
    page_number  integer,
    start_offset integer,
    end_offset   integer,
    created_at   timestamptz DEFAULT now(),
    metadata     jsonb       DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS idx_chunks_document_id ON chunks (document_id);

-- chunk_embeddings.embedding is vector(1536) where pgvector is available,
-- otherwise real[] (these machines have no pgvector).
DO $$
DECLARE
    emb_type text := 'real[]';
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        EXECUTE 'CREATE EXTENSION IF NOT EXISTS vector';
        emb_type := 'vector(1536)';
    END IF;
    EXECUTE format($sql$
        CREATE TABLE IF NOT EXISTS chunk_embeddings (
            id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
            chunk_id   uuid        NOT NULL UNIQUE REFERENCES chunks (id) ON DELETE CASCADE,
            embedding  %s,
            model_id   text,
            created_at timestamptz DEFAULT now()
        )$sql$, emb_type);
END
$$;

CREATE TABLE IF NOT EXISTS facts (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    chunk_id    uuid        REFERENCES chunks (id) ON DELETE SET NULL,
    fact_type   text,
    content     text,
    created_at  timestamptz DEFAULT now(),
    metadata    jsonb       DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS idx_facts_document_id ON facts (document_id);
CREATE INDEX IF NOT EXISTS idx_facts_chunk_id ON facts (chunk_id);
