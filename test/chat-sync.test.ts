// chat-sync on the real Postgres: mart runs built by the real warehouse adapter (landed snapshots,
// merged), applied to a migrated Chat database (docs/architecture.md, "Why it stays correct" 4-7).
import { randomUUID } from 'node:crypto';
import { createBus } from '@mobius/bus';
import { applyMartRuns, buildApp, createChatStore, handleMartUpdated, type ChatStore } from '@mobius/chat-sync';
import { CHAT_COLUMNS, EVENTS, encodeEvent, type PublishedRow } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import { createWarehouse, type SnapshotToLand, type Warehouse } from '@mobius/warehouse';
import { publishedRow, publishedRows, snapshotOf, withText } from '@mobius/warehouse/testing';
import type pg from 'pg';
import { waitFor } from '@mobius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 8;
const logger = createLogger('chat-sync-test', 'silent');

// ---------------------------------------------------------------------------------------------------
// Fixture: a Chat database (whose session time zone is NOT UTC, so a timestamp written without an
// explicit zone would shift) and a warehouse database, both migrated.

interface Fixture {
  chat: string;
  warehouse: Warehouse;
  pools: pg.Pool[];
  store: ChatStore;
  /** Lands the snapshots and merges them as one mart run; returns its id. */
  publish(...snapshots: SnapshotToLand[]): Promise<number>;
  /** Another warehouse database (a stale copy of the mart, say). */
  otherWarehouse(): Promise<Warehouse>;
  /** A second store on its own pool: another chat-sync instance. */
  secondStore(): ChatStore;
  close(): Promise<void>;
}

async function createWarehouseDatabase(databases: string[], warehouses: Warehouse[]): Promise<Warehouse> {
  const name = uniqueName('csync_wh');
  databases.push(name);
  await createMigratedDatabase(name, 'warehouse');
  const warehouse = await createWarehouse({ kind: 'postgres', databaseUrl: testDatabaseUrl(name), embeddingDimensions: DIMENSIONS });
  warehouses.push(warehouse);
  return warehouse;
}

