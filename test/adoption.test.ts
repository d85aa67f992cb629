import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { createDatabase, listTables, moduleDatabases, queryDatabase } from './support/databases.ts';

// Databases as the apps already in production leave them: their tables and rows, created by other
// tools, and no migration record. `mobius migrate` must adopt them without losing or rewriting a row.

const DOC = '11111111-1111-1111-1111-111111111111';
const EVENT = '22222222-2222-2222-2222-222222222222';
const ROW = '33333333-3333-3333-3333-333333333333';
const SOURCE = '44444444-4444-4444-4444-444444444444';
const USER = '55555555-5555-5555-5555-555555555555';
const TENANT = '00000000-0000-0000-0000-000000000001';

const PUBLISHED_COLUMNS = `
  id uuid PRIMARY KEY, document_id uuid NOT NULL, source_type varchar(20) NOT NULL, source_id uuid NOT NULL,
  embedding jsonb, model varchar(100), created_at timestamp NOT NULL, text text NOT NULL DEFAULT '',
  page_number int NOT NULL DEFAULT 0, paragraph_index int NOT NULL DEFAULT 0,
  section_path varchar(500) NOT NULL DEFAULT '', chapter_path varchar(500) NOT NULL DEFAULT '',
  summary text NOT NULL DEFAULT '', document_filename varchar(255) NOT NULL DEFAULT '',
  document_display_name varchar(255) NOT NULL DEFAULT '', document_authority_level varchar(100) NOT NULL DEFAULT '',
  document_effective_date varchar(20) NOT NULL DEFAULT '', document_termination_date varchar(20) NOT NULL DEFAULT '',
  document_payer varchar(100) NOT NULL DEFAULT '', document_state varchar(2) NOT NULL DEFAULT '',
  document_program varchar(100) NOT NULL DEFAULT '', document_status varchar(20) NOT NULL DEFAULT '',
  document_review_status varchar(20) NOT NULL DEFAULT '', document_created_at timestamp,
  document_reviewed_at timestamp, document_reviewed_by varchar(255), content_sha varchar(64) NOT NULL,
  updated_at timestamp NOT NULL, source_verification_status varchar(20) NOT NULL DEFAULT ''`;

const EXISTING_RAG = `
  CREATE TABLE documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), filename varchar(255) NOT NULL,
    status varchar(20) DEFAULT 'uploaded', created_at timestamp DEFAULT now(), legacy_flag boolean DEFAULT true);
  CREATE TABLE publish_events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE, published_at timestamp NOT NULL,
    published_by varchar(255), rows_written int NOT NULL DEFAULT 0, notes text, verification_passed boolean,
    verification_message text);
  CREATE TABLE rag_published_embeddings (${PUBLISHED_COLUMNS});
  INSERT INTO documents (id, filename) VALUES ('${DOC}', 'policy.md');
  INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written)
    VALUES ('${EVENT}', '${DOC}', '2026-01-02 03:04:05', 'ops@mobius', 1);
  INSERT INTO rag_published_embeddings (id, document_id, source_type, source_id, embedding, model, created_at, text,
    page_number, document_payer, document_state, content_sha, updated_at)
    VALUES ('${ROW}', '${DOC}', 'hierarchical', '${SOURCE}', '[0.25, -0.5, 1]', 'gemini-embedding-001',
      '2026-01-02 03:00:00', 'Prior authorization is required.', 3, 'Sunshine Health', 'FL', 'abc123',
      '2026-01-02 03:04:05');`;

const EXISTING_CHAT = `
  CREATE TABLE published_rag_metadata (id uuid PRIMARY KEY, document_id uuid NOT NULL, source_type text NOT NULL,
    source_id uuid NOT NULL, model text, created_at timestamptz NOT NULL, text text, page_number int,
    paragraph_index int, section_path text, chapter_path text, summary text, document_filename text,
    document_display_name text, document_authority_level text, document_effective_date text,
    document_termination_date text, document_payer text, document_state text, document_program text,
    document_status text, document_review_status text, document_created_at timestamptz,
    document_reviewed_at timestamptz, document_reviewed_by text, content_sha text NOT NULL,
    updated_at timestamptz NOT NULL, source_verification_status text,
    instant_rag boolean DEFAULT false);
  CREATE TABLE sync_runs (run_id uuid PRIMARY KEY, started_at timestamptz NOT NULL, finished_at timestamptz,
    mart_rows_read int, postgres_rows_written int, vector_rows_upserted int, status text NOT NULL, error_message text);
  CREATE MATERIALIZED VIEW published_rag_documents AS
    SELECT DISTINCT ON (document_id) document_id, document_display_name, document_filename, document_payer,
           document_state, document_program, document_authority_level, updated_at
      FROM published_rag_metadata WHERE document_id IS NOT NULL ORDER BY document_id, updated_at DESC;
  INSERT INTO published_rag_metadata (id, document_id, source_type, source_id, created_at, text, content_sha, updated_at,
    document_payer) VALUES ('${ROW}', '${DOC}', 'hierarchical', '${SOURCE}', now(), 'kept', 'abc123', now(), 'Sunshine Health');
  REFRESH MATERIALIZED VIEW published_rag_documents;`;

