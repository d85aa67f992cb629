// vertex-sync on the real Postgres: mart runs built by the real warehouse adapter, applied to the
// memory vector index, with vertex-sync's state in a migrated Chat database (docs/contracts.md, "The vector index";
// docs/architecture.md, "Why it stays correct" 4-7). What every sink does is the sink conformance suite's
// (docs/sinks.md); this file gives it vertex-sync's harness and keeps what only vertex-sync does.
import { randomUUID } from 'node:crypto';
import { createBus } from '@mobius/bus';
import { EVENTS, type PublishedRow } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import { martUpdatedMessage, publishRun, sinkConformance, type SinkFixture } from '@mobius/sink-state/testing';
import { createVectorIndex, scoreFromDistance, type Datapoint, type VectorIndex } from '@mobius/vector-index';
import { applyMartRuns, buildApp, createSinkStore, handleMartUpdated, type SinkStore } from '@mobius/vertex-sync';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRow, publishedRows, snapshotOf } from '@mobius/warehouse/testing';
import type pg from 'pg';
import { waitFor } from '@mobius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const logger = createLogger('vertex-sync-test', 'silent');

// ---------------------------------------------------------------------------------------------------
// Fixture: the Chat database vertex-sync keeps its state in, a warehouse, and a memory index.

interface Fixture extends SinkFixture {
  chat: string;
  dimensions: number;
  index: VectorIndex;
}

async function createFixture(dimensions = 8): Promise<Fixture> {
  const databases: string[] = [];
  const warehouses: Warehouse[] = [];
  const pools: pg.Pool[] = [];
  const addWarehouse = async () => {
    const name = uniqueName('vsync_wh');
    databases.push(name);
    await createMigratedDatabase(name, 'warehouse');
    const w = await createWarehouse({ kind: 'postgres', databaseUrl: testDatabaseUrl(name), embeddingDimensions: dimensions });
    warehouses.push(w);
    return w;
  };
  const newStore = () => {
    const pool = createPool(testDatabaseUrl(chat), { applicationName: 'vertex-sync-test', max: 3 });
    pools.push(pool);
    return createSinkStore(pool);
  };
  const chat = uniqueName('vsync_chat');
  databases.push(chat);
  await createMigratedDatabase(chat, 'chat');
  const warehouse = await addWarehouse();
  const index = await createVectorIndex({ kind: 'memory', dimensions });
  const store = newStore();
  /** The index runs write to: `index`, or one that refuses them (refuseWrites). */
  let target = index;
  const deps = (on: SinkStore = store, from: Warehouse = warehouse) => ({ warehouse: from, store: on, index: target, dimensions, logger });
  return {
    chat,
    dimensions,
    warehouse,
    index,
    store,
    otherWarehouse: addWarehouse,
    apply: (from) => applyMartRuns(deps(store, from)),
    handle: (message) => handleMartUpdated(deps())(message),
    anotherInstance() {
      const other = newStore();
      return () => applyMartRuns(deps(other));
    },
    read: () => indexState(index),
    async refuseWrites() {
      // A misconfigured index (another dimension) refuses every datapoint of this one.
      const misconfigured = await createVectorIndex({ kind: 'memory', dimensions: dimensions * 2 });
      target = misconfigured;
      return {
        error: { code: 'VECTOR_EMBEDDING_DIMENSION', retryable: false },
        reason: 'VECTOR_EMBEDDING_DIMENSION',
        async restore() {
          target = index;
          expect(await misconfigured.listDatapointIds()).toEqual([]);
          await misconfigured.close();
        },
      };
    },
    async close() {
      await index.close();
      for (const pool of pools) await pool.end();
      for (const w of warehouses) await w.close();
      await dropDatabases(databases);
    },
  };
}

// ---------------------------------------------------------------------------------------------------

/** The datapoint docs/contracts.md, "The vector index" requires for a row, written out independently of toDatapoint. */
function contractDatapoint(row: PublishedRow): Datapoint {
  return {
    datapointId: row.id,
    featureVector: row.embedding!,
    restricts: [
      { namespace: 'document_payer', allowList: [row.document_payer] },
      { namespace: 'document_state', allowList: [row.document_state] },
      { namespace: 'document_program', allowList: [row.document_program] },
      { namespace: 'document_authority_level', allowList: [row.document_authority_level] },
      { namespace: 'source_type', allowList: [row.source_type] },
    ],
    crowdingTag: { crowdingAttribute: row.document_id },
  };
}

const byId = <T extends { datapointId: string }>(points: T[]) => [...points].sort((a, b) => (a.datapointId < b.datapointId ? -1 : 1));

/** The whole index, sorted by id. */
async function indexState(index: VectorIndex): Promise<Datapoint[]> {
  return byId(await index.readDatapoints(await index.listDatapointIds()));
}

async function watermark(chat: string): Promise<number | null> {
  const rows = await queryDatabase<{ run: number }>(chat, `SELECT last_mart_run_id::int AS run FROM mobius_sink_state WHERE sink = 'vertex-sync'`);
  return rows[0]?.run ?? null;
}

async function syncRuns(chat: string) {
  return queryDatabase(
    chat,
    `SELECT sink, status, mart_rows_read, postgres_rows_written, vector_rows_upserted, mart_run_id::int AS mart_run_id,
            error_message FROM sync_runs ORDER BY finished_at`,
  );
}

// ---------------------------------------------------------------------------------------------------
// What every sink does (docs/sinks.md), asserted by the sink conformance suite on vertex-sync's harness.

