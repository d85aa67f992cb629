import type { FreshnessStatus, PipelineStatus, SinkStatus, SubscriptionStatus } from '@mobius/status';
import { CONSOLE_DEFAULTS } from '../config.ts';
import { formatAgo, formatCount, formatMs, formatSeconds } from './format.ts';
import { html, type SafeHtml } from './html.ts';

/** How a stage looks: green when flowing, amber when slow, red when something is set aside or failed. */
export type Health = 'ok' | 'slow' | 'failing';

const HEALTH_LABELS: Record<Health, string> = { ok: 'ok', slow: 'slow', failing: 'needs attention' };

function worst(...healths: Health[]): Health {
  return healths.includes('failing') ? 'failing' : healths.includes('slow') ? 'slow' : 'ok';
}

function slow(seconds: number | null | undefined): boolean {
  return seconds !== null && seconds !== undefined && seconds > CONSOLE_DEFAULTS.slowSeconds;
}

/** One labelled value of a stage card. */
function fact(label: string, value: string, title?: string): SafeHtml {
  return html`<div class="fact"${title ? html` title="${title}"` : null}><dt>${label}</dt><dd>${value}</dd></div>`;
}

function card(name: string, role: string, health: Health, facts: SafeHtml[], note?: string): SafeHtml {
  return html`<section class="stage ${health}" data-stage="${name}">
  <header><h3>${name}</h3><span class="badge">${HEALTH_LABELS[health]}</span></header>
  <p class="role">${role}</p>
  <dl>${facts}</dl>
  ${note ? html`<p class="note">${note}</p>` : null}
</section>`;
}

function outboxCard(status: PipelineStatus): SafeHtml {
  const { outbox } = status;
  const health = outbox.quarantined > 0 ? 'failing' : slow(outbox.oldest_unrelayed_seconds) ? 'slow' : 'ok';
  return card('rag outbox', 'publish_events relayed to rag.publish_events', health, [
    fact('unrelayed', formatCount(outbox.unrelayed)),
    fact('oldest', formatSeconds(outbox.oldest_unrelayed_seconds)),
    fact('quarantined', formatCount(outbox.quarantined), 'events the relay set aside: docs/poison-isolation.md'),
  ]);
}

function subscriptionFacts(subscription: SubscriptionStatus | undefined): SafeHtml[] {
  return [
    fact('backlog', formatCount(subscription?.backlog)),
    fact('oldest unacked', formatSeconds(subscription?.oldest_unacked_seconds)),
    fact('dead letters', formatCount(subscription?.dead_letters)),
  ];
}

function subscriptionHealth(subscription: SubscriptionStatus | undefined): Health {
  if (!subscription) return 'ok';
  return (subscription.dead_letters ?? 0) > 0 ? 'failing' : slow(subscription.oldest_unacked_seconds) ? 'slow' : 'ok';
}

function consumerCard(name: string, role: string, subscription: SubscriptionStatus | undefined): SafeHtml {
  return card(name, role, subscriptionHealth(subscription), subscriptionFacts(subscription), subscription?.note);
}

function sinkCard(name: string, role: string, status: PipelineStatus): SafeHtml {
  const subscription = status.subscriptions.find((s) => s.name === name);
  const sink: SinkStatus | undefined = status.sinks.find((s) => s.name === name);
  const freshness: FreshnessStatus | undefined = status.freshness.find((f) => f.sink === name);
  const failed = sink?.last_run?.status === 'failure';
  const health = worst(
    subscriptionHealth(subscription),
    failed ? 'failing' : 'ok',
    slow(freshness?.p99_ms === null || freshness?.p99_ms === undefined ? null : freshness.p99_ms / 1000) ? 'slow' : 'ok',
  );
  const lastRun = sink?.last_run
    ? `${sink.last_run.status}, ${formatAgo(sink.last_run.finished_at ?? sink.last_run.started_at, Date.parse(status.generated_at))}`
    : 'none yet';
  return card(
    name,
    role,
    health,
    [
      ...subscriptionFacts(subscription),
      fact('mart run', sink ? `${sink.watermark} (${sink.mart_runs_behind} behind)` : '–'),
      fact('last run', lastRun),
      fact(
        'freshness p50 / p99',
        `${formatMs(freshness?.p50_ms)} / ${formatMs(freshness?.p99_ms)}`,
        'publish in RAG to visible in the sink, last hour',
      ),
      fact('freshness samples', formatCount(freshness?.samples ?? 0)),
    ],
    subscription?.note,
  );
}

/** The pipeline as a left-to-right flow of stage cards: outbox, ingestor, mart-builder, then the two sinks. */
export function stagesSection(status: PipelineStatus): SafeHtml {
  const sub = (name: string) => status.subscriptions.find((s) => s.name === name);
  return html`<div class="flow">
  ${outboxCard(status)}
  <span class="arrow" aria-hidden="true">→</span>
  ${consumerCard('ingestor', 'lands document snapshots in the warehouse', sub('ingestor'))}
  <span class="arrow" aria-hidden="true">→</span>
  ${consumerCard('mart-builder', 'merges landings into the mart', sub('mart-builder'))}
  <span class="arrow" aria-hidden="true">→</span>
  <div class="sinks">
    ${sinkCard('chat-sync', "Chat's published_rag_metadata", status)}
    ${sinkCard('vertex-sync', 'the vector index', status)}
  </div>
</div>`;
}
