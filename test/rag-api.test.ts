// The rag HTTP API on a real Postgres (docs/api/rag.md, docs/contracts.md, "The published row" and "The RAG database"):
// upload and chunking, the 29 published columns, versioned publish events, PUT keeping chunk ids,
// unpublish / delete, publish-status, and concurrent publishes of one document.
import { PUBLISHED_COLUMNS, PUBLISHED_COLUMN_NAMES, contentSha } from '@mobius/contracts';
import { createEmbedder } from '@mobius/embedder';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 48;
const database = uniqueName('rag_api');
let rag: RagTestService;

const LONG = 'is a paragraph long enough to stand as its own chunk of the policy.';
const POLICY = [
  '# Part One',
  `Intro ${LONG}`,
  '## Eligibility',
  `Members are eligible when enrolled; this ${LONG}`,
  'See also.',
  '\f',
  `Coverage continues across the page break; it ${LONG}`,
  '## Prior Authorization',
  `MRI imaging requires prior authorization; this ${LONG}`,
].join('\n\n');

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []) {
  return (await rag.pool.query<T>(text, params)).rows;
}

async function upload(body: Record<string, unknown>) {
  const response = await rag.app.inject({ method: 'POST', url: '/documents', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().document_id as string;
}

async function call(method: 'POST' | 'PUT' | 'GET' | 'DELETE', url: string, payload?: unknown) {
  const response = await rag.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: response.statusCode, body: response.json() };
}

async function publish(id: string, payload?: unknown) {
  const response = await call('POST', `/documents/${id}/publish`, payload);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const events = (documentId: string) =>
  sql(
    `SELECT id, event_type, document_version::int AS version, rows_written, published_by, verification_passed,
            verification_message, relayed_at, published_at::text AS published_at,
            to_char(published_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS published_iso
       FROM publish_events WHERE document_id = $1 ORDER BY published_at, document_version`,
    [documentId],
  );

/** The published rows, exactly the 29 contract columns (timestamps as Postgres text), by page and paragraph. */
const publishedRows = (documentId: string) =>
  sql(
    `SELECT ${PUBLISHED_COLUMNS.map((c) => (c.kind === 'timestamp' ? `${c.name}::text AS ${c.name}` : c.name)).join(', ')}
       FROM rag_published_embeddings WHERE document_id = $1 ORDER BY page_number, paragraph_index`,
    [documentId],
  );

beforeAll(async () => {
  await createMigratedDatabase(database, 'rag');
  rag = createRagTestService({ databaseUrl: testDatabaseUrl(database), dimensions: DIMENSIONS });
});

afterAll(async () => {
  await rag?.close();
  await dropDatabases([database]);
});

describe('POST /documents', () => {
  it('stores the document, its pages, one chunk per paragraph and one embedding per chunk', async () => {
    const id = await upload({ filename: 'policy.md', text: POLICY, payer: 'Acme Health', state: 'fl' });
    const [document] = await sql('SELECT filename, payer, state, program, page_count, status FROM documents WHERE id = $1', [id]);
    expect(document).toEqual({
      filename: 'policy.md',
      payer: 'Acme Health',
      state: 'FL',
      program: null,
      page_count: 2,
      status: 'completed',
    });
    const pages = await sql('SELECT page_number FROM document_pages WHERE document_id = $1 ORDER BY 1', [id]);
    expect(pages.map((p) => p.page_number)).toEqual([1, 2]);
    const chunks = await sql(
      `SELECT page_number, paragraph_index, chapter_path, section_path, text, summary FROM hierarchical_chunks
        WHERE document_id = $1 ORDER BY page_number, paragraph_index`,
      [id],
    );
    expect(chunks.map((c) => [c.page_number, c.paragraph_index, c.chapter_path, c.section_path, c.summary])).toEqual([
      [1, 0, 'Part One', '', ''],
      [1, 1, 'Part One', 'Eligibility', ''],
      [2, 0, 'Part One', 'Eligibility', ''],
      [2, 1, 'Part One', 'Prior Authorization', ''],
    ]);
    expect(chunks[1]!.text).toBe(`Members are eligible when enrolled; this ${LONG}\n\nSee also.`);
    const embeddings = await sql(
      `SELECT ce.embedding, ce.model, hc.text FROM chunk_embeddings ce JOIN hierarchical_chunks hc ON hc.id = ce.source_id
        WHERE ce.document_id = $1 AND ce.source_type = 'hierarchical'`,
      [id],
    );
    expect(embeddings).toHaveLength(4);
    const embedder = createEmbedder({ provider: 'local', dimensions: DIMENSIONS });
    for (const row of embeddings) {
      expect(row.model).toBe(embedder.model);
      expect(row.embedding).toEqual((await embedder.embed([`\n${row.text}`]))[0]);
    }
  });
});

describe('POST /documents/:id/publish', () => {
  it('writes exactly the 29 contract columns per chunk, one event per publish with versions 1 then 2', async () => {
    const id = await upload({ filename: 'policy.md', display_name: 'Policy', text: POLICY, payer: 'Acme', program: 'MMA' });
    const listener = new pg.Client({ connectionString: testDatabaseUrl(database) });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (n) => notified.push(n.payload ?? ''));
    await listener.query('LISTEN mobius_outbox');
    try {
      const first = await publish(id, { published_by: 'alice' });
      expect(first).toEqual({
        status: 'ok',
        document_id: id,
        rows_written: 4,
        verification_passed: true,
        verification_message: '',
        document_version: 1,
      });
      const [event] = await events(id);
      expect(event).toMatchObject({ event_type: 'published', version: 1, rows_written: 4, published_by: 'alice' });
      expect(event).toMatchObject({ verification_passed: true, verification_message: '', relayed_at: null });
      await expect.poll(() => notified).toContain(event!.id);
      await expectPublishedRowsMatchSource(id, event!.published_at);

      const second = await publish(id);
      expect(second.document_version).toBe(2);
      const all = await events(id);
      expect(all.map((e) => [e.event_type, e.version])).toEqual([
        ['published', 1],
        ['published', 2],
      ]);
      await expectPublishedRowsMatchSource(id, all[1]!.published_at);
    } finally {
      await listener.end();
    }
  });

  it('counts the events the existing app wrote (8 columns, no version) when allocating the next version', async () => {
    const id = await upload({ filename: 'legacy.md', text: POLICY });
    for (const minutes of [3, 2, 1]) {
      await sql(
        `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written, notes, verification_passed,
                                     verification_message)
         VALUES (gen_random_uuid(), $1, (now() AT TIME ZONE 'utc') - make_interval(mins => $2), 'legacy', 4, NULL, true, '')`,
        [id, minutes],
      );
    }
    expect((await publish(id)).document_version).toBe(4);
    expect((await publish(id)).document_version).toBe(5);
  });
});

/** Every published row equals what the contract derives from the stored document, chunk and embedding. */
async function expectPublishedRowsMatchSource(documentId: string, publishedAt: string) {
  const rows = await publishedRows(documentId);
  const [doc] = await sql(
    `SELECT filename, display_name, payer, state, program, authority_level, effective_date, termination_date, status,
            review_status, created_at::text AS created_at FROM documents WHERE id = $1`,
    [documentId],
  );
  const sources = await sql(
    `SELECT ce.id, ce.embedding, ce.model, ce.created_at::text AS created_at, hc.id AS source_id, hc.text, hc.page_number,
            hc.paragraph_index, hc.section_path, hc.chapter_path
       FROM chunk_embeddings ce JOIN hierarchical_chunks hc ON hc.id = ce.source_id
      WHERE ce.document_id = $1 ORDER BY hc.page_number, hc.paragraph_index`,
    [documentId],
  );
  expect(sources.length).toBeGreaterThan(0);
  expect(rows).toEqual(
    sources.map((s) => ({
      id: s.id,
      document_id: documentId,
      source_type: 'hierarchical',
      source_id: s.source_id,
      embedding: s.embedding,
      model: s.model,
      created_at: s.created_at,
      text: s.text,
      page_number: s.page_number,
      paragraph_index: s.paragraph_index,
      section_path: s.section_path,
      chapter_path: s.chapter_path,
      summary: '',
      document_filename: doc!.filename,
      document_display_name: doc!.display_name ?? '',
      document_authority_level: doc!.authority_level ?? '',
      document_effective_date: doc!.effective_date ?? '',
      document_termination_date: doc!.termination_date ?? '',
      document_payer: doc!.payer ?? '',
      document_state: doc!.state ?? '',
      document_program: doc!.program ?? '',
      document_status: doc!.status,
      document_review_status: doc!.review_status,
      document_created_at: doc!.created_at,
      document_reviewed_at: null,
      document_reviewed_by: null,
      content_sha: contentSha(documentId, s.source_id, s.text),
      updated_at: publishedAt,
      source_verification_status: 'n/a',
    })),
  );
  expect(Object.keys(rows[0]!).sort()).toEqual([...PUBLISHED_COLUMN_NAMES].sort());
}

describe('PUT /documents/:id', () => {
  const para = (label: string) => `${label} ${LONG}`;

  it('keeps the ids of unchanged chunks and their embeddings, replaces changed ones, deletes removed ones', async () => {
    const before = ['## Rules', para('Keep me'), para('Change me'), para('Remove me')].join('\n\n');
    const id = await upload({ filename: 'rules.md', text: before, payer: 'Old' });
    await publish(id);
    const chunkRows = () =>
      sql(
        `SELECT hc.id, hc.paragraph_index, hc.text, ce.id AS embedding_id FROM hierarchical_chunks hc
           JOIN chunk_embeddings ce ON ce.source_id = hc.id WHERE hc.document_id = $1 ORDER BY hc.paragraph_index`,
        [id],
      );
    const old = await chunkRows();
    const after = ['## Rules', para('New first'), para('Keep me'), para('Changed'), para('Added')].join('\n\n');
    const put = await call('PUT', `/documents/${id}`, { filename: 'rules-v2.md', text: after, payer: 'New' });
    expect(put).toEqual({ status: 200, body: { document_id: id } });

    const current = await chunkRows();
    expect(current.map((c) => c.text)).toEqual([para('New first'), para('Keep me'), para('Changed'), para('Added')]);
    expect(current[1]).toMatchObject({ id: old[0]!.id, embedding_id: old[0]!.embedding_id, paragraph_index: 1 });
    const oldIds = new Set(old.flatMap((c) => [c.id, c.embedding_id]));
    for (const fresh of [current[0]!, current[2]!, current[3]!]) {
      expect(oldIds.has(fresh.id) || oldIds.has(fresh.embedding_id)).toBe(false);
    }
    const orphans = await sql('SELECT count(*)::int AS n FROM chunk_embeddings WHERE document_id = $1', [id]);
    expect(orphans[0]!.n).toBe(4);
    expect((await sql('SELECT filename, payer FROM documents WHERE id = $1', [id]))[0]).toEqual({
      filename: 'rules-v2.md',
      payer: 'New',
    });

    const republished = await publish(id);
    const rows = await publishedRows(id);
    expect(rows.map((r) => r.id)).toEqual(current.map((c) => c.embedding_id));
    const latest = (await events(id)).find((e) => e.version === republished.document_version)!;
    await expectPublishedRowsMatchSource(id, latest.published_at);
    expect(rows[1]!.id).toBe(old[0]!.embedding_id);
    expect(rows.every((r) => r.document_payer === 'New' && r.document_filename === 'rules-v2.md')).toBe(true);
  });

  it('answers 404 for an unknown document and writes nothing', async () => {
    const response = await call('PUT', '/documents/00000000-0000-4000-8000-000000000001', { filename: 'x.md', text: POLICY });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('DOCUMENT_NOT_FOUND');
    expect(await sql(`SELECT 1 FROM documents WHERE id = '00000000-0000-4000-8000-000000000001'`)).toEqual([]);
  });
});

describe('unpublish, delete and publish-status', () => {
  it('reports both shapes of publish-status and writes an unpublished event on unpublish', async () => {
    const id = await upload({ filename: 'status.md', text: POLICY });
    expect(await call('GET', `/documents/${id}/publish-status`)).toEqual({ status: 200, body: { published: false } });
    await publish(id, { published_by: 'bob' });
    const [event] = await events(id);
    const status = await call('GET', `/documents/${id}/publish-status`);
    expect(status.body).toEqual({
      published: true,
      published_at: event!.published_iso,
      published_by: 'bob',
      rows_written: 4,
      verification_passed: true,
      verification_message: '',
    });

    const unpublished = await call('POST', `/documents/${id}/unpublish`);
    expect(unpublished).toEqual({
      status: 200,
      body: { status: 'ok', document_id: id, rows_deleted: 4, document_version: 2 },
    });
    expect(await publishedRows(id)).toEqual([]);
    expect((await events(id)).map((e) => [e.event_type, e.version, e.rows_written])).toEqual([
      ['published', 1, 4],
      ['unpublished', 2, 0],
    ]);
    expect((await call('GET', `/documents/${id}/publish-status`)).body).toEqual({ published: false });
    expect((await sql('SELECT count(*)::int AS n FROM hierarchical_chunks WHERE document_id = $1', [id]))[0]!.n).toBe(4);
  });

  it('deletes the document, its rows and its published rows, keeping its event history', async () => {
    const id = await upload({ filename: 'gone.md', text: POLICY });
    await publish(id);
    const deleted = await call('DELETE', `/documents/${id}`);
    expect(deleted.body).toEqual({ status: 'ok', document_id: id, rows_deleted: 4, document_version: 2 });
    for (const table of ['documents', 'document_pages', 'hierarchical_chunks', 'chunk_embeddings', 'rag_published_embeddings']) {
      const column = table === 'documents' ? 'id' : 'document_id';
      expect(await sql(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [id]), table).toEqual([]);
    }
    expect((await events(id)).map((e) => [e.event_type, e.version])).toEqual([
      ['published', 1],
      ['unpublished', 2],
    ]);
    expect((await call('GET', `/documents/${id}/publish-status`)).body).toEqual({ published: false });
    expect((await call('POST', `/documents/${id}/publish`)).status).toBe(404);
    expect((await call('DELETE', `/documents/${id}`)).status).toBe(404);
  });
});

describe('concurrent publishes of one document', () => {
  it('serialize: both succeed with versions n and n+1, and the rows are those of the last commit', async () => {
    const id = await upload({ filename: 'race.md', text: POLICY });
    await publish(id);
    // Hold the document's version lock so both publishes are provably waiting at the same time.
    const holder = new pg.Client({ connectionString: testDatabaseUrl(database) });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM document_versions WHERE document_id = $1 FOR UPDATE', [id]);
      const racing = [publish(id, { published_by: 'one' }), publish(id, { published_by: 'two' })];
      await expect
        .poll(
          async () =>
            (await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database]))[0]!.n,
        )
        .toBe(2);
      await holder.query('COMMIT');
      const results = await Promise.all(racing);
      expect(results.map((r) => r.document_version).sort()).toEqual([2, 3]);
    } finally {
      await holder.end();
    }
    const all = await events(id);
    expect(all.map((e) => e.version)).toEqual([1, 2, 3]);
    await expectPublishedRowsMatchSource(id, all[2]!.published_at);
  });

  it('serialize on a document never published before (the version row is created by one of them)', async () => {
    const id = await upload({ filename: 'first-race.md', text: POLICY });
    const results = await Promise.all([publish(id), publish(id), publish(id)]);
    expect(results.map((r) => r.document_version).sort()).toEqual([1, 2, 3]);
    const all = await events(id);
    await expectPublishedRowsMatchSource(id, all[2]!.published_at);
  });
});
