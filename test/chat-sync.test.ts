// chat-sync on the real Postgres: mart runs built by the real warehouse adapter (landed snapshots,
// merged), applied to a migrated Chat database (docs/architecture.md, "Why it stays correct" 4-7).
// What every sink does is the sink conformance suite's (docs/sinks.md); this file gives it chat-sync's
// harness and keeps what only chat-sync does.
import { randomUUID } from 'node:crypto';
import { createBus } from '@mobius/bus';
import { applyMartRuns, buildApp, createChatStore, handleMartUpdated, type ChatStore } from '@mobius/chat-sync';
import { CHAT_COLUMNS, EVENTS, type PublishedRow } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import { martUpdatedMessage, publishRun, sinkConformance, type SinkFixture } from '@mobius/sink-state/testing';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRow, snapshotOf, withText } from '@mobius/warehouse/testing';
import type pg from 'pg';
import { waitFor } from '@mobius/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const DIMENSIONS = 8;
const logger = createLogger('chat-sync-test', 'silent');

// ---------------------------------------------------------------------------------------------------
// Fixture: a Chat database (whose session time zone is NOT UTC, so a timestamp written without an
// explicit zone would shift) and a warehouse database, both migrated; chat-sync on them.

interface Fixture extends SinkFixture {
  chat: string;
  store: ChatStore;
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
  const store = newStore();
  const apply = (from = warehouse, on = store) => applyMartRuns({ warehouse: from, store: on, logger });
  return {
    chat,
    warehouse,
    store,
    otherWarehouse: () => createWarehouseDatabase(databases, warehouses),
    apply: (from) => apply(from),
    handle: (message) => handleMartUpdated({ warehouse, store, logger })(message),
    anotherInstance() {
      const other = newStore();
      return () => apply(warehouse, other);
    },
    read: () => chatRows(chat),
    async refuseWrites() {
      await queryDatabase(chat, 'ALTER TABLE published_rag_metadata ADD CONSTRAINT test_refuses_writes CHECK (false) NOT VALID');
      return {
        error: { code: 'CHAT_SYNC_FAILED', retryable: true },
        reason: 'test_refuses_writes',
        restore: async () => void (await queryDatabase(chat, 'ALTER TABLE published_rag_metadata DROP CONSTRAINT test_refuses_writes')),
      };
    },
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
function expected(rows: readonly PublishedRow[]): Record<string, unknown>[] {
  return rows.map(({ embedding: _embedding, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function watermark(chat: string): Promise<number | null> {
  const rows = await queryDatabase<{ run: number }>(chat, `SELECT last_mart_run_id::int AS run FROM mobius_sink_state WHERE sink = 'chat-sync'`);
  return rows[0]?.run ?? null;
}

/** Each Chat row's xmin: it changes when the row is rewritten. */
async function rowVersions(chat: string): Promise<Record<string, string>> {
  const rows = await queryDatabase<{ id: string; xmin: string }>(chat, 'SELECT id, xmin::text AS xmin FROM published_rag_metadata ORDER BY id');
  return Object.fromEntries(rows.map((r) => [r.id, r.xmin]));
}

// ---------------------------------------------------------------------------------------------------
// What every sink does (docs/sinks.md), asserted by the sink conformance suite on chat-sync's harness.

sinkConformance('chat-sync', {
  create: createFixture,
  // Timestamps to the microsecond, in a Chat whose session zone is not UTC: all 28 columns must come back equal.
  row,
  expected,
  // Chat holds no embedding: a change of the embedding alone writes nothing. Deletes count as rows written.
  reported: ({ rows, removed }) => ({ rowsWritten: rows + removed }),
  recorded: ({ rows, removed }) => ({ postgres_rows_written: rows + removed, vector_rows_upserted: null }),
});

// ---------------------------------------------------------------------------------------------------
// What only chat-sync does: Chat's documents view, Chat's own columns, no rewrite of an equal row.

describe('chat-sync in Chat', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture();
  });
  afterEach(() => f.close());

  const documentsView = async () =>
    (await queryDatabase(f.chat, 'SELECT document_id FROM published_rag_documents ORDER BY 1')).map((d) => d.document_id);

  it('refreshes published_rag_documents after a run: a published document appears, an unpublished one goes', async () => {
    const [docA, docB] = [randomUUID(), randomUUID()];
    await publishRun(f.warehouse, snapshotOf(docA, 1, [row(docA), row(docA)]), snapshotOf(docB, 1, [row(docB)]));
    await f.apply();
    expect(await documentsView()).toEqual([docA, docB].sort());
    await publishRun(f.warehouse, snapshotOf(docB, 2, []));
    expect(await f.apply()).toMatchObject({ status: 'applied', rowsWritten: 1 });
    expect(await documentsView()).toEqual([docA]);
  });

  it("rewrites no row that did not change (an embedding-only change, a full resync of the same mart) and keeps Chat's own columns", async () => {
    const doc = randomUUID();
    const a = [row(doc), row(doc), row(doc)];
    await publishRun(f.warehouse, snapshotOf(doc, 1, a));
    await f.apply();
    await queryDatabase(f.chat, `UPDATE published_rag_metadata SET verification_tier = 'gold' WHERE id = $1`, [a[1]!.id]);
    const before = await rowVersions(f.chat);
    // a[0] changes only its embedding (the mart reports it; Chat's 28 columns are equal), a[1] its text.
    const a2 = [{ ...a[0]!, embedding: a[0]!.embedding!.map((x) => x / 2) }, withText(a[1]!, 'Revised text.'), a[2]!];
    await publishRun(f.warehouse, snapshotOf(doc, 2, a2));

    expect(await f.apply()).toMatchObject({ status: 'applied', martRowsRead: 2, rowsWritten: 1 });

    expect(await chatRows(f.chat)).toEqual(expected(a2));
    const after = await rowVersions(f.chat);
    expect(after[a[0]!.id]).toBe(before[a[0]!.id]);
    expect(after[a[2]!.id]).toBe(before[a[2]!.id]);
    expect(after[a[1]!.id]).not.toBe(before[a[1]!.id]);
    const tier = await queryDatabase(f.chat, 'SELECT verification_tier FROM published_rag_metadata WHERE id = $1', [a[1]!.id]);
    expect(tier).toEqual([{ verification_tier: 'gold' }]);

    // A full resync against the same mart: equal versions, equal rows, nothing rewritten.
    await f.store.rewind();
    expect(await f.apply()).toMatchObject({ status: 'applied', fromRunId: 0, rowsWritten: 0 });
    expect(await rowVersions(f.chat)).toEqual(after);
    // And a rerun, up to date, touches no row either.
    expect(await f.apply()).toMatchObject({ status: 'up-to-date', rowsWritten: 0 });
    expect(await rowVersions(f.chat)).toEqual(after);
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
      const runId = await publishRun(f.warehouse, snapshotOf(doc, 1, rows));
      await bus.publish({ topic: EVENTS.martUpdated.topic, ...martUpdatedMessage(runId) });
      await waitFor('the watermark to reach the run', async () => (await watermark(f.chat)) === runId, 10_000, 25);
      expect(await chatRows(f.chat)).toEqual(expected(rows));

      const bad = martUpdatedMessage(runId + 1);
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
