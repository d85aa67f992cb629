import { expect, it } from 'vitest';
import { subscriptionStatsOf } from '../extensions.ts';
import type { Bus, SubscribeOptions } from '../types.ts';
import type { ConformanceContext } from './conformance.ts';
import { Received, TIMINGS, bodiesNamed, gate, publishBodies } from './harness.ts';

const fast: SubscribeOptions = { ackWaitMs: TIMINGS.ackWaitMs, backoffMs: [...TIMINGS.backoffMs] };

function reader(bus: Bus) {
  const stats = subscriptionStatsOf(bus);
  if (!stats) throw new Error('the adapter declared subscription stats but attaches no SubscriptionStatsReader');
  return stats;
}

/** Waits until the stats of the subscription satisfy `accept`; returns them. */
async function statsUntil(bus: Bus, topic: string, subscription: string, accept: (backlog: number) => boolean) {
  const deadline = Date.now() + TIMINGS.waitMs;
  for (;;) {
    const stats = await reader(bus).stats(topic, subscription);
    if (accept(stats.backlog)) return stats;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the backlog of ${subscription}: last ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `subscriptionStatsOf(bus)` (`mobius status`): backlog and the oldest unacked message, seen from another process. */
export function registerSubscriptionStatsTests(context: ConformanceContext): void {
  it('stats: counts what a subscription has not acked, in flight included, and its oldest age; zero once acked', async () => {
    const { bus, topic, subscription, another } = await context.scope();
    const observer = await another();
    expect(await reader(observer).stats(topic, subscription)).toEqual({ backlog: 0, oldestUnackedSeconds: null });

    await publishBodies(bus, topic, bodiesNamed('waiting', 3));
    const waiting = await statsUntil(observer, topic, subscription, (backlog) => backlog === 3);
    expect(waiting.oldestUnackedSeconds).not.toBeNull();
    expect(waiting.oldestUnackedSeconds!).toBeGreaterThanOrEqual(0);
    expect(waiting.oldestUnackedSeconds!).toBeLessThan(60);

    // One message held by its handler: delivered but not acked, so it still counts.
    const hold = gate();
    const received = new Received();
    await bus.subscribe(
      topic,
      subscription,
      received.handler((message) => (message.id === 'm-0' ? hold.promise : Promise.resolve())),
      fast,
    );
    await received.atLeast(3);
    const inFlight = await statsUntil(observer, topic, subscription, (backlog) => backlog === 1);
    expect(inFlight.oldestUnackedSeconds).not.toBeNull();
    hold.open();
    expect(await statsUntil(observer, topic, subscription, (backlog) => backlog === 0)).toEqual({ backlog: 0, oldestUnackedSeconds: null });
  });

  it('stats: a topic nothing was published to, or never created, has no backlog', async () => {
    const { bus } = await context.scope();
    expect(await reader(bus).stats('conformance.never_published', 'nobody')).toEqual({ backlog: 0, oldestUnackedSeconds: null });
  });
}
