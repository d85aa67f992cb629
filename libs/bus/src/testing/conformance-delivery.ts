import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { currentTraceparent } from '../middleware/tracing.ts';
import type { Message, SubscribeOptions } from '../types.ts';
import type { ConformanceContext } from './conformance.ts';
import { Received, TIMINGS, bodiesNamed, bytes, peekAtLeast, publishBodies, text, waitFor } from './harness.ts';

const fast: SubscribeOptions = { ackWaitMs: TIMINGS.ackWaitMs, backoffMs: [...TIMINGS.backoffMs] };

/** Publish/subscribe, dedupe, ordering, competing subscribers, close, persistence, trace context. */
export function registerDeliveryTests(context: ConformanceContext): void {
  it('answers ping while open and refuses it once closed', async () => {
    const { bus } = await context.scope();
    await expect(bus.ping()).resolves.toBeUndefined();
    await bus.close();
    await expect(bus.ping()).rejects.toThrow(/closed/i);
  });

  it('delivers each published message once with its body, id, attributes and ordering key, and acks it', async () => {
    const { bus, topic, subscription } = await context.scope();
    const attributes = { 'ce-type': 'mobius.test.v1', 'ce-source': '/conformance', custom: 'kept as is' };
    const results = await publishBodies(bus, topic, ['first', 'second', 'third'], { idPrefix: 'pub', attributes, orderingKey: () => 'doc-1' });
    expect(results.map((result) => result.duplicate)).toEqual([false, false, false]);

    const received = new Received();
    await bus.subscribe(topic, subscription, received.handler(), fast);
    expect(await received.atLeast(3)).toEqual(['first', 'second', 'third']);
    const [first] = received.messages as [Message];
    expect(first).toMatchObject({ id: 'pub-0', topic, attributes, orderingKey: 'doc-1', deliveryAttempt: 1 });
    expect(Math.abs(first.publishedAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(received.messages.map((message) => message.sequence)).toEqual(results.map((result) => result.sequence));

    // Acked after the handler resolved: nothing comes back once the ack wait has passed.
    await sleep(TIMINGS.ackWaitMs + TIMINGS.quietMs);
    expect(received.bodies()).toEqual(['first', 'second', 'third']);
  });

  if (context.capabilities.dedupe) {
    it('stores and delivers a message id published twice only once', async () => {
      const { bus, topic, subscription } = await context.scope();
      const original = await bus.publish({ topic, id: 'event-42', data: bytes('original') });
      const again = await bus.publish({ topic, id: 'event-42', data: bytes('retried publish') });
      expect([original.duplicate, again.duplicate]).toEqual([false, true]);
      expect(again.sequence).toBe(original.sequence);
      expect((await bus.peek(topic, 10)).map(text)).toEqual(['original']);

      const received = new Received();
      await bus.subscribe(topic, subscription, received.handler(), fast);
      await bus.publish({ topic, id: 'event-43', data: bytes('next') });
      await received.atLeast(2);
      await sleep(TIMINGS.quietMs);
      expect(received.bodies()).toEqual(['original', 'next']);
    });
  }

  if (context.capabilities.ordered) {
    it('handles messages of one ordering key one at a time in publish order, other keys in parallel', async () => {
      const { bus, topic, subscription } = await context.scope();
      const keys = ['doc-a', 'doc-b', 'doc-c'];
      const bodies = Array.from({ length: 24 }, (_, index) => `${keys[index % 3]}:${Math.floor(index / 3)}`);
      await publishBodies(bus, topic, bodies, { orderingKey: (body) => body.split(':')[0] ?? '' });

      const active = new Map<string, number>();
      let running = 0;
      let maxRunning = 0;
      let overlapWithinKey = false;
      const received = new Received();
      const handler = received.handler(async (message) => {
        const key = message.orderingKey ?? '';
        active.set(key, (active.get(key) ?? 0) + 1);
        overlapWithinKey ||= (active.get(key) ?? 0) > 1;
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(Math.floor(Math.random() * 10));
        running -= 1;
        active.set(key, (active.get(key) ?? 1) - 1);
      });
      await bus.subscribe(topic, subscription, handler, { ...fast, concurrency: 4 });
      await received.atLeast(24);
      for (const key of keys) {
        const seen = received.messages.filter((message) => message.orderingKey === key).map(text);
        expect(seen).toEqual(bodies.filter((body) => body.startsWith(`${key}:`)));
      }
      expect(overlapWithinKey).toBe(false);
      expect(maxRunning).toBeGreaterThan(1);
    });
  }

  it('shares one subscription among competing subscribers: each message handled once, none lost', async () => {
    const { bus, topic, subscription, another } = await context.scope();
    const one = new Received();
    const two = new Received();
    const slow = async () => sleep(10);
    await bus.subscribe(topic, subscription, one.handler(slow), { ...fast, concurrency: 2 });
    await (await another()).subscribe(topic, subscription, two.handler(slow), { ...fast, concurrency: 2 });
    const bodies = bodiesNamed('work', 30);
    await publishBodies(bus, topic, bodies);

    await waitFor('all 30 messages handled', () => one.messages.length + two.messages.length >= 30);
    await sleep(TIMINGS.quietMs);
    expect([...one.bodies(), ...two.bodies()].sort()).toEqual([...bodies].sort());
    expect(one.messages.length).toBeGreaterThan(0);
    expect(two.messages.length).toBeGreaterThan(0);
  });

  it('close waits for handlers in flight, acks them, and leaves the rest to the next subscriber', async () => {
    const { bus, topic, subscription } = await context.scope();
    const bodies = bodiesNamed('job', 12);
    await publishBodies(bus, topic, bodies);
    const started: string[] = [];
    const finished: string[] = [];
    const first = await bus.subscribe(
      topic,
      subscription,
      async (message) => {
        started.push(text(message));
        await sleep(150);
        finished.push(text(message));
      },
      { ...fast, concurrency: 3 },
    );
    await waitFor('3 handlers in flight', () => started.length >= 3);
    await first.close();
    expect([...finished].sort()).toEqual([...started].sort());

    const next = new Received();
    await bus.subscribe(topic, subscription, next.handler(), fast);
    await waitFor('the rest handled by the next subscriber', () => finished.length + next.messages.length >= bodies.length);
    await sleep(TIMINGS.quietMs);
    expect(next.bodies().filter((body) => finished.includes(body))).toEqual([]);
    expect([...finished, ...next.bodies()].sort()).toEqual([...bodies].sort());
  });

  it("carries the handled message's traceparent on to the messages its handler publishes", async () => {
    const { bus, topic, subscription } = await context.scope();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const downstream = `${topic}_downstream`;
    let seenInHandler: string | undefined;
    await bus.subscribe(
      topic,
      subscription,
      async (message) => {
        seenInHandler = currentTraceparent();
        await bus.publish({ topic: downstream, id: `after-${message.id}`, data: bytes('derived') });
      },
      fast,
    );
    await bus.publish({ topic, id: 'traced', data: bytes('origin'), attributes: { traceparent } });
    const published = await peekAtLeast(bus, downstream, 1);
    expect(seenInHandler).toBe(traceparent);
    expect(published[0]?.attributes).toEqual({ traceparent });
    expect(currentTraceparent()).toBeUndefined();
  });

  if (context.capabilities.persistent) {
    it('keeps messages published before a restart for the next bus instance', async () => {
      const { bus, topic, subscription, another } = await context.scope();
      await bus.ensureSubscription(topic, subscription);
      await publishBodies(bus, topic, ['before-restart-1', 'before-restart-2']);
      await bus.close();

      const received = new Received();
      await (await another()).subscribe(topic, subscription, received.handler(), fast);
      expect(await received.atLeast(2)).toEqual(['before-restart-1', 'before-restart-2']);
    });
  }
}
