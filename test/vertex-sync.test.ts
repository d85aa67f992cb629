// vertex-sync on the real Postgres: mart runs built by the real warehouse adapter, applied to the
// memory vector index, with vertex-sync's state in a migrated Chat database (docs/contracts.md, "The vector index";
// docs/architecture.md, "Why it stays correct" 4-7).
import { randomUUID } from 'node:crypto';
import { createBus } from '@mobius/bus';
import { EVENTS, encodeEvent, type PublishedRow } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import { createVectorIndex, scoreFromDistance, type Datapoint, type VectorIndex } from '@mobius/vector-index';
import { applyMartRuns, buildApp, createSinkStore, handleMartUpdated, type SinkStore } from '@mobius/vertex-sync';
import { createWarehouse, type SnapshotToLand, type Warehouse } from '@mobius/warehouse';
import { publishedRow, publishedRows, snapshotOf, withText } from '@mobius/warehouse/testing';
import type pg from 'pg';
import { waitFor } from '@mobius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const logger = createLogger('vertex-sync-test', 'silent');

// ---------------------------------------------------------------------------------------------------
// Fixture: the Chat database vertex-sync keeps its state in, a warehouse, and a memory index.

interface Fixture {
  chat: string;
  dimensions: number;
  warehouse: Warehouse;
  index: VectorIndex;
  store: SinkStore;
  publish(...snapshots: SnapshotToLand[]): Promise<number>;
  otherWarehouse(): Promise<Warehouse>;
  secondStore(): SinkStore;
  close(): Promise<void>;
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
  return {
    chat,
    dimensions,
    warehouse,
    index,
    store: newStore(),
    async publish(...snapshots) {
      await warehouse.landSnapshots(snapshots);
      const run = await warehouse.mergePendingBatches();
      if (!run) throw new Error('the merge found nothing to merge');
      return run.runId;
    },
    otherWarehouse: addWarehouse,
    secondStore: newStore,
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

const apply = (f: Fixture, options: { warehouse?: Warehouse; store?: SinkStore; index?: VectorIndex } = {}) =>
  applyMartRuns({
    warehouse: options.warehouse ?? f.warehouse,
    store: options.store ?? f.store,
    index: options.index ?? f.index,
    dimensions: f.dimensions,
    logger,
  });

const martUpdated = (runId: number) =>
  encodeEvent(EVENTS.martUpdated, { run_id: runId, documents: 1, rows_upserted: 1, rows_tombstoned: 0 }, { id: `mart-run-${runId}` });

// ---------------------------------------------------------------------------------------------------

describe('vertex-sync applies mart runs to the vector index', () => {
  let f: Fixture;
  const docA = randomUUID();
  const docB = randomUUID();
  const a = publishedRows(docA, 3);
  const b = [
    publishedRow(docB, { source_type: 'fact', document_payer: 'Molina', document_state: 'GA', document_program: '' }),
    publishedRow(docB, { document_authority_level: '', document_payer: '' }),
  ];

  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('upserts one datapoint per live row, exactly as the contract defines it', async () => {
    const runId = await f.publish(snapshotOf(docA, 1, a), snapshotOf(docB, 1, b));
    const outcome = await apply(f);
    expect(outcome).toEqual({
      status: 'applied',
      fromRunId: 0,
      toRunId: runId,
      martRowsRead: 5,
      datapointsUpserted: 5,
      datapointsRemoved: 0,
    });
    expect(await indexState(f.index)).toEqual(byId([...a, ...b].map(contractDatapoint)));
    expect(await watermark(f.chat)).toBe(runId);
    expect(await syncRuns(f.chat)).toEqual([
      {
        sink: 'vertex-sync',
        status: 'success',
        mart_rows_read: 5,
        postgres_rows_written: null,
        vector_rows_upserted: 5,
        mart_run_id: runId,
        error_message: null,
      },
    ]);
    // vertex-sync keeps only its state in Chat: it never writes Chat's published rows.
    expect(await queryDatabase(f.chat, 'SELECT id FROM published_rag_metadata')).toEqual([]);
    // What chat's vector search sees: the fact of Molina/GA is its own nearest neighbour, score 1.
    const [hit] = await f.index.findNeighbors({
      featureVector: b[0]!.embedding!,
      neighborCount: 1,
      restricts: [
        { namespace: 'document_payer', allowList: ['Molina'] },
        { namespace: 'source_type', allowList: ['fact'] },
      ],
    });
    expect(hit?.datapointId).toBe(b[0]!.id);
    expect(scoreFromDistance(hit!.distance)).toBeCloseTo(1, 9);
  });

  it('applies a republish and an unpublish: changed rows upserted, tombstoned ids removed', async () => {
    const a2 = [{ ...a[0]!, embedding: a[0]!.embedding!.map((x) => -x) }, withText(a[1]!, 'Revised text.'), publishedRow(docA)];
    const runId = await f.publish(snapshotOf(docA, 2, a2), snapshotOf(docB, 2, []));
    const outcome = await apply(f);
    expect(outcome).toMatchObject({ status: 'applied', toRunId: runId, martRowsRead: 6, datapointsUpserted: 3, datapointsRemoved: 3 });
    expect(await indexState(f.index)).toEqual(byId(a2.map(contractDatapoint)));
    expect(await watermark(f.chat)).toBe(runId);
  });

  it('does nothing on a rerun or a stale event: no index call, no sync_runs row, watermark unchanged', async () => {
    const before = { index: await indexState(f.index), runs: await syncRuns(f.chat), watermark: await watermark(f.chat) };
    expect((await apply(f)).status).toBe('up-to-date');
    const handle = handleMartUpdated({ warehouse: f.warehouse, store: f.store, index: f.index, dimensions: f.dimensions, logger });
    expect((await handle(martUpdated(1))).status).toBe('up-to-date');
    expect(await indexState(f.index)).toEqual(before.index);
    expect(await syncRuns(f.chat)).toEqual(before.runs);
    expect(await watermark(f.chat)).toBe(before.watermark);
  });

  it('refuses a schema-invalid event as not retryable', async () => {
    const handle = handleMartUpdated({ warehouse: f.warehouse, store: f.store, index: f.index, dimensions: f.dimensions, logger });
    const invalid = { data: new TextEncoder().encode(JSON.stringify({ run_id: -1 })), attributes: martUpdated(1).attributes };
    await expect(handle(invalid)).rejects.toMatchObject({ code: 'EVENT_INVALID', retryable: false });
  });

  it('stops at a row the index refuses: not retryable, failure recorded, watermark kept; heals once fixed', async () => {
    const docC = randomUUID();
    const c = publishedRows(docC, 2);
    const runId = await f.publish(snapshotOf(docC, 1, c));
    const before = { index: await indexState(f.index), watermark: await watermark(f.chat) };
    const misconfigured = await createVectorIndex({ kind: 'memory', dimensions: 16 });

    await expect(apply(f, { index: misconfigured })).rejects.toMatchObject({ code: 'VECTOR_EMBEDDING_DIMENSION', retryable: false });

    expect(await misconfigured.listDatapointIds()).toEqual([]);
    expect(await watermark(f.chat)).toBe(before.watermark);
    const failure = (await syncRuns(f.chat)).at(-1);
    expect(failure).toMatchObject({ sink: 'vertex-sync', status: 'failure', mart_run_id: runId, vector_rows_upserted: 0 });
    expect(failure?.error_message).toContain('VECTOR_EMBEDDING_DIMENSION');

    expect(await apply(f)).toMatchObject({ status: 'applied', toRunId: runId, datapointsUpserted: 2 });
    expect(await indexState(f.index)).toEqual(byId([...before.index, ...c.map(contractDatapoint)]));
    await misconfigured.close();
  });

  it('re-applies the index calls idempotently when the commit after them fails', async () => {
    await queryDatabase(
      f.chat,
      `ALTER TABLE sync_runs ADD CONSTRAINT test_refuses_vertex_success
      CHECK (sink IS DISTINCT FROM 'vertex-sync' OR status <> 'success') NOT VALID`,
    );
    const docD = randomUUID();
    const d = publishedRows(docD, 3);
    const runId = await f.publish(snapshotOf(docD, 1, d));
    const before = await watermark(f.chat);

    await expect(apply(f)).rejects.toMatchObject({ code: 'VERTEX_SYNC_FAILED', retryable: true });
    const afterFailure = await indexState(f.index);
    expect(afterFailure.filter((p) => p.crowdingTag.crowdingAttribute === docD)).toEqual(byId(d.map(contractDatapoint)));
    expect(await watermark(f.chat)).toBe(before);
    expect((await syncRuns(f.chat)).at(-1)).toMatchObject({ status: 'failure', mart_run_id: runId, vector_rows_upserted: 3 });

    await queryDatabase(f.chat, 'ALTER TABLE sync_runs DROP CONSTRAINT test_refuses_vertex_success');
    expect(await apply(f)).toMatchObject({ status: 'applied', toRunId: runId, datapointsUpserted: 3 });
    expect(await indexState(f.index)).toEqual(afterFailure);
    expect(await watermark(f.chat)).toBe(runId);
  });
});

describe('vertex-sync version guard', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('never replaces a newer document version with an older one, nor removes by an older tombstone', async () => {
    const doc = randomUUID();
    const v1 = publishedRows(doc, 2);
    const v3 = [withText(v1[0]!, 'version three'), publishedRow(doc)];
    await f.publish(snapshotOf(doc, 1, v1));
    await f.publish(snapshotOf(doc, 3, v3));
    await apply(f);
    const current = await indexState(f.index);
    expect(current).toEqual(byId(v3.map(contractDatapoint)));

    // A mart restored from an older backup: the document at version 1, then unpublished at 2.
    const stale = await f.otherWarehouse();
    await stale.landSnapshots([snapshotOf(doc, 1, [{ ...v3[0]!, embedding: v3[0]!.embedding!.map((x) => x * -2) }, v3[1]!])]);
    await stale.mergePendingBatches();
    await stale.landSnapshots([snapshotOf(doc, 2, [v1[1]!])]);
    await stale.mergePendingBatches();
    await queryDatabase(f.chat, `UPDATE mobius_sink_state SET last_mart_run_id = 0 WHERE sink = 'vertex-sync'`);

    expect(await apply(f, { warehouse: stale })).toMatchObject({ status: 'applied', martRowsRead: 3, datapointsUpserted: 0, datapointsRemoved: 0 });
    expect(await indexState(f.index)).toEqual(current);
  });
});

describe('vertex-sync instances running at once', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('apply each run once into the shared index: one applies, the other finds it done', async () => {
    const docs = [randomUUID(), randomUUID()];
    const rows = docs.flatMap((doc) => publishedRows(doc, 350));
    const runId = await f.publish(...docs.map((doc, i) => snapshotOf(doc, 1, rows.slice(i * 350, (i + 1) * 350), 175)));

    const outcomes = await Promise.all([apply(f), apply(f, { store: f.secondStore() })]);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'up-to-date']);
    expect(outcomes.find((o) => o.status === 'applied')).toMatchObject({ toRunId: runId, martRowsRead: 700, datapointsUpserted: 700 });
    expect(await indexState(f.index)).toEqual(byId(rows.map(contractDatapoint)));
    expect(await syncRuns(f.chat)).toMatchObject([{ status: 'success', vector_rows_upserted: 700, mart_run_id: runId }]);
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
    await f.publish(snapshotOf(doc, 1, rows, 5));
    expect(await apply(f)).toMatchObject({ status: 'applied', datapointsUpserted: 12 });
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
      const runId = await f.publish(snapshotOf(doc, 1, rows));
      await bus.publish({ topic: EVENTS.martUpdated.topic, ...martUpdated(runId) });
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
