import { describe, expect, it } from 'vitest';
import { latestPointValue, monitoringFilter } from './stats.ts';

describe('Cloud Monitoring stats of a Pub/Sub subscription', () => {
  it('takes the newest point of the answer, int64 or double', () => {
    const answer = {
      timeSeries: [
        {
          points: [
            { interval: { endTime: '2026-01-01T10:02:00Z' }, value: { int64Value: '17' } },
            { interval: { endTime: '2026-01-01T10:01:00Z' }, value: { int64Value: '40' } },
          ],
        },
        { points: [{ interval: { endTime: '2026-01-01T10:00:00Z' }, value: { doubleValue: 3 } }] },
      ],
    };
    expect(latestPointValue(answer)).toBe(17);
  });

  it('has no value when Monitoring returned no point (a new subscription, no permission to see it)', () => {
    expect(latestPointValue({})).toBeUndefined();
    expect(latestPointValue({ timeSeries: [{ points: [] }] })).toBeUndefined();
  });

  it('filters one metric of one subscription by its prefixed id', () => {
    expect(monitoringFilter('pubsub.googleapis.com/subscription/num_undelivered_messages', 't1_chat-sync')).toBe(
      'metric.type = "pubsub.googleapis.com/subscription/num_undelivered_messages" AND resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "t1_chat-sync"',
    );
  });
});
