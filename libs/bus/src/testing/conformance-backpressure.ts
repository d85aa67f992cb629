import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { SubscribeOptions } from '../types.ts';
import type { ConformanceContext } from './conformance.ts';
import { Received, TIMINGS, bodiesNamed, gate, publishBodies, text, waitFor } from './harness.ts';

const fast: SubscribeOptions = { ackWaitMs: TIMINGS.ackWaitMs, backoffMs: [...TIMINGS.backoffMs] };

/** A subscriber whose handlers are all busy takes no more messages: the rest stay for others. */
export function registerBackpressureTests(context: ConformanceContext): void {
  it('holds at most `concurrency` messages while its handlers block, and finishes them once released', async () => {
    const { bus, topic, subscription } = await context.scope();
    const concurrency = 4;
    const bodies = bodiesNamed('load', concurrency * 4);
    await publishBodies(bus, topic, bodies);

    const blocked = gate();
    const started: string[] = [];
    const finished: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const slow = await bus.subscribe(
      topic,
      subscription,
      async (message) => {
        started.push(text(message));
        maxRunning = Math.max(maxRunning, ++running);
        await blocked.promise;
        running -= 1;
        finished.push(text(message));
      },
      { ...fast, concurrency },
    );
    await waitFor(`${concurrency} handlers blocked`, () => started.length >= concurrency);
    await sleep(TIMINGS.quietMs);
    expect(started).toHaveLength(concurrency);

    // Had the blocked subscriber fetched more than it can handle, the messages it holds would reach
    // another subscriber only after their ack wait, as a second delivery.
    const other = new Received();
    await bus.subscribe(topic, subscription, other.handler(), fast);
    await other.atLeast(bodies.length - concurrency, 'the messages the blocked subscriber left');
    expect(other.messages.map((message) => message.deliveryAttempt)).toEqual(other.messages.map(() => 1));
    expect(started).toHaveLength(concurrency);

    blocked.open();
    await slow.close();
    expect([...finished].sort()).toEqual([...started].sort());
    expect(maxRunning).toBe(concurrency);
    // Acked once handled: nothing comes back after the ack wait.
    await sleep(TIMINGS.ackWaitMs + TIMINGS.quietMs);
    expect([...started, ...other.bodies()].sort()).toEqual([...bodies].sort());
  });
}
