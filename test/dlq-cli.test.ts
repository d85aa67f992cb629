import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServiceBus } from '@mobius/backends';
import type { Bus, Message, Subscriber } from '@mobius/bus';
import { randomToken } from '@mobius/bus/testing';
import { runCli } from '@mobius/cli';
import { loadBusConfig } from '@mobius/config';
import { EVENTS, SUBSCRIPTIONS, decodeEvent, encodeEvent } from '@mobius/contracts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { deleteStreams } from './support/nats.ts';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator } from './support/pubsub-emulator.ts';
import { waitFor } from './support/processes.ts';

// `mobius dlq` on NATS and on the Pub/Sub emulator, against dead letters a real consumer produced:
// chat-sync's subscription on warehouse.mart_updated, consumed in this process through the bus by a
// handler that validates the event as chat-sync does and refuses (not retryable) while "Chat's schema
// is behind", then succeeds once it is "fixed". Each test has its own TOPIC_PREFIX under this file's base.
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const emulatorHost = await ensurePubSubEmulator();
const base = `tdlq${randomToken()}_`;
const { topic, name: subscription } = SUBSCRIPTIONS.chatSync;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

const backends = [
  {
    name: 'NATS',
    env: (prefix: string) => ({ BUS: 'nats', NATS_URL: natsUrl, TOPIC_PREFIX: prefix }),
    describes: /^mobius dlq list: bus nats nats:\/\/\S+ \(topic prefix "tdlq/,
  },
  {
    name: 'Pub/Sub emulator',
    env: (prefix: string) => ({ BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHost, PUBSUB_PROJECT, TOPIC_PREFIX: prefix }),
    describes: new RegExp(`^mobius dlq list: bus pubsub ${PUBSUB_PROJECT} on the emulator ${emulatorHost} \\(topic prefix "tdlq`),
  },
];

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});
afterAll(async () => {
  await deleteStreams(natsUrl, base);
  await deletePubSubResources(base);
});

/** Non-retryable, like a sink whose database lacks a column: dead-lettered at once with this reason. */
class ChatSchemaBehindError extends Error {
  readonly code = 'CHAT_SCHEMA_BEHIND';
  readonly retryable = false;
}

/** The consumer: chat-sync's subscription, refusing every valid event until `fixed`. */
class Consumer {
  fixed = false;
  readonly applied: Message[] = [];

  async start(bus: Bus): Promise<Subscriber> {
    const subscriber = await bus.subscribe(topic, subscription, async (message) => {
      const event = decodeEvent(EVENTS.martUpdated, message);
      if (!this.fixed)
        throw new ChatSchemaBehindError(`chat_schema: column published_rag_metadata.document_authority_level is missing (run ${event.run_id})`);
      this.applied.push(message);
    });
    open.push(subscriber);
    return subscriber;
  }
}

function martUpdated(runId: number) {
  return encodeEvent(
    EVENTS.martUpdated,
    { run_id: runId, documents: 1, rows_upserted: 2, rows_tombstoned: 0 },
    {
      id: `mart-run-${runId}`,
      traceparent: `00-${TRACE}-b7ad6b7169203331-01`,
    },
  );
}

/** A bus and a running consumer on a fresh prefix; `publish` sends mart runs, `schemaInvalid` a broken event. */
async function world(backend: (typeof backends)[number]) {
  // MOBIUS_DATA_DIR: no `mobius dev` there, so only these variables choose the bus.
  const env = { ...backend.env(`${base}${randomToken()}_`), MOBIUS_DATA_DIR: join(tmpdir(), `mobius-dlq-test-${randomToken()}`) };
  const bus = await createServiceBus('test', loadBusConfig('test', env));
  open.push(bus);
  const consumer = new Consumer();
  await consumer.start(bus);
  const cli = (...argv: string[]) => mobius(['dlq', ...argv, '--subscription', subscription], { ...env, USER: 'operator-on-call' });
  const listed = async () => JSON.parse((await cli('list', '--json')).stdout) as { id: string; reason: string; attempts: number; code: string }[];
  return {
    env,
    bus,
    consumer,
    cli,
    listed,
    publish: async (...runIds: number[]) => {
      for (const runId of runIds) await bus.publish({ topic, ...martUpdated(runId) });
    },
    schemaInvalid: async (id: string) => {
      const { attributes } = martUpdated(999);
      await bus.publish({ topic, id, data: new TextEncoder().encode('{"run_id":"seven"}'), attributes: { ...attributes, 'ce-id': id } });
    },
    deadLetters: (count: number) => waitFor(`${count} dead letters`, async () => (await listed()).length === count, 20_000, 200),
  };
}

