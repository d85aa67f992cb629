// Adopting the existing RAG app's database (issue 12, "Adopt production as it is"): `mobius migrate --module rag`
// on a database that app created and filled, then our rag API and the pipeline (as processes, on the real
// Postgres and NATS) on it, while the existing app keeps writing to it with plain SQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { createDatabase, queryDatabase } from './support/databases.ts';
import { appHardDelete, appPublish, appUpload, EXISTING_RAG_SCHEMA } from './support/existing-rag-app.ts';
import { createPipeline, type Pipeline } from './support/pipeline.ts';
import { indexState, markdown, ragApi } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';

const DIMENSIONS = 64;
const CHAT_TIMEOUT_MS = 30_000;

let pipeline: Pipeline;
let rag: ServiceProcess;
/** Holds the vector index (memory) the pipeline writes; answers which datapoint ids it has. */
let vertexSync: ServiceProcess;
let ragDb: string;
/** A document the existing app uploaded and published twice before the migration. */
let legacy: string;

/** The published row ids of a document: in RAG, and in Chat once the pipeline brought them there. */
const ragIds = async (documentId: string) =>
  (await queryDatabase(ragDb, 'SELECT id FROM rag_published_embeddings WHERE document_id = $1 ORDER BY id', [documentId])).map((r) => r.id as string);
const chatIds = async (documentId: string) =>
  (await queryDatabase(pipeline.dbs.names.chat, 'SELECT id FROM published_rag_metadata WHERE document_id = $1 ORDER BY id', [documentId])).map(
    (r) => r.id as string,
  );

/** Waits until Chat holds exactly `ids` for the document (an empty list: the document is gone from Chat). */
async function expectChat(documentId: string, ids: string[]) {
  await waitFor(
    `chat to hold ${ids.length} rows of ${documentId}`,
    async () => JSON.stringify(await chatIds(documentId)) === JSON.stringify(ids),
    CHAT_TIMEOUT_MS,
  ).catch(() => undefined);
  expect(await chatIds(documentId)).toEqual(ids);
}

/** Waits until the vector index holds all of `ids` (present) or none of them (absent). */
async function expectIndex(ids: string[], present: boolean) {
  const held = async () => new Set(await indexState(vertexSync));
  await waitFor(
    `the index to ${present ? 'hold' : 'drop'} ${ids.length} datapoints`,
    async () => {
      const index = await held();
      return ids.every((id) => index.has(id) === present);
    },
    CHAT_TIMEOUT_MS,
  ).catch(() => undefined);
  const index = await held();
  expect(ids.filter((id) => index.has(id) !== present)).toEqual([]);
}

const events = (documentId: string) =>
  queryDatabase(ragDb, 'SELECT event_type, document_version FROM publish_events WHERE document_id = $1 ORDER BY published_at', [documentId]);

beforeAll(async () => {
  pipeline = await createPipeline(
    'adoptrag',
    { EMBEDDING_DIMENSIONS: String(DIMENSIONS) },
    {
      beforeMigrate: async (dbs) => {
        await createDatabase(dbs.names.rag);
        await queryDatabase(dbs.names.rag, EXISTING_RAG_SCHEMA);
        legacy = await appUpload(dbs.names.rag, 'legacy-policy.pdf', ['Step therapy applies.', 'Prior authorization is required.'], DIMENSIONS);
        await appPublish(dbs.names.rag, legacy);
        await appPublish(dbs.names.rag, legacy);
      },
    },
  );
  ragDb = pipeline.dbs.names.rag;
  [rag, vertexSync] = await Promise.all([
    pipeline.start('rag'),
    pipeline.start('vertex-sync'),
    pipeline.start('ingestor'),
    pipeline.start('mart-builder'),
    pipeline.start('chat-sync'),
  ]);
}, 120_000);

afterAll(() => pipeline?.destroy());

