import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidEventError } from '@mobius/contracts';
import { expect, it } from 'vitest';
import { validation } from '../middleware/validation.ts';
import { deadLetterTopicOf } from '../names.ts';
import { DEAD_LETTER_ATTRIBUTES, type Message, type SubscribeOptions } from '../types.ts';
import type { ConformanceContext } from './conformance.ts';
import { Received, TIMINGS, bytes, gate, peekAtLeast, text, waitFor } from './harness.ts';

const fast: SubscribeOptions = { ackWaitMs: TIMINGS.ackWaitMs, backoffMs: [...TIMINGS.backoffMs] };

/** A failure a sink reports: retryable, with a stable code. */
class WarehouseDownError extends Error {
  readonly code = 'WAREHOUSE_DOWN';
  readonly retryable = true;
}

/** Redelivery after a nack and after a dead subscriber; dead-lettering after N attempts and at once. */
export function registerFailureTests(context: ConformanceContext): void {
  it('redelivers a rejected message after its backoff, then stops once the handler succeeds', async () => {
    const { bus, topic, subscription } = await context.scope();
    const deliveredAt: number[] = [];
    const received = new Received();
    const handler = received.handler(async (message) => {
      deliveredAt.push(Date.now());
      if (message.deliveryAttempt === 1) throw new WarehouseDownError('warehouse busy');
    });
    await bus.subscribe(topic, subscription, handler, { ...fast, backoffMs: [300] });
    await bus.publish({ topic, id: 'flaky', data: bytes('retry me') });

    await received.atLeast(2);
    await sleep(TIMINGS.quietMs);
    expect(received.messages.map((message) => [text(message), message.deliveryAttempt])).toEqual([
      ['retry me', 1],
      ['retry me', 2],
    ]);
    expect((deliveredAt[1] ?? 0) - (deliveredAt[0] ?? 0)).toBeGreaterThanOrEqual(250);
  });

  it('redelivers to another subscriber, after the ack wait, a message whose subscriber stopped responding', async () => {
    const { bus, topic, subscription } = await context.scope();
    const stuck = gate();
    const dead = new Received();
    const deadSubscriber = await bus.subscribe(
      topic,
      subscription,
      dead.handler(() => stuck.promise),
      {
        ...fast,
        concurrency: 1,
        drainTimeoutMs: 100,
      },
    );
    await bus.publish({ topic, id: 'orphan', data: bytes('held by a dead subscriber') });
    await dead.atLeast(1);
    const heldAt = Date.now();

    const survivor = new Received();
    await bus.subscribe(topic, subscription, survivor.handler(), fast);
    await survivor.atLeast(1, 'the redelivery');
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(TIMINGS.ackWaitMs * 0.8);
    expect(survivor.messages[0]).toMatchObject({ id: 'orphan', deliveryAttempt: 2 });
    await deadSubscriber.close(); // gives up on the hung handler after drainTimeoutMs
    stuck.open();
  });

  it('dead-letters a message that fails maxDeliver times, with reason, attempts and original attributes', async () => {
    const { bus, topic, subscription } = await context.scope();
    const received = new Received();
    const handler = received.handler(async () => {
      throw new WarehouseDownError('warehouse unreachable:\nconnection refused');
    });
    await bus.subscribe(topic, subscription, handler, { ...fast, maxDeliver: 3 });
    const attributes = { 'ce-type': 'mobius.test.v1', 'ce-id': 'evt-7', custom: 'original' };
    await bus.publish({ topic, id: 'evt-7', data: bytes('{"document_id":"d1"}'), attributes });

    const [dead] = (await peekAtLeast(bus, deadLetterTopicOf(topic, subscription), 1)) as [Message];
    expect(text(dead)).toBe('{"document_id":"d1"}');
    expect(dead.id).toBe('evt-7');
    expect(dead.attributes).toEqual({
      ...attributes,
      [DEAD_LETTER_ATTRIBUTES.reason]: 'warehouse unreachable: connection refused',
      [DEAD_LETTER_ATTRIBUTES.code]: 'WAREHOUSE_DOWN',
      [DEAD_LETTER_ATTRIBUTES.attempts]: '3',
      [DEAD_LETTER_ATTRIBUTES.subscription]: subscription,
      [DEAD_LETTER_ATTRIBUTES.originalTopic]: topic,
      [DEAD_LETTER_ATTRIBUTES.originalId]: 'evt-7',
      [DEAD_LETTER_ATTRIBUTES.originalPublishedAt]: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const publishedAt = new Date(dead.attributes[DEAD_LETTER_ATTRIBUTES.originalPublishedAt] ?? '');
    expect(publishedAt.getTime()).toBeLessThanOrEqual(dead.publishedAt.getTime());
    expect(dead.publishedAt.getTime() - publishedAt.getTime()).toBeLessThan(TIMINGS.waitMs);
    await sleep(TIMINGS.quietMs);
    expect(received.messages.map((message) => message.deliveryAttempt)).toEqual([1, 2, 3]);
  });

  it('dead-letters invalid and non-retryable messages at once while valid ones flow on', async () => {
    const { bus, topic, subscription } = await context.scope();
    const decode = (message: Message) => {
      const body = JSON.parse(text(message)) as { n?: unknown };
      if (typeof body.n !== 'number') throw new InvalidEventError('mobius.test.v1: n must be a number');
      return body;
    };
    const received = new Received();
    const handler = received.handler(async (message) => {
      if ((decode(message).n as number) < 0) throw new InvalidEventError('n must not be negative');
    });
    await bus.subscribe(topic, subscription, handler, { ...fast, maxDeliver: 5, middleware: [validation(decode)] });
    const bodies = ['{"n":1}', 'not json', '{"n":"two"}', '{"n":-1}', '{"n":3}'];
    for (const [index, body] of bodies.entries()) await bus.publish({ topic, id: `in-${index}`, data: bytes(body) });

    const dead = await peekAtLeast(bus, deadLetterTopicOf(topic, subscription), 3);
    await waitFor('both valid messages handled', () => received.bodies().includes('{"n":3}'));
    await sleep(TIMINGS.quietMs);
    expect(received.bodies().sort()).toEqual(['{"n":-1}', '{"n":1}', '{"n":3}']);
    const summary = dead.map((message) => ({
      body: text(message),
      code: message.attributes[DEAD_LETTER_ATTRIBUTES.code],
      attempts: message.attributes[DEAD_LETTER_ATTRIBUTES.attempts],
    }));
    expect(summary.sort((a, b) => (a.body < b.body ? -1 : 1))).toEqual([
      { body: 'not json', code: 'MESSAGE_INVALID', attempts: '1' },
      { body: '{"n":"two"}', code: 'EVENT_INVALID', attempts: '1' },
      { body: '{"n":-1}', code: 'EVENT_INVALID', attempts: '1' },
    ]);
    const reasons = dead.map((message) => message.attributes[DEAD_LETTER_ATTRIBUTES.reason]);
    expect(reasons).toEqual(expect.arrayContaining(['mobius.test.v1: n must be a number', 'n must not be negative']));
  });
}
