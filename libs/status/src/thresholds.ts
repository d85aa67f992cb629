import type { PipelineStatus } from './types.ts';

/**
 * `--fail-on`: thresholds over the status, for scripts and uptime checks. A threshold is crossed when a
 * value reaches it (`dead-letters=1`: one dead letter is enough). A value the status cannot give
 * (null: e.g. a backlog on the Pub/Sub emulator, freshness without samples) crosses nothing; it is
 * listed as unchecked instead.
 */

/** What each key compares: a count, or a duration (`60s`, `500ms`, `2m`, `1h`; a bare number is seconds). */
export const THRESHOLD_KEYS = {
  'freshness-p99': 'duration',
  'freshness-p50': 'duration',
  'dead-letters': 'count',
  backlog: 'count',
  'oldest-unacked': 'duration',
  'runs-behind': 'count',
  outbox: 'count',
  'outbox-age': 'duration',
  quarantined: 'count',
  drift: 'count',
} as const;

export type ThresholdKey = keyof typeof THRESHOLD_KEYS;

/** One threshold; durations are held in milliseconds. */
export interface Threshold {
  key: ThresholdKey;
  limit: number;
  /** As the user wrote it, for messages. */
  text: string;
}

/** One value at or over its threshold. */
export interface Crossing {
  key: ThresholdKey;
  /** What crossed: `chat-sync`, `ingestor`, `outbox`, `drift`. */
  subject: string;
  value: number;
  limit: number;
  message: string;
}

export class ThresholdSyntaxError extends Error {
  readonly code = 'STATUS_FAIL_ON_INVALID';
  readonly retryable = false;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses `key=value,key=value`. Throws ThresholdSyntaxError naming the bad part and the known keys. */
export function parseFailOn(spec: string): Threshold[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const [key, value, extra] = part.split('=');
      if (!key || value === undefined || extra !== undefined || !(key in THRESHOLD_KEYS)) {
        throw new ThresholdSyntaxError(
          `--fail-on: ${JSON.stringify(part)} is not KEY=VALUE with KEY one of ${Object.keys(THRESHOLD_KEYS).join(', ')}`,
        );
      }
      const typed = key as ThresholdKey;
      return { key: typed, limit: THRESHOLD_KEYS[typed] === 'duration' ? parseDuration(part, value) : parseCount(part, value), text: value };
    });
}

function parseDuration(part: string, value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new ThresholdSyntaxError(`--fail-on: ${part}: a duration is a number with ms, s, m or h (60s, 500ms)`);
  return Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
}

function parseCount(part: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ThresholdSyntaxError(`--fail-on: ${part}: a count is a whole number`);
  return Number(value);
}

/** The values each key looks at: [subject, value or null]. Durations in milliseconds. */
function valuesOf(status: PipelineStatus, key: ThresholdKey): [string, number | null][] {
  const seconds = (value: number | null) => (value === null ? null : value * 1_000);
  switch (key) {
    case 'freshness-p99':
      return status.freshness.map((f) => [f.sink, f.p99_ms]);
    case 'freshness-p50':
      return status.freshness.map((f) => [f.sink, f.p50_ms]);
    case 'dead-letters':
      return status.subscriptions.map((s) => [s.name, s.dead_letters]);
    case 'backlog':
      return status.subscriptions.map((s) => [s.name, s.backlog]);
    case 'oldest-unacked':
      return status.subscriptions.map((s) => [s.name, seconds(s.oldest_unacked_seconds)]);
    case 'runs-behind':
      return status.sinks.map((s) => [s.name, s.mart_runs_behind]);
    case 'outbox':
      return [['outbox', status.outbox.unrelayed]];
    case 'outbox-age':
      return [['outbox', seconds(status.outbox.oldest_unrelayed_seconds)]];
    case 'quarantined':
      return [['outbox', status.outbox.quarantined]];
    case 'drift':
      // No reconciliation pass ever ran: unknown, not zero.
      return [['drift', status.drift ? (status.drift.total ?? driftTotal(status.drift.targets)) : null]];
  }
}

function driftTotal(targets: { missing: number; extra: number; stale: number; invalid: number }[]): number {
  return targets.reduce((sum, t) => sum + t.missing + t.extra + t.stale + t.invalid, 0);
}

/** Every value at or over its threshold, and every value that could not be checked (null). */
export function evaluateThresholds(status: PipelineStatus, thresholds: readonly Threshold[]): { crossed: Crossing[]; unchecked: string[] } {
  const crossed: Crossing[] = [];
  const unchecked: string[] = [];
  for (const threshold of thresholds) {
    for (const [subject, value] of valuesOf(status, threshold.key)) {
      if (value === null) {
        unchecked.push(`${threshold.key} of ${subject}`);
        continue;
      }
      if (value < threshold.limit) continue;
      const shown = THRESHOLD_KEYS[threshold.key] === 'duration' ? `${Math.round(value)} ms` : String(value);
      crossed.push({
        key: threshold.key,
        subject,
        value,
        limit: threshold.limit,
        message: `${threshold.key} of ${subject} is ${shown} (threshold ${threshold.text})`,
      });
    }
  }
  return { crossed, unchecked };
}