describe("mobius migrate --module rag on the existing RAG app's database", () => {
  it("adopts it: says so, records the baseline, and leaves the app's tables and rows as they were", async () => {
    expect(pipeline.migrations.rag).toContainEqual(expect.stringMatching(/^rag: adopting an existing database \(\d+ tables, no migration record\)$/));
    const columns = await queryDatabase(
      ragDb,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'documents' AND column_name LIKE 'reviewed%'`,
    );
    expect(columns).toEqual([]);
    const chunkTags = await queryDatabase(
      ragDb,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'hierarchical_chunks' AND column_name LIKE 'chunk_%_tags'`,
    );
    expect(chunkTags).toEqual([]);
    expect(await ragIds(legacy)).toHaveLength(2);
    expect(await events(legacy)).toEqual([
      { event_type: 'published', document_version: null },
      { event_type: 'published', document_version: null },
    ]);
    const again = await mobius(['migrate', '--env', 'dev', '--module', 'rag'], pipeline.dbs.env);
    expect(again.out).toContain('rag: already up to date');
  });

  it("keeps every other foreign key to documents cascading, and publish_events' key for the app's events", async () => {
    const keys = await queryDatabase<{ child: string; cascade: boolean }>(
      ragDb,
      `SELECT conrelid::regclass::text AS child, confdeltype = 'c' AS cascade FROM pg_constraint
        WHERE contype = 'f' AND confrelid = 'documents'::regclass ORDER BY 1`,
    );
    expect(keys.map((k) => k.child)).toEqual(
      expect.arrayContaining(['chunk_embeddings', 'chunking_results', 'document_pages', 'hierarchical_chunks']),
    );
    expect(keys.map((k) => k.child)).not.toContain('publish_events');
    expect(keys.every((k) => k.cascade)).toBe(true);
    // The app inserting an event for a document that does not exist fails as the key made it fail.
    const orphan = queryDatabase(ragDb, `INSERT INTO publish_events (id, document_id, published_at, rows_written) VALUES ($1, $2, now(), 0)`, [
      randomUUID(),
      randomUUID(),
    ]);
    await expect(orphan).rejects.toMatchObject({ code: '23503', constraint: 'publish_events_document_id_fkey' });
  });
});

describe("the existing app's publishes, relayed from the adopted database", () => {
  it('reach Chat: the events it wrote before the migration are sent like ours', async () => {
    await expectChat(legacy, await ragIds(legacy));
  });
});

