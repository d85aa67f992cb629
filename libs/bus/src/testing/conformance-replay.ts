import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Bus, ReplayFrom, SubscribeOptions } from '../types.ts';
import type { ConformanceContext, Scope } from './conformance.ts';
import { Received, TIMINGS, publishBodies } from './harness.ts';

const fast: SubscribeOptions = { ackWaitMs: TIMINGS.ackWaitMs, backoffMs: [...TIMINGS.backoffMs] };

/**
 * Replay, the way `mobius replay` does it: from another bus (another process where the adapter is
 * persistent) while the service's subscriber keeps running; that subscriber must get the replayed
 * messages, and only those from the start point on.
 */
export function registerReplayTests(context: ConformanceContext): void {
  const { capabilities } = context;

  if (capabilities.replayFromBeginning) {
    it('replays a subscription from the beginning to its running subscriber', async () => {
      const { scope, received } = await consumedOnce(context, ['a', 'b', 'c']);
      await replayFromAnother(scope, { kind: 'beginning' });
      await received.atLeast(6, 'the replayed messages');
      await sleep(TIMINGS.quietMs);
      expect(received.bodies()).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
      expect(received.messages.slice(3).map((message) => message.deliveryAttempt)).toEqual([1, 1, 1]);
    });
  }

  if (capabilities.replayFromSequence) {
    it('replays a subscription from a sequence: that message and every later one, nothing earlier', async () => {
      const { scope, received, results } = await consumedOnce(context, ['a', 'b', 'c', 'd', 'e']);
      const sequence = results[2]?.sequence;
      expect(sequence).toBeTypeOf('number');
      await replayFromAnother(scope, { kind: 'sequence', sequence: sequence as number });
      await received.atLeast(8, 'the replayed messages');
      await sleep(TIMINGS.quietMs);
      expect(received.bodies()).toEqual(['a', 'b', 'c', 'd', 'e', 'c', 'd', 'e']);
    });
  }

  if (capabilities.replayFromTime) {
    it('replays a subscription from a time: messages published from then on, nothing earlier', async () => {
      const { scope, received, bus } = await consumedOnce(context, ['old-1', 'old-2']);
      await sleep(50);
      const from = new Date();
      await sleep(50);
      await publishBodies(bus, scope.topic, ['new-1', 'new-2'], { idPrefix: 'later' });
      await received.atLeast(4);
      await replayFromAnother(scope, { kind: 'time', time: from });
      await received.atLeast(6, 'the replayed messages');
      await sleep(TIMINGS.quietMs);
      expect(received.bodies()).toEqual(['old-1', 'old-2', 'new-1', 'new-2', 'new-1', 'new-2']);
    });
  }
}

/** Publishes `bodies`, lets a running subscriber handle and ack them all, and returns it still running. */
async function consumedOnce(context: ConformanceContext, bodies: string[]) {
  const scope = await context.scope();
  const { bus, topic, subscription } = scope;
  const results = await publishBodies(bus, topic, bodies);
  const received = new Received();
  await bus.subscribe(topic, subscription, received.handler(), { ...fast, concurrency: 1 });
  expect(await received.atLeast(bodies.length)).toEqual(bodies);
  return { scope, received, results, bus: bus as Bus };
}

async function replayFromAnother(scope: Scope, from: ReplayFrom): Promise<void> {
  const operator = await scope.another();
  await operator.replay(scope.topic, scope.subscription, from);
}
