import { describe, expect, it } from 'vitest';
import type { Message } from '@mobius/bus';
import { matches, parseDuration, viewOf } from './dead-letter-view.ts';
import { progressReporter, redriveRequest } from './redrive.ts';

const deadLetter = (attributes: Record<string, string>, id = 'run-7'): Message => ({
  id,
  topic: 'warehouse.mart_updated.dlq.chat-sync',
  data: new TextEncoder().encode('{"run_id":7}'),
  attributes,
  deliveryAttempt: 0,
  publishedAt: new Date('2026-01-02T03:04:05.678Z'),
});

describe('dead letters as mobius dlq shows them', () => {
  it("explain a dead letter forwarded by Pub/Sub's own dead-letter policy, which carries no mobius-dlq-* reason", () => {
    const view = viewOf(
      deadLetter({ CloudPubSubDeadLetterSourceDeliveryCount: '12', CloudPubSubDeadLetterSourceTopicPublishTime: '2026-01-02T02:00:00Z' }),
    );
    expect(view).toMatchObject({
      reason: 'not acknowledged after 12 deliveries (Pub/Sub dead-letter policy)',
      code: 'PUBSUB_MAX_DELIVERY_ATTEMPTS',
      attempts: 12,
      first_failure_at: '2026-01-02T02:00:00.000Z',
      last_failure_at: '2026-01-02T03:04:05.678Z',
    });
  });

  it('select by reason or code in any case, and by age', () => {
    const view = viewOf(deadLetter({ 'mobius-dlq-reason': 'Column missing', 'mobius-dlq-code': 'CHAT_SCHEMA_BEHIND' }));
    expect(matches(view, { reasonLike: 'column MISSING' })).toBe(true);
    expect(matches(view, { reasonLike: 'chat_schema' })).toBe(true);
    expect(matches(view, { reasonLike: 'timeout' })).toBe(false);
    expect(matches(view, { since: new Date('2026-01-02T03:00:00Z') })).toBe(true);
    expect(matches(view, { since: new Date('2026-01-02T04:00:00Z') })).toBe(false);
    expect([parseDuration('30m'), parseDuration('2h'), parseDuration('1d'), parseDuration('yesterday')]).toEqual([
      1_800_000,
      7_200_000,
      86_400_000,
      undefined,
    ]);
  });
});

describe('a redriven message', () => {
  it('gets a fresh id that is the same for every retry of one dead letter, and no failure attributes', () => {
    const message = deadLetter(
      { 'ce-id': 'run-7', 'mobius-dlq-reason': 'x', 'mobius-dlq-attempts': '5', CloudPubSubDeadLetterSourceDeliveryCount: '5' },
      'run-7~redrive-1',
    );
    const at = new Date('2026-01-02T05:00:00Z');
    const request = redriveRequest(message, 'warehouse.mart_updated', 'alice', at);
    expect(request.id).toBe(`run-7~redrive-${message.publishedAt.getTime()}`);
    expect(redriveRequest(message, 'warehouse.mart_updated', 'bob', new Date()).id).toBe(request.id);
    expect(request.attributes).toEqual({
      'ce-id': 'run-7',
      'mobius-redriven-by': 'alice',
      'mobius-redriven-at': '2026-01-02T05:00:00.000Z',
      'mobius-redriven-from': 'run-7~redrive-1',
    });
  });

  it('reports progress once per 10% when not on a terminal', () => {
    const lines: string[] = [];
    let now = 0;
    const report = progressReporter(40, { err: (line) => lines.push(line), terminal: false }, () => now);
    for (let done = 1; done <= 40; done += 1) {
      now += 100;
      report(done);
    }
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('redrive: 4/40 (10%), 10.0/s, ETA 4 s');
    expect(lines[9]).toBe('redrive: 40/40 (100%), 10.0/s, ETA 0 s');
  });
});
