import type { DriftStatus, SyncRunStatus } from '@mobius/status';
import type { SubscriptionDeadLetters } from '../types.ts';
import { formatCount, formatMs, formatTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';

function duration(run: SyncRunStatus): string {
  if (!run.finished_at) return 'running';
  return formatMs(Date.parse(run.finished_at) - Date.parse(run.started_at));
}

/** The newest sync_runs rows: who ran, when, how long, what it read and wrote, and a failure's message. */
export function syncRunsTable(runs: SyncRunStatus[]): SafeHtml {
  if (runs.length === 0) return html`<p class="empty">No sync runs yet: the sinks record one per mart run they apply.</p>`;
  const rows = runs.map(
    (run) => html`<tr class="${run.status}">
  <td>${formatTime(run.started_at)}</td><td>${run.sink ?? '–'}</td><td class="status">${run.status}</td><td>${duration(run)}</td>
  <td class="num">${formatCount(run.mart_rows_read)}</td><td class="num">${formatCount(run.postgres_rows_written)}</td><td class="num">${formatCount(run.vector_rows_upserted)}</td>
  <td class="message">${run.error_message ?? ''}</td>
</tr>`,
  );
  return html`<table class="sync-runs">
  <thead><tr><th>started</th><th>sink</th><th>status</th><th>took</th><th>mart rows read</th><th>Chat rows written</th><th>vectors upserted</th><th>error</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`;
}

/** Dead letters per subscription: the count, then the newest few with their reason, code and attempts. */
export function deadLettersSection(deadLetters: SubscriptionDeadLetters[] | null): SafeHtml {
  if (deadLetters === null) return html`<p class="empty">This bus keeps no readable dead letters (BUS=memory in another process).</p>`;
  const withLetters = deadLetters.filter((d) => d.total > 0);
  if (withLetters.length === 0) return html`<p class="empty ok-text">No dead letters on any subscription.</p>`;
  return html`${withLetters.map(
    (d) => html`<div class="dead-letters" data-subscription="${d.subscription}">
  <h3>${d.subscription} <span class="count">${formatCount(d.total)} dead letter${d.total === 1 ? '' : 's'}</span></h3>
  <table>
    <thead><tr><th>dead-lettered</th><th>reason</th><th>code</th><th>attempts</th><th>message id</th></tr></thead>
    <tbody>${d.newest.map(
      (letter) =>
        html`<tr><td>${formatTime(letter.deadLetteredAt)}</td><td class="reason">${letter.reason}</td><td>${letter.code ?? '–'}</td><td class="num">${formatCount(letter.attempts)}</td><td class="id">${letter.id}</td></tr>`,
    )}</tbody>
  </table>
  <p class="hint">Inspect and redrive: <code>npx mobius dlq list --subscription ${d.subscription}</code></p>
</div>`,
  )}`;
}

/** The reconciler's last result: per target, rows missing, extra, stale, invalid, and repaired. */
export function driftSection(drift: DriftStatus | null): SafeHtml {
  if (!drift) return html`<p class="empty">No reconciliation pass has run yet (the reconciler service, or <code>mobius resync --check</code>).</p>`;
  const rows = drift.targets.map((t) => {
    const found = t.missing + t.extra + t.stale + t.invalid;
    return html`<tr class="${found > 0 ? 'drifted' : 'clean'}"><td>${t.target}</td><td class="num">${formatCount(t.missing)}</td><td class="num">${formatCount(t.extra)}</td><td class="num">${formatCount(t.stale)}</td><td class="num">${formatCount(t.invalid)}</td><td class="num">${formatCount(t.repaired)}</td></tr>`;
  });
  return html`<p>Last pass finished ${formatTime(drift.checked_at)}.</p>
<table class="drift">
  <thead><tr><th>target</th><th>missing</th><th>extra</th><th>stale</th><th>invalid</th><th>repaired</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`;
}
