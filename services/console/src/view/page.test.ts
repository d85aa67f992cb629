import type { PipelineStatus } from '@mobius/status';
import { describe, expect, it } from 'vitest';
import { renderConsolePage, type ConsoleView } from './page.ts';

const NOW = Date.parse('2026-12-07T10:00:00Z');

/** A pipeline with one failing sink run, dead letters on chat-sync and drift on the index. */
function status(): PipelineStatus {
  return {
    generated_at: new Date(NOW).toISOString(),
    subscriptions: [
      { name: 'ingestor', topic: 'rag.publish_events', backlog: 0, dead_letters: 0, oldest_unacked_seconds: null },
      { name: 'mart-builder', topic: 'warehouse.landing_ingested', backlog: 2, dead_letters: 0, oldest_unacked_seconds: 3 },
      { name: 'chat-sync', topic: 'warehouse.mart_updated', backlog: 0, dead_letters: 1, oldest_unacked_seconds: null },
      { name: 'vertex-sync', topic: 'warehouse.mart_updated', backlog: 7, dead_letters: 0, oldest_unacked_seconds: 120 },
    ],
    outbox: { unrelayed: 0, oldest_unrelayed_seconds: null, quarantined: 0 },
    sinks: [
      {
        name: 'chat-sync',
        watermark: 12,
        mart_runs_behind: 0,
        last_run: {
          run_id: 'r1',
          sink: 'chat-sync',
          status: 'failure',
          started_at: '2026-12-07T09:59:00Z',
          finished_at: '2026-12-07T09:59:01Z',
          mart_rows_read: 3,
          postgres_rows_written: 0,
          vector_rows_upserted: null,
          error_message: 'boom',
        },
      },
      { name: 'vertex-sync', watermark: 11, mart_runs_behind: 1, last_run: null },
    ],
    drift: { checked_at: '2026-12-07T09:55:00Z', targets: [{ target: 'vertex', missing: 2, extra: 0, stale: 1, invalid: 0, repaired: 3 }] },
    freshness: [
      { sink: 'chat-sync', p50_ms: 420, p99_ms: 1_800, samples: 17, window_seconds: 3_600 },
      { sink: 'vertex-sync', p50_ms: null, p99_ms: null, samples: 0, window_seconds: 3_600 },
    ],
  };
}

function view(overrides: Partial<ConsoleView> = {}): ConsoleView {
  return {
    status: status(),
    syncRuns: [],
    deadLetters: [],
    freshness: [],
    history: [],
    historyWindowMs: 3_600_000,
    refreshSeconds: 5,
    signedIn: false,
    problems: [],
    now: NOW,
    ...overrides,
  };
}

/** The page's text as a person reads it (markup dropped, entities decoded for the few we emit). */
function textOf(page: string): string {
  return page
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('the console page', () => {
  it('shows every stage in pipeline order, with their backlog, dead letters, freshness and health', () => {
    const page = renderConsolePage(view());
    const text = textOf(page);
    const order = ['rag outbox', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync'].map((stage) => text.indexOf(stage));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toMatch(/data-stage="chat-sync"[\s\S]*?freshness samples<\/dt><dd>17</);
    expect(page).toMatch(/data-stage="chat-sync"[\s\S]*?420 ms \/ 1.8 s/);
    expect(page).toMatch(/class="stage failing" data-stage="chat-sync"/);
    expect(page).toMatch(/class="stage slow" data-stage="vertex-sync"/);
    expect(page).toMatch(/class="stage ok" data-stage="ingestor"/);
    expect(text).toContain('11 (1 behind)');
  });

  it('reloads itself every refreshSeconds', () => {
    expect(renderConsolePage(view({ refreshSeconds: 7 }))).toContain('<meta http-equiv="refresh" content="7">');
  });

  it('escapes what the data says, so a dead letter reason cannot inject markup', () => {
    const page = renderConsolePage(
      view({
        deadLetters: [
          {
            subscription: 'chat-sync',
            topic: 'warehouse.mart_updated',
            total: 1,
            newest: [
              { id: 'm-1', reason: '<script>alert("x")</script> & more', code: 'INVALID_EVENT', attempts: 1, deadLetteredAt: '2026-12-07T09:58:00Z' },
            ],
          },
        ],
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(textOf(page)).toContain('chat-sync 1 dead letter');
  });

  it('lists recent sync runs with a failure message, and the drift per target', () => {
    const run = status().sinks[0]!.last_run!;
    const text = textOf(renderConsolePage(view({ syncRuns: [run, { ...run, run_id: 'r0', status: 'success', error_message: null }] })));
    expect(text).toContain('2026-12-07 09:59:00Z chat-sync failure 1.0 s 3 0 – boom');
    expect(text).toContain('chat-sync success');
    expect(text).toMatch(/vertex 2 0 1 0 3/);
  });

  it('says what is missing rather than drawing empty sections', () => {
    const text = textOf(renderConsolePage(view({ status: { ...status(), drift: null }, deadLetters: null })));
    expect(text).toContain('No sync runs yet');
    expect(text).toContain('No reconciliation pass has run yet');
    expect(text).toContain('keeps no readable dead letters');
    expect(text).toContain('no samples yet');
  });

  it('draws the freshness buckets and the backlog samples as lines, with the latest value in the legend', () => {
    const page = renderConsolePage(
      view({
        freshness: [
          { sink: 'chat-sync', at: NOW - 120_000, p50Ms: 300, p99Ms: 900, samples: 4 },
          { sink: 'chat-sync', at: NOW - 60_000, p50Ms: 350, p99Ms: 1_200, samples: 5 },
        ],
        history: [
          { at: NOW - 20_000, backlog: { ingestor: 0, 'vertex-sync': 3 }, deadLetters: 0 },
          { at: NOW - 10_000, backlog: { ingestor: 0, 'vertex-sync': 7 }, deadLetters: 1 },
        ],
      }),
    );
    expect(page.match(/<polyline /g)?.length).toBeGreaterThanOrEqual(3);
    expect(textOf(page)).toMatch(/chat-sync 1\.2 s/);
    expect(textOf(page)).toMatch(/vertex-sync 7/);
  });
});
