// The pipeline's composition roots as `mobius dev` uses them (docs/architecture.md, "Composition roots";
// docs/sinks.md): ingestor, mart-builder, chat-sync, vertex-sync and the reconciler built by their
// createService on ONE memory bus and ONE memory index, on real Postgres (RAG, Chat, warehouse). A
// publish flows once they listen; on stop each closes the pools and warehouse it created, never the
// shared bus or index; vertex-sync refills an empty in-process index from the mart.
import { randomUUID } from 'node:crypto';
import { createBus, type Bus } from '@mobius/bus';
import { createService as createChatSync, loadChatSyncConfig } from '@mobius/chat-sync';
import { EVENTS, PUBLISHED_COLUMNS, TOPICS, encodeEvent } from '@mobius/contracts';
import { createService as createIngestor, loadIngestorConfig } from '@mobius/ingestor';
import { createService as createMartBuilder, loadMartBuilderConfig } from '@mobius/mart-builder';
import { createService as createReconciler, loadReconcilerConfig } from '@mobius/reconciler';
import { createLogger, type ServiceInstance } from '@mobius/service';
import { createVectorIndex, type VectorIndex } from '@mobius/vector-index';
import { createService as createVertexSync, loadVertexSyncConfig } from '@mobius/vertex-sync';
import { publishedRow } from '@mobius/warehouse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

const DIMENSIONS = 8;
const rag = uniqueName('roots_p_rag');
const chat = uniqueName('roots_p_chat');
const warehouse = uniqueName('roots_p_wh');
const logger = (name: string) => createLogger(name, 'silent');

/** The environment every loader reads: the test's databases, the memory bus and index, no passes. */
const ENV = {
  CHAT_DATABASE_URL: testDatabaseUrl(chat),
  WAREHOUSE: 'postgres',
  WAREHOUSE_DATABASE_URL: testDatabaseUrl(warehouse),
  BUS: 'memory',
  VECTOR_INDEX: 'memory',
  EMBEDDING_DIMENSIONS: String(DIMENSIONS),
  AUTH: 'none',
  RECONCILE_INTERVAL_SECONDS: '0',
  LOG_LEVEL: 'silent',
};

/** Connections open on `database` whose application name starts with `prefix` (each pool names itself). */
async function connections(database: string, prefix: string): Promise<number> {
  const result = await adminQuery('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2', [
    database,
    `${prefix}%`,
  ]);
  return result.rows[0].n as number;
}

/** Writes a document's rows and its publish event into RAG as the existing app does, and announces it on `bus`. */
async function publishAsExistingApp(bus: Bus, rows: number): Promise<string> {
  const documentId = randomUUID();
  const names = PUBLISHED_COLUMNS.map((column) => column.name);
  for (let i = 0; i < rows; i += 1) {
    const row = publishedRow(documentId, {}, DIMENSIONS);
    const params = names.map((name) => (name === 'embedding' ? JSON.stringify(row.embedding) : row[name]));
    await queryDatabase(
      rag,
      `INSERT INTO rag_published_embeddings (${names.join(', ')}) VALUES (${names.map((_, n) => `$${n + 1}`).join(', ')})`,
      params,
    );
  }
  const eventId = randomUUID();
  await queryDatabase(rag, `INSERT INTO publish_events (id, document_id, published_at, rows_written) VALUES ($1, $2, now() AT TIME ZONE 'utc', $3)`, [
    eventId,
    documentId,
    rows,
  ]);
  const event = encodeEvent(
    EVENTS.ragPublishEvent,
    {
      publish_event_id: eventId,
      document_id: documentId,
      event_type: 'published',
      document_version: null,
      published_at: new Date().toISOString(),
      rows_written: rows,
    },
    { id: eventId },
  );
  await bus.publish({ topic: TOPICS.ragPublishEvents, ...event, orderingKey: documentId });
  return documentId;
}