describe('our rag API on the adopted database', () => {
  let ours: string;

  it('creates and publishes; reviewed columns and chunk tags, which the app lacks, publish as NULL', async () => {
    ({ document_id: ours } = await ragApi(rag, 'POST', '/documents', {
      filename: 'ours.md',
      text: markdown('Ours', 4),
      payer: 'Molina',
      state: 'OH',
    }));
    const published = await ragApi(rag, 'POST', `/documents/${ours}/publish`, { published_by: 'ops@mobius' });
    expect(published).toMatchObject({ status: 'ok', rows_written: 4, verification_passed: true, document_version: 1 });
    const rows = await queryDatabase(
      ragDb,
      `SELECT document_reviewed_at, document_reviewed_by, chunk_d_tags, document_payer FROM rag_published_embeddings
        WHERE document_id = $1`,
      [ours],
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({ document_reviewed_at: null, document_reviewed_by: null, chunk_d_tags: null, document_payer: 'Molina' });
    expect(await ragApi(rag, 'GET', `/documents/${ours}/publish-status`)).toMatchObject({
      published: true,
      published_by: 'ops@mobius',
      rows_written: 4,
      verification_passed: true,
    });
    await expectChat(ours, await ragIds(ours));
  });

  it('unpublishes: the rows leave RAG and Chat, the document stays, publish-status says so', async () => {
    const result = await ragApi(rag, 'POST', `/documents/${ours}/unpublish`, {});
    expect(result).toMatchObject({ status: 'ok', rows_deleted: 4, document_version: 2 });
    expect(await ragApi(rag, 'GET', `/documents/${ours}/publish-status`)).toEqual({ published: false });
    await expectChat(ours, []);
    expect(await queryDatabase(ragDb, 'SELECT 1 FROM documents WHERE id = $1', [ours])).toHaveLength(1);
  });

  it('DELETE of a document the existing app published: gone from RAG, a tombstone stays, Chat and the index remove it', async () => {
    const published = await ragIds(legacy);
    await expectIndex(published, true);
    const result = await ragApi(rag, 'DELETE', `/documents/${legacy}`);
    // The app's two publishes are versions 1 and 2 downstream, so the delete must be version 3.
    expect(result).toMatchObject({ status: 'ok', rows_deleted: 2, document_version: 3 });
    for (const table of ['documents', 'hierarchical_chunks', 'chunk_embeddings', 'document_pages', 'rag_published_embeddings']) {
      const column = table === 'documents' ? 'id' : 'document_id';
      expect(await queryDatabase(ragDb, `SELECT 1 FROM ${table} WHERE ${column} = $1`, [legacy]), table).toEqual([]);
    }
    // The app's events went with the document, as its cascade always did; our tombstone stays to be relayed.
    expect(await events(legacy)).toEqual([{ event_type: 'unpublished', document_version: '3' }]);
    expect(await ragApi(rag, 'GET', `/documents/${legacy}/publish-status`)).toEqual({ published: false });
    await expectChat(legacy, []);
    await expectIndex(published, false);
    await waitFor(
      'the tombstone to be relayed',
      async () =>
        (await queryDatabase(ragDb, 'SELECT 1 FROM publish_events WHERE document_id = $1 AND relayed_at IS NOT NULL', [legacy])).length === 1,
    );
  });

  it('DELETE of a document published through our API, then a republish of nothing: 404, Chat stays clean', async () => {
    const { document_id: doomed } = await ragApi(rag, 'POST', '/documents', { filename: 'doomed.md', text: markdown('Doomed', 3) });
    await ragApi(rag, 'POST', `/documents/${doomed}/publish`, {});
    await expectChat(doomed, await ragIds(doomed));
    expect(await ragApi(rag, 'DELETE', `/documents/${doomed}`)).toMatchObject({ rows_deleted: 3, document_version: 2 });
    await expectChat(doomed, []);
    await ragApi(rag, 'POST', `/documents/${doomed}/publish`, {}, [404]);
    await ragApi(rag, 'DELETE', `/documents/${doomed}`, undefined, [404]);
  });
});

describe('the existing app keeps working on the adopted database, beside our API', () => {
  let later: string;

  it('its upload and publish (plain SQL, events without our columns) reach Chat', async () => {
    later = await appUpload(ragDb, 'later-policy.pdf', ['Referrals expire after 90 days.'], DIMENSIONS);
    await appPublish(ragDb, later);
    expect(await events(later)).toEqual([{ event_type: 'published', document_version: null }]);
    await expectChat(later, await ragIds(later));
  });

  it('our PUT and publish of a document the app created replace its rows everywhere, as the next version', async () => {
    const appRows = await ragIds(later);
    await ragApi(rag, 'PUT', `/documents/${later}`, {
      filename: 'later-policy.pdf',
      text: '## Coverage\n\nReferrals now expire after 120 days, renewable once by the plan.',
    });
    const published = await ragApi(rag, 'POST', `/documents/${later}/publish`, {});
    expect(published).toMatchObject({ rows_written: 1, document_version: 2 });
    const ours = await ragIds(later);
    expect(ours).toHaveLength(1);
    expect(ours).not.toEqual(appRows);
    await expectChat(later, ours);
  });

  it("its hard delete removes the document's pages, chunks, embeddings and publish events by cascade, as before", async () => {
    const gone = await appUpload(ragDb, 'gone-policy.pdf', ['Coverage ends.', 'Appeals go to the plan.'], DIMENSIONS);
    await appPublish(ragDb, gone);
    await appHardDelete(ragDb, gone);
    for (const table of ['document_pages', 'hierarchical_chunks', 'chunk_embeddings', 'publish_events', 'rag_published_embeddings']) {
      expect(await queryDatabase(ragDb, `SELECT 1 FROM ${table} WHERE document_id = $1`, [gone]), table).toEqual([]);
    }
  });
});
