import { randomUUID } from 'node:crypto';
import { createBus, type Bus, type Subscriber } from '@mobius/bus';
import { EVENTS, PUBLISHED_COLUMNS, TOPICS, decodeEvent, encodeEvent } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRow } from '@mobius/warehouse/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer as startIngestor } from '../services/ingestor/src/app.ts';
import { openSnapshots } from '../services/ingestor/src/rag-snapshot-source.ts';
import { startConsumer as startMartBuilder } from '../services/mart-builder/src/app.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

// The ingestor and the mart-builder in process, on the real RAG and warehouse Postgres and the memory
// bus: bursts of events become one landing write and one mart run.

const DIMENSIONS = 8;
const rag = uniqueName('ingest_rag');
const warehouseDb = uniqueName('ingest_wh');
let bus: Bus;
let warehouse: Warehouse;
let ragPool: pg.Pool;
const subscribers: Subscriber[] = [];
const logger = createLogger('test', 'silent');

/** Writes a document's rows and one publish event as the existing RAG app does, and relays the event. */
/** Writes a document as the existing app does; `publish` then announces it (so a burst is only the announcements). */
async function publishAsExistingApp(rows: number): Promise<{ documentId: string; publish: () => Promise<unknown> }> {
  const documentId = randomUUID();
  const values = Array.from({ length: rows }, () => publishedRow(documentId, {}, DIMENSIONS));
  const names = PUBLISHED_COLUMNS.map((c) => c.name);
  for (const row of values) {
    const params = names.map((name) => (name === 'embedding' ? JSON.stringify(row.embedding) : row[name]));
    await ragPool.query(`INSERT INTO rag_published_embeddings (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, params);
  }
  const eventId = randomUUID();
  await ragPool.query(`INSERT INTO publish_events (id, document_id, published_at, rows_written) VALUES ($1, $2, now() AT TIME ZONE 'utc', $3)`, [
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
  return { documentId, publish: () => bus.publish({ topic: TOPICS.ragPublishEvents, ...event, orderingKey: documentId }) };
}

beforeAll(async () => {
  await createMigratedDatabase(rag, 'rag');
  await createMigratedDatabase(warehouseDb, 'warehouse');
  ragPool = createPool(testDatabaseUrl(rag), { applicationName: 'test-ingestor' });
  warehouse = await createWarehouse({ kind: 'postgres', databaseUrl: testDatabaseUrl(warehouseDb), embeddingDimensions: DIMENSIONS });
  bus = await createBus({ kind: 'memory', topicPrefix: 'ingest_' });
  const source = {
    async open(documentIds: string[]) {
      const client = await ragPool.connect();
      const opened = await openSnapshots(client, documentIds);
      return {
        ...opened,
        close: async (failed: boolean) => {
          await opened.close(failed);
          client.release();
        },
      };
    },
  };
  const common = { bus, warehouse, logger, readiness: [] };
  subscribers.push(await startIngestor({ ...common, source, metrics: createMetrics('ingestor') }));
  subscribers.push(await startMartBuilder({ ...common, metrics: createMetrics('mart-builder') }));
});

afterAll(async () => {
  for (const subscriber of subscribers) await subscriber.close();
  await bus?.close();
  await warehouse?.close();
  await ragPool?.end();
  await dropDatabases([rag, warehouseDb]);
});

describe('ingestor and mart-builder', () => {
  it('land a burst of publish events in one warehouse write and merge it in few runs', async () => {
    const prepared = await Promise.all(Array.from({ length: 20 }, () => publishAsExistingApp(3)));
    await Promise.all(prepared.map((p) => p.publish())); // the burst: 20 announcements at once
    const documents = prepared.map((p) => p.documentId);
    await waitFor('every document in the mart', async () => {
      const rows = await queryDatabase(warehouseDb, 'SELECT count(*)::int AS n FROM mobius_rag.published_rag_embeddings WHERE NOT deleted');
      return rows[0]!.n === 60;
    });
    const writes = await queryDatabase(
      warehouseDb,
      'SELECT count(DISTINCT ingested_at)::int AS n FROM landing_rag.landing_batches WHERE document_id = ANY($1)',
      [documents],
    );
    expect(writes[0]!.n).toBeLessThanOrEqual(2); // one transaction (a burst may straddle one flush)
    const runs = await queryDatabase(warehouseDb, 'SELECT count(*)::int AS n FROM mobius_rag.mart_runs');
    expect(runs[0]!.n).toBeLessThanOrEqual(3);
  });

  it('number an existing-app document by its position in the publish history', async () => {
    const { documentId, publish } = await publishAsExistingApp(2);
    await publish();
    await waitFor('the document in the mart', async () => {
      const rows = await queryDatabase(warehouseDb, 'SELECT document_version FROM mobius_rag.mart_documents WHERE document_id = $1', [documentId]);
      return rows[0]?.document_version !== undefined;
    });
    const [first] = await queryDatabase(warehouseDb, 'SELECT document_version::int AS v FROM mobius_rag.mart_documents WHERE document_id = $1', [
      documentId,
    ]);
    expect(first!.v).toBe(1);
  });
});

/** Writes and announces one document; its id. */
async function published(rows: number): Promise<string> {
  const { documentId, publish } = await publishAsExistingApp(rows);
  await publish();
  return documentId;
}

describe('a warehouse rebuilt for a replay', () => {
  it('announces its runs again although they are numbered from 1 again, so the sinks hear of them', async () => {
    const announced: number[] = [];
    const listener = await bus.subscribe(TOPICS.martUpdated, 'test-listener', async (message) => {
      announced.push(decodeEvent(EVENTS.martUpdated, message).run_id);
    });
    subscribers.push(listener);
    const inMart = (documentId: string) =>
      waitFor('the document in the mart', async () => {
        const rows = await queryDatabase(warehouseDb, 'SELECT 1 FROM mobius_rag.mart_documents WHERE document_id = $1', [documentId]);
        return rows.length === 1;
      });
    await inMart(await published(1));
    await waitFor('an announcement', async () => announced.length > 0);
    // The rebuild: the warehouse emptied, so its next run is number 1 again.
    await queryDatabase(
      warehouseDb,
      `TRUNCATE landing_rag.rag_published_embeddings, landing_rag.landing_batches, mobius_rag.merged_batches,
                mobius_rag.published_rag_embeddings, mobius_rag.mart_documents, mobius_rag.mart_runs`,
    );
    const before = announced.length;
    await inMart(await published(1));
    await waitFor("the rebuilt warehouse's first run announced", async () => announced.slice(before).includes(1));
  });
});