describe.each(backends)('mobius dlq on $name', (backend) => {
  it('lists what a consumer dead-lettered (table and --json), filters by id, reason and age, and shows one', async () => {
    const w = await world(backend);
    await w.publish(1, 2);
    await w.schemaInvalid('broken-1');
    await w.deadLetters(3);

    const table = await w.cli('list');
    expect(table.code).toBe(0);
    expect(table.err[0]).toMatch(backend.describes);
    expect(table.err[0]).toContain(`(topic prefix "${w.env.TOPIC_PREFIX}"), dead letters ${w.env.TOPIC_PREFIX}warehouse.mart_updated.dlq.chat-sync`);
    expect(table.out[0]).toMatch(/^ID\s+ATTEMPTS\s+FIRST FAILURE\s+LAST FAILURE\s+TRACE ID\s+BYTES\s+REASON$/);
    expect(
      table.out
        .slice(1)
        .map((line) => line.split(/\s+/)[0])
        .sort(),
    ).toEqual(['broken-1', 'mart-run-1', 'mart-run-2']);
    const runLine = table.out.find((line) => line.startsWith('mart-run-1'))!;
    expect(runLine).toContain(TRACE);
    expect(runLine).toContain('CHAT_SCHEMA_BEHIND: chat_schema: column published_rag_metadata.document_authority_level is missing (run 1)');

    const all = await w.listed();
    expect(all.find((d) => d.id === 'broken-1')).toMatchObject({ code: 'EVENT_INVALID', attempts: 1, reason: expect.stringContaining('run_id') });
    expect(all.find((d) => d.id === 'mart-run-2')).toMatchObject({
      code: 'CHAT_SCHEMA_BEHIND',
      attempts: 1,
      trace_id: TRACE,
      size_bytes: expect.any(Number),
    });
    for (const d of all as unknown as { first_failure_at: string; last_failure_at: string }[]) {
      expect(Date.parse(d.first_failure_at)).toBeLessThanOrEqual(Date.parse(d.last_failure_at));
    }

    const ids = async (...filters: string[]) =>
      JSON.parse((await w.cli('list', '--json', ...filters)).stdout)
        .map((d: { id: string }) => d.id)
        .sort();
    expect(await ids('--reason-like', 'COLUMN PUBLISHED_RAG')).toEqual(['mart-run-1', 'mart-run-2']);
    expect(await ids('--reason-like', 'event_invalid')).toEqual(['broken-1']);
    expect(await ids('--id', 'mart-run-2')).toEqual(['mart-run-2']);
    expect(await ids('--since', '1h')).toEqual(['broken-1', 'mart-run-1', 'mart-run-2']);
    await sleep(1_500);
    expect(await ids('--since', '1s')).toEqual([]);
    expect((await w.cli('list', '--since', '1s')).stdout).toBe('none of the 3 dead letters matches');

    const shown = await w.cli('show', '--id', 'mart-run-1');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('reason:         CHAT_SCHEMA_BEHIND: chat_schema: column');
    expect(shown.stdout).toMatch(/mobius-dlq-original-topic\s+warehouse\.mart_updated/);
    expect(shown.stdout).toMatch(/ce-type\s+com\.mobius\.warehouse\.mart_updated\.v1/);
    expect(shown.stdout).toContain('"run_id": 1');
    const missing = await w.cli('show', '--id', 'mart-run-404');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no dead letter with id mart-run-404')]);
    const bad = await w.cli('list', '--since', 'yesterday');
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('--since must be a duration like 30m, 2h or 1d')]);

    // Reading consumed nothing.
    expect((await w.listed()).length).toBe(3);
  });

  it('redrives to the topic with fresh ids once the consumer is fixed: it handles them, their dead letters are gone; --dry-run moves nothing', async () => {
    const w = await world(backend);
    await w.publish(11, 12, 13);
    await w.schemaInvalid('broken-2');
    await w.deadLetters(4);

    const dry = await w.cli('redrive', '--reason-like', 'chat_schema', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out.sort()).toEqual([11, 12, 13].map((run) => `would redrive mart-run-${run} (CHAT_SCHEMA_BEHIND) to ${topic}`));
    expect(dry.stderr).toContain('nothing moved');
    await sleep(1_000);
    expect((await w.listed()).length).toBe(4);
    expect(w.consumer.applied).toEqual([]);

    w.consumer.fixed = true;
    const startedAt = Date.now();
    const moved = await w.cli('redrive', '--reason-like', 'chat_schema', '--rate', '10', '--by', 'alice');
    expect(moved.code).toBe(0);
    // At most 10 a second: the third leaves 200 ms after the first.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
    expect(moved.out).toHaveLength(3);
    for (const line of moved.out) expect(line).toMatch(/^redriven (mart-run-1[123]) -> warehouse\.mart_updated as \1~redrive-\d+ by alice$/);
    expect(moved.stderr).toContain('redriven 3 of 3 dead letters of chat-sync');

    await waitFor('the redriven runs handled', async () => w.consumer.applied.length === 3, 20_000);
    const handled = w.consumer.applied.map((message) => ({
      id: message.id,
      from: message.attributes['mobius-redriven-from'],
      by: message.attributes['mobius-redriven-by'],
    }));
    expect(handled.map((h) => h.from).sort()).toEqual(['mart-run-11', 'mart-run-12', 'mart-run-13']);
    for (const h of handled) {
      expect(h.by).toBe('alice');
      expect(h.id).toMatch(new RegExp(`^${h.from}~redrive-\\d+$`));
    }
    const first = w.consumer.applied[0]!;
    expect(Date.parse(first.attributes['mobius-redriven-at']!)).toBeGreaterThanOrEqual(startedAt - 1_000);
    expect(first.attributes.traceparent).toContain(TRACE);
    expect(Object.keys(first.attributes).filter((name) => name.startsWith('mobius-dlq-'))).toEqual([]);

    // Only the schema-invalid event is left, and nothing comes back.
    expect((await w.listed()).map((d) => d.id)).toEqual(['broken-2']);
    await sleep(1_000);
    expect(w.consumer.applied).toHaveLength(3);
    expect((await w.cli('redrive', '--reason-like', 'chat_schema')).stdout).toBe('nothing to redrive');
  });

  it('purges only after a confirmation: refuses without --yes when stdin is no terminal, asks on one, removes with --yes', async () => {
    const w = await world(backend);
    await w.schemaInvalid('broken-3');
    await w.schemaInvalid('broken-4');
    await w.publish(21);
    await w.deadLetters(3);

    const refused = await w.cli('purge', '--reason-like', 'event_invalid');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('purge removes 2 dead letters of chat-sync for good: confirm with --yes');

    const questions: string[] = [];
    const onTerminal = (answer: string, ...filters: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io = {
        env: { ...w.env },
        out: (line: string) => out.push(line),
        err: (line: string) => err.push(line),
        ask: async (q: string) => {
          questions.push(q);
          return answer;
        },
      };
      return runCli(['dlq', 'purge', '--subscription', subscription, ...filters], io).then((code) => ({ code, out, err }));
    };
    const declined = await onTerminal('no', '--reason-like', 'event_invalid');
    expect([declined.code, declined.err.at(-1)]).toEqual([1, 'mobius: error: DLQ_INPUT: purge cancelled: nothing removed']);
    expect(questions).toEqual(['remove 2 dead letters of chat-sync for good? type "yes" to confirm: ']);
    expect((await w.listed()).length).toBe(3);

    const dry = await w.cli('purge', '--id', 'broken-3', '--dry-run');
    expect([dry.code, dry.stdout]).toEqual([0, 'would purge broken-3 (EVENT_INVALID)']);
    const confirmed = await onTerminal('yes', '--id', 'broken-3');
    expect([confirmed.code, confirmed.out]).toEqual([0, ['purged 1 dead letter of chat-sync']]);
    expect((await w.listed()).map((d) => d.id).sort()).toEqual(['broken-4', 'mart-run-21']);

    // The real CLI process, stdin not a terminal: refuses, and says how to go on.
    const child = await runProcess(['dlq', 'purge', '--subscription', subscription], w.env);
    expect(child.code).toBe(1);
    expect(child.stderr).toContain('confirm with --yes (stdin is not a terminal to ask on)');

    const purged = await w.cli('purge', '--yes');
    expect([purged.code, purged.stdout]).toEqual([0, 'purged 2 dead letters of chat-sync']);
    expect(await w.listed()).toEqual([]);
    expect((await w.cli('list')).stdout).toBe('no dead letters');
  });
});

/** `mobius ...` as its own process with stdin from /dev/null; resolves with its exit code and stderr. */
function runProcess(argv: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/mobius.js', ...argv], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}