async function createFixture(): Promise<Fixture> {
  const databases: string[] = [];
  const warehouses: Warehouse[] = [];
  const chat = uniqueName('csync_chat');
  databases.push(chat);
  await createMigratedDatabase(chat, 'chat');
  await queryDatabase('postgres', `ALTER DATABASE "${chat}" SET timezone TO 'America/New_York'`);
  const warehouse = await createWarehouseDatabase(databases, warehouses);
  const pools: pg.Pool[] = [];
  const newStore = () => {
    const pool = createPool(testDatabaseUrl(chat), { applicationName: 'chat-sync-test', max: 3 });
    pools.push(pool);
    return createChatStore(pool);
  };
  return {
    chat,
    warehouse,
    pools,
    store: newStore(),
    async publish(...snapshots) {
      await warehouse.landSnapshots(snapshots);
      const run = await warehouse.mergePendingBatches();
      if (!run) throw new Error('the merge found nothing to merge');
      return run.runId;
    },
    otherWarehouse: () => createWarehouseDatabase(databases, warehouses),
    secondStore: newStore,
    async close() {
      for (const pool of pools) await pool.end();
      for (const w of warehouses) await w.close();
      await dropDatabases(databases);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Rows and reads.

let sequence = 0;
/** A 6-digit fraction ending in `last` (so Postgres prints all six digits). */
const micros = (last: number) => `${String(++sequence % 100_000).padStart(5, '0')}${last}`;

/** A published row whose timestamps differ per row, to the microsecond. */
function row(documentId: string, overrides: Partial<PublishedRow> = {}): PublishedRow {
  return publishedRow(
    documentId,
    {
      created_at: `2026-01-02 03:04:05.${micros(7)}`,
      updated_at: `2026-02-03 04:05:06.${micros(3)}`,
      document_created_at: `2025-12-31 23:59:59.${micros(1)}`,
      ...overrides,
    },
    DIMENSIONS,
  );
}

/** Chat's rows in the contract's 28 columns, timestamps read back as UTC text (microseconds kept). */
async function chatRows(chat: string): Promise<Record<string, unknown>[]> {
  const select = CHAT_COLUMNS.map((c) => (c.kind === 'timestamp' ? `(${c.name} AT TIME ZONE 'UTC')::text AS ${c.name}` : `"${c.name}"`)).join(', ');
  return queryDatabase(chat, `SELECT ${select} FROM published_rag_metadata ORDER BY id`);
}

/** What Chat must hold for these rows: every column but the embedding, ordered by id. */
function expected(rows: PublishedRow[]): Record<string, unknown>[] {
  return rows.map(({ embedding: _embedding, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function watermark(chat: string): Promise<number | null> {
  const rows = await queryDatabase<{ run: number }>(chat, `SELECT last_mart_run_id::int AS run FROM mobius_sink_state WHERE sink = 'chat-sync'`);
  return rows[0]?.run ?? null;
}

async function syncRuns(chat: string) {
  return queryDatabase(
    chat,
    `SELECT sink, status, mart_rows_read, postgres_rows_written, vector_rows_upserted, mart_run_id::int AS mart_run_id,
            error_message, finished_at >= started_at AS finished_after_start
       FROM sync_runs ORDER BY finished_at`,
  );
}

async function rowVersions(chat: string): Promise<Record<string, string>> {
  const rows = await queryDatabase<{ id: string; xmin: string }>(chat, 'SELECT id, xmin::text AS xmin FROM published_rag_metadata ORDER BY id');
  return Object.fromEntries(rows.map((r) => [r.id, r.xmin]));
}

const apply = (f: Fixture, warehouse = f.warehouse, store = f.store) => applyMartRuns({ warehouse, store, logger });

const martUpdated = (runId: number) =>
  encodeEvent(EVENTS.martUpdated, { run_id: runId, documents: 1, rows_upserted: 1, rows_tombstoned: 0 }, { id: `mart-run-${runId}` });

// ---------------------------------------------------------------------------------------------------

describe('chat-sync applies mart runs to Chat', () => {
  let f: Fixture;
  const docA = randomUUID();
  const docB = randomUUID();
  const a = [
    row(docA, { document_reviewed_at: '2026-01-05 06:07:08.901234', document_reviewed_by: 'reviewer@mobius' }),
    row(docA, { page_number: 2, paragraph_index: 0 }),
    row(docA, { page_number: 2, paragraph_index: 1, section_path: '' }),
  ];
  const b = [
    row(docB, { source_type: 'fact', document_payer: 'Molina', document_state: 'GA', document_program: '' }),
    row(docB, { model: null, document_created_at: null }),
  ];

  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('copies every live mart row: all 28 columns equal, timestamps to the microsecond as UTC', async () => {
    const runId = await f.publish(snapshotOf(docA, 1, a), snapshotOf(docB, 1, b));
    const outcome = await apply(f);
    expect(outcome).toEqual({ status: 'applied', fromRunId: 0, toRunId: runId, martRowsRead: 5, rowsWritten: 5 });
    expect(await chatRows(f.chat)).toEqual(expected([...a, ...b]));
    expect(await watermark(f.chat)).toBe(runId);
    expect(await syncRuns(f.chat)).toEqual([
      {
        sink: 'chat-sync',
        status: 'success',
        mart_rows_read: 5,
        postgres_rows_written: 5,
        vector_rows_upserted: null,
        mart_run_id: runId,
        error_message: null,
        finished_after_start: true,
      },
    ]);
    const versions = await queryDatabase(
      f.chat,
      `SELECT document_id, document_version::int AS v FROM mobius_document_versions WHERE sink = 'chat-sync' ORDER BY 1`,
    );
    expect(versions).toEqual(
      [
        { document_id: docA, v: 1 },
        { document_id: docB, v: 1 },
      ].sort((x, y) => (x.document_id < y.document_id ? -1 : 1)),
    );
    const documents = await queryDatabase(f.chat, 'SELECT document_id FROM published_rag_documents ORDER BY 1');
    expect(documents.map((d) => d.document_id)).toEqual([docA, docB].sort());
  });

  it('applies a republish and an unpublish: changes written, tombstoned ids deleted, unchanged rows not rewritten', async () => {
    // a[0] changes only its embedding (the mart reports it; Chat's 28 columns are equal), a[1] its text,
    // a[2] is dropped, a new row joins; docB is unpublished. Chat's own columns must survive an update.
    const a2 = [{ ...a[0]!, embedding: a[0]!.embedding!.map((x) => x / 2) }, withText(a[1]!, 'Revised text.'), row(docA)];
    await queryDatabase(f.chat, `UPDATE published_rag_metadata SET verification_tier = 'gold' WHERE id = $1`, [a[1]!.id]);
    const before = await rowVersions(f.chat);
    const runId = await f.publish(snapshotOf(docA, 2, a2), snapshotOf(docB, 2, []));

    const outcome = await apply(f);

    expect(outcome).toMatchObject({ status: 'applied', toRunId: runId, martRowsRead: 6, rowsWritten: 5 });
    expect(await chatRows(f.chat)).toEqual(expected(a2));
    expect((await rowVersions(f.chat))[a[0]!.id]).toBe(before[a[0]!.id]);
    const tier = await queryDatabase(f.chat, 'SELECT verification_tier FROM published_rag_metadata WHERE id = $1', [a[1]!.id]);
    expect(tier).toEqual([{ verification_tier: 'gold' }]);
    expect((await queryDatabase(f.chat, 'SELECT document_id FROM published_rag_documents')).map((d) => d.document_id)).toEqual([docA]);
    expect(await watermark(f.chat)).toBe(runId);
  });

  it('does nothing on a rerun: no write, no sync_runs row, watermark unchanged', async () => {
    const before = { rows: await rowVersions(f.chat), runs: await syncRuns(f.chat), watermark: await watermark(f.chat) };
    const outcome = await apply(f);
    expect(outcome).toEqual({ status: 'up-to-date', fromRunId: before.watermark, toRunId: before.watermark, martRowsRead: 0, rowsWritten: 0 });
    expect(await rowVersions(f.chat)).toEqual(before.rows);
    expect(await syncRuns(f.chat)).toEqual(before.runs);
    expect(await watermark(f.chat)).toBe(before.watermark);
  });

  it('treats mart_updated as a trigger only: a stale event applies every run not yet applied', async () => {
    const docC = randomUUID();
    const c1 = [row(docC), row(docC)];
    const c2 = [withText(c1[0]!, 'second version'), row(docC)];
    const first = await f.publish(snapshotOf(docC, 1, c1));
    const second = await f.publish(snapshotOf(docC, 2, c2));
    expect(second).toBe(first + 1);
    const handle = handleMartUpdated({ warehouse: f.warehouse, store: f.store, logger });
    const outcome = await handle(martUpdated(1));
    expect(outcome).toMatchObject({ status: 'applied', toRunId: second });
    const rows = await chatRows(f.chat);
    expect(rows.filter((r) => r.document_id === docC)).toEqual(expected(c2));
    expect((await handle(martUpdated(second))).status).toBe('up-to-date');
  });

  it('refuses a schema-invalid or foreign event as not retryable, writing nothing', async () => {
    const handle = handleMartUpdated({ warehouse: f.warehouse, store: f.store, logger });
    const valid = martUpdated(1);
    const runs = await syncRuns(f.chat);
    const invalid = { data: new TextEncoder().encode(JSON.stringify({ run_id: 'one' })), attributes: valid.attributes };
    await expect(handle(invalid)).rejects.toMatchObject({ code: 'EVENT_INVALID', retryable: false });
    const foreign = { data: valid.data, attributes: { ...valid.attributes, 'ce-type': EVENTS.landingIngested.type } };
    await expect(handle(foreign)).rejects.toMatchObject({ code: 'EVENT_INVALID', retryable: false });
    expect(await syncRuns(f.chat)).toEqual(runs);
  });

  it('rolls a failed run back entirely, records a failure row, keeps the watermark, and heals on the next trigger', async () => {
    await queryDatabase(
      f.chat,
      `ALTER TABLE published_rag_metadata ADD CONSTRAINT test_refuses_poison CHECK (text IS DISTINCT FROM 'poison') NOT VALID`,
    );
    const docD = randomUUID();
    const d = [row(docD), row(docD, { text: 'poison' }), row(docD)];
    const before = { rows: await chatRows(f.chat), watermark: await watermark(f.chat) };
    const runId = await f.publish(snapshotOf(docD, 1, d));

    await expect(apply(f)).rejects.toMatchObject({ code: 'CHAT_SYNC_FAILED', retryable: true });

    expect(await chatRows(f.chat)).toEqual(before.rows);
    expect(await watermark(f.chat)).toBe(before.watermark);
    const failure = (await syncRuns(f.chat)).at(-1);
    expect(failure).toMatchObject({ sink: 'chat-sync', status: 'failure', mart_run_id: runId, postgres_rows_written: 0 });
    expect(failure?.error_message).toContain('test_refuses_poison');

    await queryDatabase(f.chat, 'ALTER TABLE published_rag_metadata DROP CONSTRAINT test_refuses_poison');
    expect(await apply(f)).toMatchObject({ status: 'applied', toRunId: runId, rowsWritten: 3 });
    expect((await chatRows(f.chat)).filter((r) => r.document_id === docD)).toEqual(expected(d));
    expect(await watermark(f.chat)).toBe(runId);
  });
});

describe('chat-sync version guard', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('never replaces a newer document version with an older one, nor deletes by an older tombstone', async () => {
    const doc = randomUUID();
    const v1 = [row(doc), row(doc)];
    const v3 = [withText(v1[0]!, 'version three'), row(doc)];
    await f.publish(snapshotOf(doc, 1, v1));
    await f.publish(snapshotOf(doc, 3, v3));
    await apply(f);
    expect(await chatRows(f.chat)).toEqual(expected(v3));

    // A mart restored from an older backup holds the document at versions 1 and 2: v1's rows, then an
    // unpublish at 2 that tombstones them. A full resync (watermark back to 0) reads them all.
    const stale = await f.otherWarehouse();
    await stale.landSnapshots([snapshotOf(doc, 1, [withText(v3[0]!, 'older text'), v3[1]!, row(doc)])]);
    await stale.mergePendingBatches();
    await stale.landSnapshots([snapshotOf(doc, 2, [v1[1]!])]);
    await stale.mergePendingBatches();
    await queryDatabase(f.chat, `UPDATE mobius_sink_state SET last_mart_run_id = 0 WHERE sink = 'chat-sync'`);
    const before = await rowVersions(f.chat);

    const outcome = await apply(f, stale);

    expect(outcome).toMatchObject({ status: 'applied', martRowsRead: 4, rowsWritten: 0 });
    expect(await chatRows(f.chat)).toEqual(expected(v3));
    expect(await rowVersions(f.chat)).toEqual(before);
    const version = await queryDatabase(f.chat, 'SELECT document_version::int AS v FROM mobius_document_versions WHERE document_id = $1', [doc]);
    expect(version).toEqual([{ v: 3 }]);
  });

  it('rewrites nothing on a full resync against the same mart (equal versions, equal rows)', async () => {
    const before = await rowVersions(f.chat);
    await queryDatabase(f.chat, `UPDATE mobius_sink_state SET last_mart_run_id = 0 WHERE sink = 'chat-sync'`);
    const outcome = await apply(f);
    expect(outcome).toMatchObject({ status: 'applied', fromRunId: 0, rowsWritten: 0 });
    expect(await rowVersions(f.chat)).toEqual(before);
  });
});

describe('chat-sync instances running at once', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('apply each run once: one instance applies, the other finds it done; same state as one instance', async () => {
    const docs = [randomUUID(), randomUUID(), randomUUID()];
    const rows = docs.flatMap((doc) => publishedRows(doc, 400, DIMENSIONS));
    const runId = await f.publish(...docs.map((doc, i) => snapshotOf(doc, 1, rows.slice(i * 400, (i + 1) * 400), 200)));
    const other = f.secondStore();

    const outcomes = await Promise.all([apply(f), apply(f, f.warehouse, other)]);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'up-to-date']);
    expect(outcomes.find((o) => o.status === 'applied')).toMatchObject({ martRowsRead: 1200, rowsWritten: 1200, toRunId: runId });
    expect(await chatRows(f.chat)).toEqual(expected(rows));
    expect(await syncRuns(f.chat)).toMatchObject([{ status: 'success', mart_rows_read: 1200, postgres_rows_written: 1200 }]);

    // Again with a republish of one document: still one run applied once.
    const changed = rows.slice(0, 400).map((r, i) => (i % 2 === 0 ? withText(r, `edited ${i}`) : r));
    const next = await f.publish(snapshotOf(docs[0]!, 2, changed, 200));
    const again = await Promise.all([apply(f, f.warehouse, other), apply(f)]);
    expect(again.map((o) => o.status).sort()).toEqual(['applied', 'up-to-date']);
    expect(await chatRows(f.chat)).toEqual(expected([...changed, ...rows.slice(400)]));
    const runs = await syncRuns(f.chat);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ status: 'success', mart_run_id: next, mart_rows_read: 200, postgres_rows_written: 200 });
  });
});

describe('chat-sync service', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(() => f.close());

  it('consumes warehouse.mart_updated: Chat catches up; an invalid event is dead-lettered with its reason', async () => {
    const bus = await createBus({ kind: 'memory', topicPrefix: '' });
    const app = buildApp({ store: f.store, warehouse: f.warehouse, bus, logger, metrics: createMetrics('chat-sync-test') });
    try {
      await app.ready();
      const doc = randomUUID();
      const rows = [row(doc), row(doc)];
      const runId = await f.publish(snapshotOf(doc, 1, rows));
      await bus.publish({ topic: EVENTS.martUpdated.topic, ...martUpdated(runId) });
      await waitFor('the watermark to reach the run', async () => (await watermark(f.chat)) === runId, 10_000, 25);
      expect(await chatRows(f.chat)).toEqual(expected(rows));

      const bad = martUpdated(runId + 1);
      await bus.publish({ topic: EVENTS.martUpdated.topic, id: 'bad-1', data: new TextEncoder().encode('{}'), attributes: bad.attributes });
      const dlq = `${EVENTS.martUpdated.topic}.dlq.chat-sync`;
      await waitFor('one message in the dead-letter topic', async () => (await bus.peek(dlq, 10)).length === 1, 10_000, 25);
      const [dead] = await bus.peek(dlq, 10);
      expect(dead?.attributes['mobius-dlq-code']).toBe('EVENT_INVALID');
    } finally {
      await app.close();
      await bus.close();
    }
  });

  it('answers /readyz 200 when Chat and the warehouse answer, 503 naming the Chat database when it does not', async () => {
    const bus = await createBus({ kind: 'memory', topicPrefix: '' });
    const missing = createPool(testDatabaseUrl(uniqueName('csync_missing')), { applicationName: 'chat-sync-test', max: 1 });
    const up = buildApp({ store: f.store, warehouse: f.warehouse, bus, logger, metrics: createMetrics('chat-sync-test') });
    const down = buildApp({ store: createChatStore(missing), warehouse: f.warehouse, bus, logger, metrics: createMetrics('chat-sync-test') });
    try {
      const ready = await up.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.map((c: { name: string }) => c.name)).toEqual(['chat-db', 'warehouse', 'bus']);
      const notReady = await down.inject('/readyz');
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().checks).toContainEqual(expect.objectContaining({ name: 'chat-db', ok: false }));
      expect(notReady.json().checks).toContainEqual({ name: 'warehouse', ok: true });
    } finally {
      await up.close();
      await down.close();
      await bus.close();
      await missing.end();
    }
  });
});