const EXISTING_USER = `
  CREATE TABLE tenant (tenant_id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name varchar(255) NOT NULL,
    created_at timestamp DEFAULT now());
  CREATE TABLE app_user (user_id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid REFERENCES tenant,
    email varchar(255) NOT NULL, display_name varchar(255), status varchar(20) DEFAULT 'active',
    password_hash varchar(255), created_at timestamp DEFAULT now());
  INSERT INTO tenant VALUES ('${TENANT}', 'Default', now());
  INSERT INTO app_user (user_id, tenant_id, email, password_hash) VALUES ('${USER}', '${TENANT}', 'a@b.co', '$2b$12$hash');`;

describe('adopting databases the existing apps created', () => {
  const dbs = moduleDatabases('adopt');
  let first: Awaited<ReturnType<typeof mobius>>;

  beforeAll(async () => {
    for (const name of Object.values(dbs.names)) await createDatabase(name);
    await queryDatabase(dbs.names.rag, EXISTING_RAG);
    await queryDatabase(dbs.names.chat, EXISTING_CHAT);
    await queryDatabase(dbs.names.user, EXISTING_USER);
    await queryDatabase(dbs.names.os, EXISTING_USER);
    first = await mobius(['migrate', '--env', 'dev'], dbs.env);
  }, 120_000);
  afterAll(() => dbs.drop());

  it('says it adopts, creates what is missing and records the baseline', async () => {
    expect(problemsIn(first.stderr)).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out).toContain('rag: adopting an existing database (3 tables, no migration record)');
    expect(first.out).toContain('chat: adopting an existing database (2 tables, no migration record)');
    expect(await listTables(dbs.names.rag)).toContain('hierarchical_chunks');
    expect(await listTables(dbs.names.chat)).toContain('chunk_embeddings');
    expect(await listTables(dbs.names.os)).toHaveLength(68);
    const baseline = await queryDatabase(dbs.names.rag, 'SELECT version FROM mobius_schema_version WHERE version > 0');
    expect(baseline).toHaveLength(readdirSync('services/rag/migrations').filter((f) => f.endsWith('.sql')).length);
  });

  it('keeps every published row exactly, embedding included', async () => {
    const rows = await queryDatabase(dbs.names.rag, 'SELECT * FROM rag_published_embeddings');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: ROW,
      embedding: [0.25, -0.5, 1],
      text: 'Prior authorization is required.',
      page_number: 3,
      document_payer: 'Sunshine Health',
      content_sha: 'abc123',
    });
  });

  it('extends publish_events backward-compatibly: old rows read as not-yet-relayed publishes', async () => {
    const [event] = await queryDatabase(dbs.names.rag, 'SELECT * FROM publish_events');
    expect(event).toMatchObject({ id: EVENT, published_by: 'ops@mobius', event_type: 'published', document_version: null });
    expect(event?.relayed_at).toBeNull();
    // The existing app keeps inserting with only its own columns.
    await queryDatabase(
      dbs.names.rag,
      `INSERT INTO publish_events (id, document_id, published_at, rows_written) VALUES (gen_random_uuid(), '${DOC}', now(), 0)`,
    );
  });

  it('does not rewrite a table it did not create', async () => {
    const columns = await queryDatabase(
      dbs.names.rag,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'documents' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'filename', 'status', 'created_at', 'legacy_flag']);
  });

  it('keeps chat’s rows and the materialized view that depends on its table', async () => {
    const rows = await queryDatabase(dbs.names.chat, 'SELECT text, verification_tier, agent_scope_tags FROM published_rag_metadata');
    expect(rows).toEqual([{ text: 'kept', verification_tier: 'verified', agent_scope_tags: [] }]);
    await queryDatabase(dbs.names.chat, 'REFRESH MATERIALIZED VIEW published_rag_documents');
    const documents = await queryDatabase(dbs.names.chat, 'SELECT document_id FROM published_rag_documents');
    expect(documents).toEqual([{ document_id: DOC }]);
  });

  it('keeps users and their password hashes, and seeds the activities', async () => {
    for (const database of [dbs.names.user, dbs.names.os]) {
      const users = await queryDatabase(database, 'SELECT user_id, email, password_hash FROM app_user');
      expect(users).toEqual([{ user_id: USER, email: 'a@b.co', password_hash: '$2b$12$hash' }]);
      const activities = await queryDatabase(database, 'SELECT count(*)::int AS n FROM activity');
      expect(activities[0]?.n).toBe(9);
    }
  });

  it('is a no-op afterwards', async () => {
    const second = await mobius(['migrate', '--env', 'dev'], dbs.env);
    expect(second.code).toBe(0);
    expect(second.out.filter((line) => line.includes('already up to date'))).toHaveLength(5);
    expect(second.stdout).not.toContain('adopting');
  });
});