beforeAll(async () => {
  await Promise.all([createMigratedDatabase(rag, 'rag'), createMigratedDatabase(chat, 'chat'), createMigratedDatabase(warehouse, 'warehouse')]);
}, 60_000);

afterAll(() => dropDatabases([rag, chat, warehouse]));

describe('the pipeline built by its composition roots on a shared bus and index', () => {
  let bus: Bus;
  let index: VectorIndex;
  beforeAll(async () => {
    bus = await createBus({ kind: 'memory', topicPrefix: '' });
    index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
  });
  afterAll(async () => {
    await bus.close();
    await index.close();
  });

  it('carries a publish from RAG to Chat and the index once listening; stop closes what each created and leaves the bus and index open', async () => {
    const shared = { bus, index };
    const services: ServiceInstance[] = [];
    try {
      services.push(await createIngestor({ ...loadIngestorConfig(ENV), ragDatabaseUrl: testDatabaseUrl(rag) }, { bus, logger: logger('ingestor') }));
      services.push(await createMartBuilder(loadMartBuilderConfig(ENV), { bus, logger: logger('mart-builder') }));
      services.push(await createChatSync(loadChatSyncConfig(ENV), { bus, logger: logger('chat-sync') }));
      const vertexSync = await createVertexSync(loadVertexSyncConfig(ENV), { ...shared, logger: logger('vertex-sync') });
      expect(vertexSync.refilled).toBeUndefined();
      services.push(vertexSync);
      services.push(
        await createReconciler({ ...loadReconcilerConfig(ENV), ragDatabaseUrl: testDatabaseUrl(rag) }, { index, logger: logger('reconciler') }),
      );
      expect(services.map((service) => service.facts.bus ?? 'none')).toEqual(['shared', 'shared', 'shared', 'shared', 'none']);
      expect(vertexSync.facts).toMatchObject({ vectorIndex: 'shared', chatDatabase: expect.stringContaining(chat) });

      // Nothing consumes before the apps are ready: the publish waits on the bus.
      const documentId = await publishAsExistingApp(bus, 3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await queryDatabase(warehouse, 'SELECT 1 FROM landing_rag.landing_batches')).toEqual([]);

      for (const service of services) await service.start({ port: 0, host: '127.0.0.1' });
      await waitFor('the document in Chat and the index', async () => {
        const rows = await queryDatabase<{ n: number }>(chat, 'SELECT count(*)::int AS n FROM published_rag_metadata WHERE document_id = $1', [
          documentId,
        ]);
        return rows[0]!.n === 3 && (await index.listDatapointIds()).length === 3;
      });
      for (const service of services) expect((await service.app.inject('/readyz')).statusCode, service.name).toBe(200);
      expect(await connections(chat, 'mobius-chat-sync')).toBeGreaterThan(0);
    } finally {
      for (const service of services) await service.stop();
    }
    await waitFor('every pool and warehouse closed', async () => {
      const open = await Promise.all([
        connections(rag, 'ingestor'),
        connections(rag, 'mobius-reconciler'),
        connections(chat, 'mobius-chat-sync'),
        connections(chat, 'mobius-vertex-sync'),
        connections(chat, 'mobius-reconciler'),
        connections(warehouse, 'mobius-'),
      ]);
      return open.every((n) => n === 0);
    });
    await bus.ping();
    expect(await index.listDatapointIds()).toHaveLength(3);
  });

  it('refills an empty in-process index from the mart before it returns (a full resync from watermark 0)', async () => {
    const empty = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
    const vertexSync = await createVertexSync(loadVertexSyncConfig(ENV), { bus, index: empty, logger: logger('vertex-sync'), refillIndex: true });
    try {
      expect(vertexSync.refilled).toBe(3);
      expect((await empty.listDatapointIds()).sort()).toEqual((await index.listDatapointIds()).sort());
    } finally {
      await vertexSync.stop();
      await empty.close();
    }
  });
});
