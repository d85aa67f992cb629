import { createServiceBus } from '@mobius/backends';
import { deadLettersOf, type Bus, type DeadLetterStore, type Message } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { ALL_SUBSCRIPTIONS, deadLetterTopic, findSubscription, type SubscriptionSpec } from '@mobius/contracts';
import { formatTable, matches, parseDuration, viewOf, type DeadLetterFilter } from '../dlq/dead-letter-view.ts';
import { REDRIVE_DEFAULTS, redrive } from '../dlq/redrive.ts';
import { showLines, showObject } from '../dlq/show.ts';
import type { CliIO } from '../io.ts';
import { announceTarget, busItem, resolveCliEnv } from '../runtime/index.ts';

export type DlqAction = 'list' | 'show' | 'redrive' | 'purge';

export interface DlqCommandOptions {
  subscription: string;
  id?: string;
  since?: string;
  reasonLike?: string;
  /** Dead letters read at most (default 1000). */
  limit?: string;
  dryRun?: boolean;
  json?: boolean;
  /** redrive: messages per second. */
  rate?: string;
  /** redrive: who, recorded on each message (default $USER). */
  by?: string;
  /** purge: no confirmation. */
  yes?: boolean;
  /** The `mobius dev` whose bus to use when no variable names one. */
  dataDir?: string;
}

/** Dead letters read at most by one command, unless --limit. */
const DEFAULT_LIMIT = 1_000;

export class DlqCommandError extends Error {
  readonly code = 'DLQ_INPUT';
  readonly retryable = false;
}

/** What one command acts on: the subscription, its selection, and the bus. */
interface Selection {
  subscription: SubscriptionSpec;
  store: DeadLetterStore;
  bus: Bus;
  /** The dead letters that matched the filters, oldest first. */
  selected: Message[];
  /** How many the subscription holds in all. */
  total: number;
  limit: number;
}

/**
 * `mobius dlq list|show|redrive|purge --subscription NAME`: a subscription's dead letters as data
 * (docs/dead-letters.md). Filters `--id`, `--since`, `--reason-like` select which; `redrive` puts them
 * back on the topic at `--rate` per second, `purge` removes them for good after a confirmation.
 * The first line (stderr) names the bus and TOPIC_PREFIX the command acts on.
 */
export async function dlqCommand(action: DlqAction, options: DlqCommandOptions, io: CliIO): Promise<void> {
  const subscription = findSubscription(options.subscription);
  if (!subscription) {
    throw new DlqCommandError(`unknown subscription ${options.subscription} (known: ${ALL_SUBSCRIPTIONS.map((s) => s.name).join(', ')})`);
  }
  const filter = parseFilter(options);
  const limit = positiveNumber('--limit', options.limit, DEFAULT_LIMIT);
  const rate = positiveNumber('--rate', options.rate, REDRIVE_DEFAULTS.ratePerSecond);
  if (action === 'show' && options.id === undefined) throw new DlqCommandError('show needs --id ID (mobius dlq list shows the ids)');
  const resolved = await resolveCliEnv(io, options);
  const config = loadBusConfig('mobius', resolved.env);
  const deadLetters = { label: 'dead letters', value: `${config.topicPrefix}${deadLetterTopic(subscription)}`, variables: [] };
  announceTarget(io, `dlq ${action}`, resolved, [busItem(resolved.env), deadLetters]);
  if (config.kind === 'memory') throw new DlqCommandError('dlq needs a shared bus; BUS=memory lives inside one process (set BUS=nats or BUS=pubsub)');
  const bus = await createServiceBus('mobius', config);
  try {
    const store = deadLettersOf(bus);
    if (!store) throw new DlqCommandError(`BUS=${config.kind} keeps no dead letters this command can read`);
    const all = await store.list(subscription.topic, subscription.name, limit);
    const selected = all.filter((message) => matches(viewOf(message), filter));
    const total = all.length < limit ? all.length : await store.count(subscription.topic, subscription.name);
    const selection: Selection = { subscription, store, bus, selected, total, limit };
    if (action === 'list') return list(selection, options, io);
    if (action === 'show') return show(selection, options, io);
    if (action === 'redrive') return await redriveCommand(selection, options, rate, io);
    return await purge(selection, options, io);
  } finally {
    await bus.close();
  }
}

function list({ selected, total, limit }: Selection, options: DlqCommandOptions, io: CliIO): void {
  const views = selected.map(viewOf);
  if (options.json) {
    io.out(JSON.stringify(views, null, 2));
  } else if (views.length === 0) {
    io.out(total === 0 ? 'no dead letters' : `none of the ${countOf(total)} matches`);
  } else {
    for (const line of formatTable(views)) io.out(line);
  }
  if (total > limit) io.err(`read the oldest ${limit} of ${countOf(total)}: --limit ${total} reads them all`);
}