sinkConformance('vertex-sync', {
  create: () => createFixture(),
  expected: (rows) => byId(rows.map(contractDatapoint)),
  // Every live row is upserted (an embedding-only change too); removes are counted apart, and not in sync_runs.
  reported: ({ rows, embeddingOnly, removed }) => ({ datapointsUpserted: rows + embeddingOnly, datapointsRemoved: removed }),
  recorded: ({ rows, embeddingOnly }) => ({ postgres_rows_written: null, vector_rows_upserted: rows + embeddingOnly }),
});

// ---------------------------------------------------------------------------------------------------
// What only vertex-sync does: the index alone, chat's vector search, a commit that fails after the index took the calls.

describe('vertex-sync and the vector index', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it("writes only the index, never Chat's published rows; a datapoint is its own nearest neighbour in chat's vector search", async () => {
    const doc = randomUUID();
    const rows = [
      publishedRow(doc, { source_type: 'fact', document_payer: 'Molina', document_state: 'GA', document_program: '' }),
      publishedRow(doc, { document_authority_level: '', document_payer: '' }),
    ];
    await publishRun(f.warehouse, snapshotOf(doc, 1, rows));
    expect(await f.apply()).toMatchObject({ status: 'applied', datapointsUpserted: 2 });
    // vertex-sync keeps only its state in Chat: it never writes Chat's published rows.
    expect(await queryDatabase(f.chat, 'SELECT id FROM published_rag_metadata')).toEqual([]);
    // What chat's vector search sees: the fact of Molina/GA is its own nearest neighbour, score 1.
    const [hit] = await f.index.findNeighbors({
      featureVector: rows[0]!.embedding!,
      neighborCount: 1,
      restricts: [
        { namespace: 'document_payer', allowList: ['Molina'] },
        { namespace: 'source_type', allowList: ['fact'] },
      ],
    });
    expect(hit?.datapointId).toBe(rows[0]!.id);
    expect(scoreFromDistance(hit!.distance)).toBeCloseTo(1, 9);
  });

  it('re-applies the index calls idempotently when the commit after them fails', async () => {
    await queryDatabase(
      f.chat,
      `ALTER TABLE sync_runs ADD CONSTRAINT test_refuses_vertex_success
      CHECK (sink IS DISTINCT FROM 'vertex-sync' OR status <> 'success') NOT VALID`,
    );
    const docD = randomUUID();
    const d = publishedRows(docD, 3);
    const runId = await publishRun(f.warehouse, snapshotOf(docD, 1, d));
    const before = await watermark(f.chat);

    await expect(f.apply()).rejects.toMatchObject({ code: 'VERTEX_SYNC_FAILED', retryable: true });
    const afterFailure = await indexState(f.index);
    expect(afterFailure.filter((p) => p.crowdingTag.crowdingAttribute === docD)).toEqual(byId(d.map(contractDatapoint)));
    expect(await watermark(f.chat)).toBe(before);
    expect((await syncRuns(f.chat)).at(-1)).toMatchObject({ status: 'failure', mart_run_id: runId, vector_rows_upserted: 3 });

    await queryDatabase(f.chat, 'ALTER TABLE sync_runs DROP CONSTRAINT test_refuses_vertex_success');
    expect(await f.apply()).toMatchObject({ status: 'applied', toRunId: runId, datapointsUpserted: 3 });
    expect(await indexState(f.index)).toEqual(afterFailure);
    expect(await watermark(f.chat)).toBe(runId);
  });
});

describe("vertex-sync at the contract's 1536 dimensions", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture(1536);
  });
  afterAll(() => f.close());

  it('indexes 1536-dimension embeddings exactly, each row its own nearest neighbour', async () => {
    const doc = randomUUID();
    const rows = publishedRows(doc, 12, 1536);
    await publishRun(f.warehouse, snapshotOf(doc, 1, rows, 5));
    expect(await f.apply()).toMatchObject({ status: 'applied', datapointsUpserted: 12 });
    expect(await indexState(f.index)).toEqual(byId(rows.map(contractDatapoint)));
    for (const row of rows.slice(0, 3)) {
      const [hit] = await f.index.findNeighbors({ featureVector: row.embedding!, neighborCount: 1 });
      expect(hit?.datapointId).toBe(row.id);
    }
  });
});

describe('vertex-sync service', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('consumes warehouse.mart_updated into the index, and answers /readyz for Chat and the warehouse', async () => {
    const bus = await createBus({ kind: 'memory', topicPrefix: '' });
    const app = buildApp({
      store: f.store,
      warehouse: f.warehouse,
      index: f.index,
      dimensions: f.dimensions,
      bus,
      logger,
      metrics: createMetrics('vertex-sync-test'),
    });
    try {
      await app.ready();
      const doc = randomUUID();
      const rows = publishedRows(doc, 3);
      const runId = await publishRun(f.warehouse, snapshotOf(doc, 1, rows));
      await bus.publish({ topic: EVENTS.martUpdated.topic, ...martUpdatedMessage(runId) });
      await waitFor('the watermark to reach the run', async () => (await watermark(f.chat)) === runId, 10_000, 25);
      expect(await indexState(f.index)).toEqual(byId(rows.map(contractDatapoint)));
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.map((c: { name: string }) => c.name)).toEqual(['chat-db', 'warehouse', 'bus']);
    } finally {
      await app.close();
      await bus.close();
    }
  });
});
