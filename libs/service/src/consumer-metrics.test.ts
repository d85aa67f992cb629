import { InvalidMessageError, createBus, type Bus } from '@mobius/bus';
import { afterEach, describe, expect, it } from 'vitest';
import { consumerMetrics } from './consumer-metrics.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';

const encoder = new TextEncoder();
let bus: Bus | undefined;

afterEach(async () => {
  await bus?.close();
});

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('consumerMetrics', () => {
  it('counts each delivery by its final outcome, and the lag of the handled ones from their ce-time', async () => {
    bus = await createBus({ kind: 'memory', topicPrefix: 'cm_' });
    const metrics = createMetrics('test');
    let flakyFailed = false;
    await bus.subscribe(
      'rag.publish_events',
      'ingestor',
      async (message) => {
        if (message.id === 'bad') throw new InvalidMessageError('not an event'); // dead-lettered at once
        if (message.id === 'flaky' && !flakyFailed) {
          flakyFailed = true;
          throw new Error('connection reset'); // retryable: redelivered, then handled
        }
      },
      { backoffMs: [10], middleware: [consumerMetrics('ingestor', metrics, createLogger('test', 'silent'))] },
    );
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    for (const id of ['ok', 'flaky', 'bad']) {
      await bus.publish({ topic: 'rag.publish_events', id, data: encoder.encode(id), attributes: { 'ce-time': minuteAgo } });
    }
    const counts = async () =>
      Object.fromEntries((await metrics.messages.get()).values.map((value) => [String(value.labels.outcome), value.value] as const));
    await until(async () => Object.values(await counts()).reduce((sum, n) => sum + n, 0) === 4);
    expect(await counts()).toEqual({ ack: 2, retry: 1, dead_letter: 1 });
    const lag = (await metrics.eventLagSeconds.get()).values;
    expect(lag.find((value) => value.metricName === 'mobius_event_lag_seconds_count')?.value).toBe(2);
    expect(lag.find((value) => value.metricName === 'mobius_event_lag_seconds_sum')?.value).toBeGreaterThanOrEqual(120);
  });
});
