// One bad item hurts only itself (issue 12, section 2), on the whole pipeline: every service its own
// `mobius start` process on the real Postgres and NATS, with databases and a TOPIC_PREFIX of its own.
// A publish_events row the event schema refuses is quarantined and later publishes flow at once; a
// published row with an unusable embedding reaches Chat with the rest of its document, and only its
// datapoint is left out of the index (and taken out when it was there), counted and logged.
import { randomBytes, randomUUID } from 'node:crypto';
import { listQuarantinedEvents } from '@mobius/rag';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDatabase, testDatabaseUrl } from './support/databases.ts';
import { CONSUMERS, chatPublishedRows, createPipeline, ragPublishedRows, type Pipeline } from './support/pipeline.ts';
import { indexState, markdown, publishDocument, ragApi } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';

const DIMENSIONS = 64;
/** A later publish must reach Chat this fast after a malformed event (before: never; the relay retried it forever). */
const FLOW_WITHIN_MS = 3_000;

let pipeline: Pipeline;
let rag: ServiceProcess;
let vertexSync: ServiceProcess;
let ragPool: pg.Pool;

beforeAll(async () => {
  pipeline = await createPipeline('poison', { EMBEDDING_DIMENSIONS: String(DIMENSIONS) });
  const started = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
  rag = started[0]!;
  vertexSync = started.find((s) => s.name === 'vertex-sync')!;
  ragPool = new pg.Pool({ connectionString: testDatabaseUrl(pipeline.dbs.names.rag), max: 2 });
}, 120_000);

afterAll(async () => {
  await ragPool?.end();
  await pipeline?.destroy();
});

const ragSql = (sql: string, params: unknown[] = []) => queryDatabase(pipeline.dbs.names.rag, sql, params);

