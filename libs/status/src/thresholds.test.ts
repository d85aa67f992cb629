import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseFailOn } from './thresholds.ts';
import type { PipelineStatus } from './types.ts';

const status: PipelineStatus = {
  generated_at: '2026-01-01T00:00:00.000Z',
  subscriptions: [
    { name: 'ingestor', topic: 'rag.publish_events', backlog: 0, dead_letters: 0, oldest_unacked_seconds: null },
    { name: 'chat-sync', topic: 'warehouse.mart_updated', backlog: 1200, dead_letters: 2, oldest_unacked_seconds: 95 },
    { name: 'vertex-sync', topic: 'warehouse.mart_updated', backlog: null, dead_letters: null, oldest_unacked_seconds: null },
  ],
  outbox: { unrelayed: 3, oldest_unrelayed_seconds: 12.5, quarantined: 0 },
  sinks: [{ name: 'chat-sync', watermark: 4, mart_runs_behind: 6, last_run: null }],
  drift: null,
  freshness: [
    { sink: 'chat-sync', p50_ms: 800, p99_ms: 61_000, samples: 40, window_seconds: 3600 },
    { sink: 'vertex-sync', p50_ms: null, p99_ms: null, samples: 0, window_seconds: 3600 },
  ],
};

describe('--fail-on thresholds', () => {
  it('parses counts and durations (ms, s, m, h; bare numbers are seconds)', () => {
    expect(parseFailOn('freshness-p99=60s, dead-letters=1,oldest-unacked=2m,outbox-age=500ms,freshness-p50=3').map((t) => [t.key, t.limit])).toEqual([
      ['freshness-p99', 60_000],
      ['dead-letters', 1],
      ['oldest-unacked', 120_000],
      ['outbox-age', 500],
      ['freshness-p50', 3_000],
    ]);
  });

  it('refuses unknown keys and malformed values, naming them', () => {
    expect(() => parseFailOn('latency=5s')).toThrow(/"latency=5s" is not KEY=VALUE with KEY one of freshness-p99/);
    expect(() => parseFailOn('backlog=lots')).toThrow(/backlog=lots: a count is a whole number/);
    expect(() => parseFailOn('freshness-p99=1d')).toThrow(/a duration is a number with ms, s, m or h/);
  });

  it('reports each value at or over its threshold by subject, and lists values it could not check', () => {
    const result = evaluateThresholds(status, parseFailOn('freshness-p99=60s,dead-letters=2,backlog=1000,runs-behind=7,drift=1,outbox=3'));
    expect(result.crossed.map((c) => c.message)).toEqual([
      'freshness-p99 of chat-sync is 61000 ms (threshold 60s)',
      'dead-letters of chat-sync is 2 (threshold 2)',
      'backlog of chat-sync is 1200 (threshold 1000)',
      'outbox of outbox is 3 (threshold 3)',
    ]);
    expect(result.unchecked).toEqual(['freshness-p99 of vertex-sync', 'dead-letters of vertex-sync', 'backlog of vertex-sync', 'drift of drift']);
  });
});