function show({ selected }: Selection, options: DlqCommandOptions, io: CliIO): void {
  if (selected.length === 0) throw new DlqCommandError(`no dead letter with id ${options.id} (mobius dlq list shows the ids)`);
  if (options.json) {
    io.out(JSON.stringify(selected.map(showObject), null, 2));
    return;
  }
  for (const [index, message] of selected.entries()) {
    if (index > 0) io.out('');
    for (const line of showLines(message)) io.out(line);
  }
}

async function redriveCommand(selection: Selection, options: DlqCommandOptions, rate: number, io: CliIO): Promise<void> {
  const { subscription, selected } = selection;
  const by = (options.by ?? io.env.USER ?? io.env.LOGNAME ?? 'unknown').trim() || 'unknown';
  if (/[\r\n]/.test(by)) throw new DlqCommandError('--by must be one line');
  if (selected.length === 0) {
    io.out('nothing to redrive');
    return;
  }
  const result = await redrive(selection.bus, selection.store, selected, {
    topic: subscription.topic,
    subscription: subscription.name,
    ratePerSecond: rate,
    by,
    dryRun: options.dryRun === true,
    out: options.json ? () => undefined : io.out,
    err: io.err,
    terminal: io.terminal === true,
  });
  if (options.json) {
    const summary = options.dryRun
      ? { dry_run: true, would_redrive: selected.map((message) => message.id) }
      : { dry_run: false, redriven: result.redriven, not_removed: result.notRemoved, failed: result.failed ?? null };
    io.out(JSON.stringify(summary, null, 2));
  }
  const moved = `${result.redriven.length} of ${countOf(selected.length)} of ${subscription.name}`;
  if (options.dryRun) io.err(`dry run: would redrive ${countOf(selected.length)} of ${subscription.name} to ${subscription.topic}; nothing moved`);
  else io.err(`redriven ${moved} to ${subscription.topic} by ${by}`);
  if (result.notRemoved > 0) {
    io.err(
      `warning: ${result.notRemoved} redriven dead letters could not be removed (gone already, or held by another reader): a later redrive would send them again (harmless: consumers are idempotent)`,
    );
  }
  if (result.failed)
    throw new DlqCommandError(
      `redrive stopped at ${result.failed.id}: ${result.failed.error} (it and the ${selected.length - result.redriven.length - 1} after it stay dead letters)`,
    );
}

async function purge({ subscription, store, selected }: Selection, options: DlqCommandOptions, io: CliIO): Promise<void> {
  const what = `${countOf(selected.length)} of ${subscription.name}`;
  if (selected.length === 0) {
    io.out('nothing to purge');
    return;
  }
  if (options.dryRun) {
    for (const message of selected) io.out(`would purge ${message.id} (${viewOf(message).code})`);
    io.err(`dry run: would purge ${what}; nothing removed`);
    return;
  }
  if (!options.yes) {
    if (!io.ask) throw new DlqCommandError(`purge removes ${what} for good: confirm with --yes (stdin is not a terminal to ask on)`);
    const answer = await io.ask(`remove ${what} for good? type "yes" to confirm: `);
    if (answer.toLowerCase() !== 'yes') throw new DlqCommandError(`purge cancelled: nothing removed`);
  }
  const removed = await store.remove(subscription.topic, subscription.name, [...new Set(selected.map((message) => message.id))]);
  if (options.json) io.out(JSON.stringify({ purged: removed, ids: selected.map((message) => message.id) }, null, 2));
  else io.out(`purged ${countOf(removed)} of ${subscription.name}`);
}

/** `1 dead letter`, `3 dead letters`. */
function countOf(count: number): string {
  return `${count} dead letter${count === 1 ? '' : 's'}`;
}

function parseFilter(options: DlqCommandOptions): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (options.id !== undefined) filter.id = options.id;
  if (options.reasonLike !== undefined) filter.reasonLike = options.reasonLike;
  if (options.since !== undefined) {
    const ms = parseDuration(options.since);
    if (ms === undefined) throw new DlqCommandError(`--since must be a duration like 30m, 2h or 1d (got ${JSON.stringify(options.since)})`);
    filter.since = new Date(Date.now() - ms);
  }
  return filter;
}

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new DlqCommandError(`${flag} must be a positive number (got ${JSON.stringify(value)})`);
  return parsed;
}