/** A uuid Postgres accepts but RFC 4122 does not (version and variant nibbles 0), so the event schema refuses it. */
const nonRfcUuid = () => {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0${hex.slice(13, 16)}-0${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** A publish_events row as the existing RAG app writes it: only the contract's columns, no NOTIFY. */
async function insertLegacyEvent(id: string, documentId: string, rowsWritten: number): Promise<void> {
  await ragSql(
    `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written)
     VALUES ($1, $2, now() AT TIME ZONE 'utc', 'legacy-app', $3)`,
    [id, documentId, rowsWritten],
  );
}

/** The existing app's publish: the document's rows (embeddings as jsonb text, or NULL) and one event. */
async function legacyPublish(documentId: string, embeddings: Array<string | null>): Promise<string[]> {
  const ids = embeddings.map(() => randomUUID());
  for (const [i, embedding] of embeddings.entries()) {
    await ragSql(
      `INSERT INTO rag_published_embeddings (id, document_id, source_type, source_id, embedding, model, created_at, text,
         page_number, paragraph_index, document_filename, document_payer, document_state, content_sha, updated_at)
       VALUES ($1, $2, 'hierarchical', gen_random_uuid(), $3::jsonb, 'gemini-embedding-001', now() AT TIME ZONE 'utc',
         $4, 1, $5, 'legacy.md', 'Aetna', 'TX', encode(sha256(convert_to($4, 'UTF8')), 'hex'), now() AT TIME ZONE 'utc')`,
      [ids[i], documentId, embedding, `Legacy paragraph ${i} of ${documentId}`, i],
    );
  }
  await insertLegacyEvent(randomUUID(), documentId, embeddings.length);
  return ids;
}

const goodEmbedding = (seed: number) => JSON.stringify(Array.from({ length: DIMENSIONS }, (_, i) => Math.sin(seed + i) / 2));

/** Chat's rows (the 28 columns) of one document, and RAG's, as comparable text. */
async function chatAndRagRows(documentId: string) {
  const [chat, ragRows] = await Promise.all([chatPublishedRows(pipeline.dbs.names.chat), ragPublishedRows(pipeline.dbs.names.rag)]);
  const of = (rows: Record<string, unknown>[]) => rows.filter((row) => row.document_id === documentId);
  return { chat: of(chat), rag: of(ragRows) };
}

/** Waits until Chat holds exactly RAG's rows of `documentId` (and at least one). */
async function chatMatchesRag(documentId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `chat to hold rag's rows of ${documentId}`,
    async () => {
      const { chat, rag: ragRows } = await chatAndRagRows(documentId);
      return ragRows.length > 0 && JSON.stringify(chat) === JSON.stringify(ragRows);
    },
    timeoutMs,
  ).catch(() => undefined);
  const { chat, rag: ragRows } = await chatAndRagRows(documentId);
  expect(ragRows.length).toBeGreaterThan(0);
  expect(chat).toEqual(ragRows);
}

/** Sum of every series of a metric on a service's /metrics. */
async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** The JSON log lines of a service at warn that mention every one of `words`. */
const warnings = (service: ServiceProcess, ...words: string[]) =>
  service.logs.filter((line) => line.includes('"severity":"WARN"') && words.every((word) => line.includes(word)));

/** The ids the vertex-sync process's index holds. */
const indexIds = async () => new Set(await indexState(vertexSync));
const holdsAll = (index: Set<string>, ids: readonly string[]) => ids.every((id) => index.has(id));

const ragIdsOf = async (documentId: string) =>
  (await ragSql('SELECT id::text FROM rag_published_embeddings WHERE document_id = $1 ORDER BY id', [documentId])).map((r) => r.id as string);

describe('a malformed publish_events row', () => {
  it('is quarantined with its reason, and later publishes (of its document and others) flow at once', async () => {
    const alpha = await publishDocument(rag, 'alpha.md', markdown('Alpha', 3));
    await chatMatchesRag(alpha);

    // The existing app writes two events the event schema refuses: one of alpha with a non-RFC 4122 id,
    // and one naming a document id that is not RFC 4122 either.
    const [badId, badDocument] = [nonRfcUuid(), nonRfcUuid()];
    const otherBad = randomUUID();
    await insertLegacyEvent(badId, alpha, 3);
    await insertLegacyEvent(otherBad, badDocument, 1);

    // Later publishes: alpha again (waits behind alpha's bad event in the outbox order) and a new document.
    await ragApi(rag, 'PUT', `/documents/${alpha}`, { filename: 'alpha.md', text: markdown('Alpha', 4, ' (v2)') });
    await ragApi(rag, 'POST', `/documents/${alpha}/publish`, {});
    const beta = await publishDocument(rag, 'beta.md', markdown('Beta', 2));
    const published = Date.now();
    await waitFor(
      'the later publishes to reach chat',
      async () => {
        const [a, b] = await Promise.all([chatAndRagRows(alpha), chatAndRagRows(beta)]);
        return a.chat.length === 4 && a.chat.every((row) => String(row.text).includes('(v2)')) && b.chat.length === 2;
      },
      FLOW_WITHIN_MS,
    );
    console.info(`poison-isolation: later publishes reached Chat ${Date.now() - published} ms after a malformed event`);
    await chatMatchesRag(alpha);
    await chatMatchesRag(beta);

    const events = await ragSql(
      `SELECT id::text, relayed_at, relay_quarantined_at IS NOT NULL AS quarantined, relay_error
         FROM publish_events WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [[badId, otherBad]],
    );
    expect(events).toEqual(
      [
        { id: badId, relayed_at: null, quarantined: true, relay_error: expect.stringMatching(/publish_event_id must be a uuid/) },
        { id: otherBad, relayed_at: null, quarantined: true, relay_error: expect.stringMatching(/document_id must be a uuid/) },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    // Every other event went out.
    expect(await ragSql('SELECT count(*)::int AS n FROM publish_events WHERE relayed_at IS NULL AND relay_quarantined_at IS NULL')).toEqual([
      { n: 0 },
    ]);

    // What an operator sees: the listing `mobius resync --check` reports, the metrics, a warning per event.
    const listed = await listQuarantinedEvents(ragPool, 10);
    expect(listed.map((event) => [event.id, event.documentId]).sort()).toEqual(
      [
        [badId, alpha],
        [otherBad, badDocument],
      ].sort(),
    );
    expect(listed.every((event) => event.reason.includes('must be a uuid') && event.quarantinedAt instanceof Date)).toBe(true);
    expect(await metric(rag, 'mobius_outbox_quarantined_events')).toBe(2);
    expect(await metric(rag, 'mobius_outbox_quarantined_total')).toBe(2);
    expect(warnings(rag, badId, 'quarantined', 'must be a uuid')).toHaveLength(1);
    expect(warnings(rag, otherBad, badDocument, 'quarantined')).toHaveLength(1);
  });
});

describe('a published row with an unusable embedding', () => {
  it('reaches Chat with its metadata, the rest of its document reaches Chat and the index, only its datapoint is skipped', async () => {
    const legacy = randomUUID();
    const spoiled = [
      null, // missing
      '[0.1, 0.2, 0.3]', // wrong length
      JSON.stringify(JSON.parse(goodEmbedding(3)).with(5, 'oops')), // a string element
      JSON.stringify(JSON.parse(goodEmbedding(4)).with(9, 1e39)), // beyond a float32
      '{"values": [0.5]}', // not an array
    ];
    const before = await metric(vertexSync, 'mobius_vertex_sync_invalid_rows_total');
    const ids = await legacyPublish(legacy, [goodEmbedding(1), ...spoiled, goodEmbedding(2)]);
    const [good, bad] = [[ids[0]!, ids[6]!], ids.slice(1, 6)];

    await chatMatchesRag(legacy);
    expect((await chatAndRagRows(legacy)).chat).toHaveLength(7);
    await waitFor('the good rows to reach the index', async () => holdsAll(await indexIds(), good), 30_000, 100);
    const index = await indexIds();
    expect(good.filter((id) => index.has(id))).toEqual(good);
    expect(bad.filter((id) => index.has(id))).toEqual([]);

    expect(await metric(vertexSync, 'mobius_vertex_sync_invalid_rows_total')).toBe(before + bad.length);
    for (const id of bad) expect(warnings(vertexSync, id, legacy, 'embedding')).not.toHaveLength(0);
    const [lastRun] = await queryDatabase(
      pipeline.dbs.names.chat,
      `SELECT status FROM sync_runs WHERE sink = 'vertex-sync' ORDER BY started_at DESC LIMIT 1`,
    );
    expect(lastRun).toEqual({ status: 'success' });
  });

  it('takes a datapoint out of the index when its embedding turns bad, and vertex-sync keeps applying later runs', async () => {
    const doc = await publishDocument(rag, 'gamma.md', markdown('Gamma', 4));
    await chatMatchesRag(doc);
    const ids = await ragIdsOf(doc);
    await waitFor('gamma in the index', async () => holdsAll(await indexIds(), ids), 30_000, 100);

    // Edited by hand, as the existing app or an operator might: two embeddings spoiled, one text changed.
    const [nulled, stringy] = ids;
    await ragSql(`UPDATE rag_published_embeddings SET embedding = NULL, text = text || ' (edited)' WHERE id = $1`, [nulled]);
    await ragSql(`UPDATE rag_published_embeddings SET embedding = jsonb_set(embedding, '{0}', '"x"') WHERE id = $1`, [stringy]);
    await insertLegacyEvent(randomUUID(), doc, ids.length);

    await waitFor(
      'the spoiled datapoints to leave the index',
      async () => {
        const index = await indexIds();
        return !index.has(nulled!) && !index.has(stringy!);
      },
      30_000,
      100,
    );
    await chatMatchesRag(doc);
    expect((await chatAndRagRows(doc)).chat.find((row) => row.id === nulled)?.text).toMatch(/\(edited\)$/);
    const index = await indexIds();
    expect(ids.filter((id) => index.has(id))).toEqual(ids.slice(2));

    // The sink did not stop: a later publish reaches Chat and the index.
    const delta = await publishDocument(rag, 'delta.md', markdown('Delta', 3));
    await chatMatchesRag(delta);
    const deltaIds = await ragIdsOf(delta);
    await waitFor('delta in the index', async () => holdsAll(await indexIds(), deltaIds), 30_000, 100);
  });
});
