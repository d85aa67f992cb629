import type { PipelineStatus, SyncRunStatus } from '@mobius/status';
import type { FreshnessBucket, StatusSample, SubscriptionDeadLetters } from '../types.ts';
import { lineChart } from './charts.ts';
import { formatCount, formatMs, formatTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { stagesSection } from './stages.ts';
import { STYLES } from './styles.ts';
import { deadLettersSection, driftSection, syncRunsTable } from './tables.ts';

/** Everything one rendering of the console shows. */
export interface ConsoleView {
  status: PipelineStatus;
  syncRuns: SyncRunStatus[];
  deadLetters: SubscriptionDeadLetters[] | null;
  /** Freshness per sink in time buckets over the window, oldest first (from Chat's samples). */
  freshness: FreshnessBucket[];
  /** Backlog and dead-letter samples over the window, oldest first (the console's own ring). */
  history: StatusSample[];
  historyWindowMs: number;
  /** The page reloads itself after this many seconds. */
  refreshSeconds: number;
  /** Shows the sign-out button (CONSOLE_AUTH=jwt). */
  signedIn: boolean;
  /** Parts that could not be read this time (shown above the page, which renders the rest). */
  problems: string[];
  now: number;
}

/** The HTML document around a body: inline styles, and the reload every `refreshSeconds` when set. */
export function documentOf(title: string, body: SafeHtml, refreshSeconds?: number): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : null}
<title>${title}</title>
<style>${STYLES}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}

function charts(view: ConsoleView): SafeHtml {
  const fromMs = view.now - view.historyWindowMs;
  const sinks = [...new Set([...view.status.sinks.map((s) => s.name), ...view.status.freshness.map((f) => f.sink)])];
  const subscriptions = view.status.subscriptions.map((s) => s.name);
  return html`<div class="charts">
  ${lineChart({
    title: 'Freshness p99 per sink, per minute (publish to visible)',
    fromMs,
    toMs: view.now,
    format: formatMs,
    series: sinks.map((sink) => ({
      label: sink,
      points: view.freshness.filter((b) => b.sink === sink).map((b) => ({ at: b.at, value: b.p99Ms })),
    })),
  })}
  ${lineChart({
    title: 'Backlog per subscription',
    fromMs,
    toMs: view.now,
    format: formatCount,
    series: subscriptions.map((name) => ({ label: name, points: view.history.map((s) => ({ at: s.at, value: s.backlog[name] ?? null })) })),
  })}
  ${lineChart({
    title: 'Dead letters, all subscriptions',
    fromMs,
    toMs: view.now,
    format: formatCount,
    series: [{ label: 'dead letters', points: view.history.map((s) => ({ at: s.at, value: s.deadLetters })) }],
  })}
</div>`;
}

function header(view: ConsoleView): SafeHtml {
  return html`<header class="top">
  <h1>Mobius pipeline</h1>
  <span class="meta" id="generated-at" data-generated-at="${view.status.generated_at}">status of ${formatTime(view.status.generated_at)}, refreshes every ${view.refreshSeconds} s; backlog charted from ${view.history.length} samples</span>
  <span class="meta"><a href="/api/status">/api/status</a> (JSON)</span>
  ${view.signedIn ? html`<form method="post" action="/logout"><button type="submit">Sign out</button></form>` : null}
</header>`;
}

/** The console page: stages, charts over the last hour, recent sync runs, dead letters, drift. */
export function renderConsolePage(view: ConsoleView): string {
  const body = html`${header(view)}
${view.problems.map((problem) => html`<p class="error">${problem}</p>`)}
<h2>Pipeline</h2>
${stagesSection(view.status)}
<h2>Last hour</h2>
${charts(view)}
<h2>Recent sync runs</h2>
${syncRunsTable(view.syncRuns)}
<h2>Dead letters</h2>
${deadLettersSection(view.deadLetters)}
<h2>Drift (reconciler)</h2>
${driftSection(view.status.drift)}`;
  return documentOf('Mobius console', body, view.refreshSeconds);
}

/** The page when the status cannot be collected: what failed, and it keeps reloading until it can. */
export function renderUnavailablePage(message: string, refreshSeconds: number): string {
  return documentOf(
    'Mobius console: status unavailable',
    html`<header class="top"><h1>Mobius pipeline</h1></header>
<p class="error">The status could not be collected: ${message}. This page retries every ${refreshSeconds} s.</p>`,
    refreshSeconds,
  );
}
