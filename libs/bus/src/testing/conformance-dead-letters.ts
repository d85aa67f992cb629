import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidEventError } from '@mobius/contracts';
import { expect, it } from 'vitest';
import { deadLettersOf, type DeadLetterStore } from '../extensions.ts';
import { deadLetterTopicOf } from '../names.ts';
import { DEAD_LETTER_ATTRIBUTES, type Bus } from '../types.ts';
import type { ConformanceContext, Scope } from './conformance.ts';
import { TIMINGS, bytes, randomToken, text } from './harness.ts';

/**
 * The DeadLetterStore extension (`mobius dlq`): dead letters the middleware wrote are data another
 * process can list, count and remove, without consuming them by reading.
 */
export function registerDeadLetterTests(context: ConformanceContext): void {
  it('lists and counts dead letters from another process, oldest first, without consuming them', async () => {
    const scope = await context.scope();
    const { topic, subscription } = scope;
    const empty = storeOf(scope.bus);
    expect(await empty.count(topic, subscription)).toBe(0);
    expect(await empty.list(topic, subscription, 10)).toEqual([]);

    await deadLetter(scope, ['dl-0', 'dl-1', 'dl-2']);
    const operator = storeOf(await scope.another());
    expect(await operator.count(topic, subscription)).toBe(3);
    const listed = await operator.list(topic, subscription, 10);
    expect(listed.map((message) => message.id).sort()).toEqual(['dl-0', 'dl-1', 'dl-2']);
    const times = listed.map((message) => message.publishedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(listed[0]).toMatchObject({ topic: deadLetterTopicOf(topic, subscription), deliveryAttempt: 0 });
    expect(listed.map(text).sort()).toEqual(['body of dl-0', 'body of dl-1', 'body of dl-2']);
    for (const message of listed) {
      expect(message.attributes).toMatchObject({
        custom: 'kept',
        [DEAD_LETTER_ATTRIBUTES.reason]: `refused ${message.id}`,
        [DEAD_LETTER_ATTRIBUTES.code]: 'EVENT_INVALID',
        [DEAD_LETTER_ATTRIBUTES.attempts]: '1',
        [DEAD_LETTER_ATTRIBUTES.originalId]: message.id,
      });
    }

    // Reading consumed nothing: the same dead letters, again, and `limit` applies.
    expect((await operator.list(topic, subscription, 10)).map((message) => message.id).sort()).toEqual(['dl-0', 'dl-1', 'dl-2']);
    expect(await operator.list(topic, subscription, 2)).toHaveLength(2);
    expect(await empty.count(topic, subscription)).toBe(3);
  });

  it('removes dead letters by id for good, whether or not this process listed them first', async () => {
    const scope = await context.scope();
    const { topic, subscription } = scope;
    await deadLetter(scope, ['dl-a', 'dl-b', 'dl-c']);

    const unlisted = storeOf(await scope.another());
    expect(await unlisted.remove(topic, subscription, ['dl-a', `never-${randomToken()}`])).toBe(1);

    const store = storeOf(scope.bus);
    await eventually('dl-a gone', async () => (await store.count(topic, subscription)) === 2);
    expect((await store.list(topic, subscription, 10)).map((message) => message.id).sort()).toEqual(['dl-b', 'dl-c']);
    expect(await store.remove(topic, subscription, ['dl-b'])).toBe(1);
    expect(await store.remove(topic, subscription, ['dl-b'])).toBe(0);
    expect((await store.list(topic, subscription, 10)).map((message) => message.id)).toEqual(['dl-c']);
    expect(await storeOf(await scope.another()).count(topic, subscription)).toBe(1);
  });

  it('reads a subscription that never dead-lettered anything (or does not exist) as empty', async () => {
    const { bus, topic } = await context.scope();
    const store = storeOf(bus);
    const nobody = `nobody-${randomToken()}`;
    expect(await store.list(topic, nobody, 10)).toEqual([]);
    expect(await store.count(topic, nobody)).toBe(0);
    expect(await store.remove(topic, nobody, ['anything'])).toBe(0);
  });
}

function storeOf(bus: Bus): DeadLetterStore {
  const store = deadLettersOf(bus);
  expect(store, 'the adapter attaches a DeadLetterStore').toBeDefined();
  return store as DeadLetterStore;
}

/** Publishes one message per id to a subscriber that refuses each (non-retryable); waits for their dead letters. */
async function deadLetter(scope: Scope, ids: string[]): Promise<void> {
  const { bus, topic, subscription } = scope;
  const refuse = async (message: { id: string }) => {
    throw new InvalidEventError(`refused ${message.id}`);
  };
  const subscriber = await bus.subscribe(topic, subscription, refuse, { ackWaitMs: TIMINGS.ackWaitMs, concurrency: 1 });
  for (const id of ids) {
    await bus.publish({ topic, id, data: bytes(`body of ${id}`), attributes: { custom: 'kept' } });
    // Apart in time, so "oldest first" is observable on backends with millisecond publish times.
    await sleep(5);
  }
  const store = storeOf(bus);
  await eventually(`${ids.length} dead letters`, async () => (await store.count(topic, subscription)) >= ids.length);
  await subscriber.close();
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMINGS.waitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
