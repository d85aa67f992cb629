// The composition roots of rag and chat as `mobius dev` uses them (docs/architecture.md, "Composition
// roots"): what createService builds it closes with the app; what `shared` gives it (dev's one bus, one
// vector index) it never closes; rag's outbox relay runs once the app is ready, on the shared bus.
import { createBus, type Bus } from '@mobius/bus';
import { createService as createChat, loadChatServiceConfig } from '@mobius/chat';
import { TOPICS } from '@mobius/contracts';
import { migrateDatabase } from '@mobius/db';
import { createService as createRag, loadRagServiceConfig } from '@mobius/rag';
import { createVectorIndex, type VectorIndex } from '@mobius/vector-index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

const DIMENSIONS = 16;
const ragDatabase = uniqueName('roots_rag');
const chatDatabase = uniqueName('roots_chat');
const TEXT = 'A paragraph that is long enough to be one chunk of its own.\n\nAnd a second paragraph, just as long as the first.';

/** Connections of `applicationName` open on `database` (each pool names itself in pg_stat_activity). */
async function connections(database: string, applicationName: string): Promise<number> {
  const result = await adminQuery('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [
    database,
    applicationName,
  ]);
  return result.rows[0].n as number;
}

beforeAll(async () => {
  for (const [database, module] of [
    [ragDatabase, 'rag'],
    [chatDatabase, 'chat'],
  ] as const) {
    await createDatabase(database);
    await migrateDatabase({ databaseUrl: testDatabaseUrl(database), migrationsDir: `services/${module}/migrations` });
  }
}, 60_000);

afterAll(() => dropDatabases([ragDatabase, chatDatabase]));

describe('rag createService with a shared bus', () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await createBus({ kind: 'memory', topicPrefix: '' });
  });
  afterAll(() => bus.close());

  it('relays a publish onto the shared bus once listening, closes its own pool on stop, and leaves the bus open', async () => {
    const config = loadRagServiceConfig({
      DATABASE_URL: testDatabaseUrl(ragDatabase),
      AUTH: 'none',
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      LOG_LEVEL: 'silent',
    });
    const rag = await createRag(config, { bus });
    try {
      const url = await rag.start({ port: 0, host: '127.0.0.1' });
      const upload = await fetch(`${url}/documents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'roots.md', text: TEXT }),
      });
      expect(upload.status).toBe(201);
      const { document_id: id } = (await upload.json()) as { document_id: string };
      expect((await fetch(`${url}/documents/${id}/publish`, { method: 'POST' })).status).toBe(200);
      const relayed = await waitFor('the publish event on the shared bus', async () => (await bus.peek(TOPICS.ragPublishEvents, 10)).length > 0);
      expect(relayed).toBe(true);
      expect(await connections(ragDatabase, 'mobius-rag')).toBeGreaterThan(0);
    } finally {
      await rag.stop();
    }
    await waitFor('rag pool closed', async () => (await connections(ragDatabase, 'mobius-rag')) === 0);
    await bus.ping();
    expect(await bus.peek(TOPICS.ragPublishEvents, 10)).toHaveLength(1);
  });
});

describe('chat createService with a shared vector index', () => {
  let index: VectorIndex;
  beforeAll(async () => {
    index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
  });
  afterAll(() => index.close());

  it('is ready on its database and the shared index, closes its own pool on stop, and leaves the index open', async () => {
    const config = loadChatServiceConfig({
      CHAT_DATABASE_URL: testDatabaseUrl(chatDatabase),
      JWT_SECRET: 'composition-roots-secret',
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      VECTOR_INDEX: 'memory',
      LOG_LEVEL: 'silent',
    });
    const chat = await createChat(config, { index });
    try {
      expect((await chat.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect(await connections(chatDatabase, 'mobius-chat')).toBeGreaterThan(0);
    } finally {
      await chat.stop();
    }
    await waitFor('chat pool closed', async () => (await connections(chatDatabase, 'mobius-chat')) === 0);
    const unit = new Array<number>(DIMENSIONS).fill(0);
    unit[0] = 1;
    await expect(index.findNeighbors({ featureVector: unit, neighborCount: 1 })).resolves.toBeDefined();
  });
});
