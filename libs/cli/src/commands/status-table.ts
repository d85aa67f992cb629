import type { PipelineStatus, SinkStatus, SubscriptionStatus } from '@mobius/status';

/** `-` for a value the status does not have. */
const dash = (value: number | string | null | undefined) => (value === null || value === undefined ? '-' : String(value));

/** A duration for people: `840 ms`, `12.5 s`, `3.2 min`, `1.5 h`. */
export function humanMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const seconds = (value: number | null) => (value === null ? '-' : humanMs(value * 1_000));

/** Left-aligned columns, two spaces apart. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function subscriptionRow(s: SubscriptionStatus): string[] {
  return [s.name, s.topic, dash(s.backlog), dash(s.dead_letters), seconds(s.oldest_unacked_seconds)];
}

function lastRun(sink: SinkStatus): string {
  const run = sink.last_run;
  if (!run) return 'never ran';
  const rows = run.postgres_rows_written ?? run.vector_rows_upserted;
  const when = run.finished_at ?? run.started_at;
  const detail = run.status === 'failure' ? `: ${run.error_message ?? 'no reason recorded'}` : rows === null ? '' : ` (${rows} rows)`;
  return `${run.status} ${when}${detail}`;
}

/**
 * The human form of `mobius status`: the subscriptions, the outbox, per sink its watermark, runs
 * behind, freshness and last run, the drift, then what could not be read and why.
 */
export function renderStatus(status: PipelineStatus): string[] {
  const lines = [`pipeline status at ${status.generated_at}`, ''];
  lines.push(...table(['SUBSCRIPTION', 'TOPIC', 'BACKLOG', 'DEAD LETTERS', 'OLDEST UNACKED'], status.subscriptions.map(subscriptionRow)));
  const { outbox } = status;
  lines.push('', `outbox: ${outbox.unrelayed} unrelayed (oldest ${seconds(outbox.oldest_unrelayed_seconds)}), ${outbox.quarantined} quarantined`, '');
  const freshnessOf = new Map(status.freshness.map((f) => [f.sink, f]));
  const window = status.freshness[0] ? humanMs(status.freshness[0].window_seconds * 1_000) : '-';
  lines.push(
    ...table(
      ['SINK', 'WATERMARK', 'RUNS BEHIND', `FRESHNESS p50 / p99 (samples, last ${window})`, 'LAST RUN'],
      status.sinks.map((sink) => {
        const f = freshnessOf.get(sink.name);
        const fresh = f ? `${humanMs(f.p50_ms)} / ${humanMs(f.p99_ms)} (${f.samples})` : '-';
        return [sink.name, String(sink.watermark), String(sink.mart_runs_behind), fresh, lastRun(sink)];
      }),
    ),
  );
  lines.push('', driftLine(status));
  const notes = status.subscriptions.filter((s) => s.note).map((s) => `  ${s.name}: ${s.note}`);
  if (notes.length > 0) lines.push('', 'not known:', ...notes);
  return lines;
}

function driftLine(status: PipelineStatus): string {
  if (!status.drift) return 'drift: no reconciliation pass yet (the reconciler service, or mobius resync --check)';
  const parts = status.drift.targets.map((t) => {
    const found = t.missing + t.extra + t.stale + t.invalid;
    const detail = found === 0 ? 'none' : `${found} (missing ${t.missing}, extra ${t.extra}, stale ${t.stale}, invalid ${t.invalid})`;
    return `${t.target} ${detail}${t.checked_at ? ` at ${t.checked_at}` : ''}`;
  });
  return `drift: ${parts.join('; ')}`;
}
