// The rag outbox relay against a real Postgres and a real NATS JetStream: every unrelayed
// publish_events row, ours or one the existing app wrote with plain SQL, goes to rag.publish_events
// exactly once and is marked relayed; while the bus is down nothing is marked and the attempts are
// counted, and once the bus is back everything goes out.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus, type Message } from '@mobius/bus';
import { EVENTS, TOPICS, decodeEvent } from '@mobius/contracts';
import { createLogger } from '@mobius/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxRelay, type OutboxRelayOptions } from '../services/rag/src/outbox/relay.ts';
import { createRagTestService, type RagTestService } from '../services/rag/src/testing/harness.ts';
import { createMigratedDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const TOPIC_PREFIX = `rag_outbox_${randomBytes(4).toString('hex')}_`;
const database = uniqueName('rag_outbox');
const logger = createLogger('rag-outbox-test', 'silent');
const TEXT = 'A paragraph that is long enough to be one chunk of its own.\n\nAnd a second paragraph, just as long as the first.';
let rag: RagTestService;
let bus: Bus;

const sql = async (text: string, params: unknown[] = []) => (await rag.pool.query(text, params)).rows;

async function publishedDocument(): Promise<string> {
  const upload = await rag.app.inject({ method: 'POST', url: '/documents', payload: { filename: 'p.md', text: TEXT } });
  const id = upload.json().document_id as string;
  expect((await rag.app.inject({ method: 'POST', url: `/documents/${id}/publish` })).statusCode).toBe(200);
  return id;
}

/** A row as the existing RAG app writes it: only the 8 contract columns, no NOTIFY. */
async function insertLegacyEvent(documentId: string, ageMinutes: number): Promise<string> {
  const id = randomUUID();
  await sql(
    `INSERT INTO publish_events (id, document_id, published_at, published_by, rows_written, notes, verification_passed, verification_message)
     VALUES ($1, $2, (now() AT TIME ZONE 'utc') - make_interval(mins => $3), 'legacy-app', 7, 'n', true, '')`,
    [id, documentId, ageMinutes],
  );
  return id;
}

const unrelayedCount = async () => (await sql('SELECT count(*)::int AS n FROM publish_events WHERE relayed_at IS NULL'))[0]!.n as number;

/** The expected message body of each stored event, from the table itself. */
async function expectedPayloads(ids: string[]) {
  const rows = await sql(
    `SELECT id, document_id, event_type, document_version::int AS document_version, rows_written,
            to_char(published_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS published_at
       FROM publish_events WHERE id = ANY($1::uuid[]) ORDER BY published_at, id`,
    [ids],
  );
  return rows.map((r) => ({
    publish_event_id: r.id,
    document_id: r.document_id,
    event_type: r.event_type,
    document_version: r.document_version,
    published_at: r.published_at,
    rows_written: r.rows_written,
  }));
}

/** Publishes to the real bus and records every publish call, so a second send of an id is visible (the bus would dedupe it). */
function recording(target: Bus): { bus: Bus; sent: string[] } {
  const sent: string[] = [];
  const wrapper = Object.create(target) as Bus;
  wrapper.publish = async (request) => {
    const result = await target.publish(request);
    sent.push(request.id);
    return result;
  };
  return { bus: wrapper, sent };
}

async function topicMessages(from: Bus): Promise<Message[]> {
  return from.peek(TOPICS.ragPublishEvents, 10_000);
}

function relayOptions(over: Partial<OutboxRelayOptions> & { bus: Bus }): OutboxRelayOptions {
  return { store: rag.repository.outbox, logger, pollIntervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200, ...over };
}

beforeAll(async () => {
  await createMigratedDatabase(database, 'rag');
  rag = createRagTestService({ databaseUrl: testDatabaseUrl(database), dimensions: 8 });
  bus = await createBus({ kind: 'nats', natsUrl: NATS_URL, topicPrefix: TOPIC_PREFIX, logger });
});

afterAll(async () => {
  await bus?.close();
  await rag?.close();
  await dropDatabases([database]);
});

describe('outbox relay on NATS', () => {
  it('relays every unrelayed row exactly once, including plain-SQL rows of the existing app, in order', async () => {
    const a = await publishedDocument();
    const b = await publishedDocument();
    expect((await rag.app.inject({ method: 'POST', url: `/documents/${b}/unpublish` })).statusCode).toBe(200);
    const legacyA = await insertLegacyEvent(a, 30);
    const legacyOther = await insertLegacyEvent(randomUUID(), 20);
    const ids = (await sql('SELECT id FROM publish_events')).map((r) => r.id as string);
    expect(ids).toHaveLength(5);

    // Two relays at once, as two rag instances would run: SKIP LOCKED shares the rows between them.
    const recorder = recording(bus);
    const relays = [
      startOutboxRelay(relayOptions({ bus: recorder.bus, batchSize: 2 })),
      startOutboxRelay(relayOptions({ bus: recorder.bus, batchSize: 2 })),
    ];
    await expect.poll(unrelayedCount, { timeout: 10_000 }).toBe(0);
    await Promise.all(relays.map((relay) => relay.stop()));

    expect([...recorder.sent].sort()).toEqual([...ids].sort());
    const messages = await topicMessages(bus);
    expect(messages.map((m) => m.id).sort()).toEqual([...ids].sort());
    const expected = await expectedPayloads(ids);
    const byId = new Map(messages.map((m) => [m.id, m]));
    for (const payload of expected) {
      const message = byId.get(payload.publish_event_id)!;
      expect(decodeEvent(EVENTS.ragPublishEvent, message)).toEqual(payload);
      expect(message.orderingKey).toBe(payload.document_id);
    }
    const legacy = expected.find((p) => p.publish_event_id === legacyA)!;
    expect(legacy).toMatchObject({ event_type: 'published', document_version: null, rows_written: 7 });
    expect(expected.find((p) => p.publish_event_id === legacyOther)!.document_version).toBeNull();
    const ofB = messages.filter((m) => m.orderingKey === b).map((m) => decodeEvent(EVENTS.ragPublishEvent, m).event_type);
    expect(ofB).toEqual(['published', 'unpublished']);
    const state = await sql('SELECT relay_attempts, relay_error FROM publish_events WHERE relayed_at IS NOT NULL');
    expect(state).toHaveLength(5);
    expect(state.every((row) => row.relay_attempts === 0 && row.relay_error === null)).toBe(true);
  });

  it('is woken by the NOTIFY of a publish, long before its next poll', async () => {
    const relay = startOutboxRelay(relayOptions({ bus, pollIntervalMs: 60_000 }));
    try {
      await expect
        .poll(async () => (await sql(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN mobius_outbox'`, [database])).length)
        .toBe(1);
      const before = (await topicMessages(bus)).length;
      const id = await publishedDocument();
      await expect.poll(unrelayedCount, { timeout: 5_000 }).toBe(0);
      const messages = await topicMessages(bus);
      expect(messages).toHaveLength(before + 1);
      expect(messages.at(-1)!.orderingKey).toBe(id);
    } finally {
      await relay.stop();
    }
  });
});

/** A NATS server of this test's own, so it can be stopped and started again on the same port and store. */
class OwnNatsServer {
  private process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  get url() {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], {
      stdio: 'ignore',
    });
    this.process = child;
    await expect.poll(() => portOpen(this.port), { timeout: 10_000 }).toBe(true);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('outbox relay while the bus is down', () => {
  it('marks nothing relayed and counts attempts, then sends everything exactly once when the bus is back', async () => {
    const storeDir = await mkdtemp(join(tmpdir(), 'rag-outbox-nats-'));
    const server = new OwnNatsServer(await freePort(), storeDir);
    await server.start();
    const ownBus = await createBus({ kind: 'nats', natsUrl: server.url, topicPrefix: TOPIC_PREFIX, logger });
    try {
      const doc = await publishedDocument();
      const legacy = await insertLegacyEvent(doc, 5);
      const ids = (await sql('SELECT id FROM publish_events WHERE relayed_at IS NULL')).map((r) => r.id as string);
      expect(ids).toHaveLength(2);
      expect(ids).toContain(legacy);
      await server.stop();

      const relay = startOutboxRelay(relayOptions({ bus: ownBus, publishTimeoutMs: 300 }));
      try {
        const attempts = async () =>
          (await sql('SELECT max(relay_attempts)::int AS n FROM publish_events WHERE id = ANY($1::uuid[])', [ids]))[0]!.n as number;
        await expect.poll(attempts, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
        expect(await unrelayedCount()).toBe(2);
        const [failed] = await sql('SELECT relay_error FROM publish_events WHERE id = $1', [legacy]);
        expect(failed!.relay_error).toMatch(/\S/);

        await server.start();
        await expect.poll(unrelayedCount, { timeout: 20_000 }).toBe(0);
      } finally {
        await relay.stop();
      }
      const messages = await topicMessages(ownBus);
      expect(messages.map((m) => m.id).sort()).toEqual([...ids].sort());
      expect(messages.map((m) => decodeEvent(EVENTS.ragPublishEvent, m).publish_event_id)).toEqual(
        (await expectedPayloads(ids)).map((p) => p.publish_event_id),
      );
    } finally {
      await ownBus.close().catch(() => undefined);
      await server.stop();
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
