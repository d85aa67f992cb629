import { createServiceBus } from '@mobius/backends';
import { snapshotsOf, type Bus, type ReplayFrom } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { ALL_SUBSCRIPTIONS, findSubscription } from '@mobius/contracts';
import { CommandExit } from '../command-exit.ts';
import type { CliIO } from '../io.ts';
import { announceTarget, busItem, resolveCliEnv } from '../runtime/index.ts';
import { watchReplay } from './replay-progress.ts';

export interface ReplayCommandOptions {
  subscription: string;
  from: string;
  dryRun?: boolean;
  /** Rewind a sink's subscription even though it changes nothing (its triggers are delivered again). */
  force?: boolean;
  /** False (--no-wait): return after the rewind instead of following the backlog down. */
  wait?: boolean;
  /** The data directory of the `mobius dev` whose bus to use when no variable names one. */
  dataDir?: string;
}

/**
 * The sinks apply mart runs beyond their own watermark, whatever trigger arrives: delivering their
 * triggers again changes neither Chat nor the index. Rebuilding them is `mobius resync --repair`.
 */
const SINK_TARGETS: Record<string, string> = { 'chat-sync': 'chat', 'vertex-sync': 'vertex' };

/** What `mobius replay` says instead of replaying a sink's subscription. */
export function sinkReplayNotice(subscription: string): string {
  const target = SINK_TARGETS[subscription]!;
  const what = target === 'chat' ? "Chat's published_rag_metadata" : 'the vector index';
  return [
    `replaying ${subscription} would change nothing: ${subscription} applies the mart runs after its own watermark, whichever message arrives,`,
    `so messages delivered again are no-ops and ${what} stays as it is (an emptied index stays empty).`,
    `To rebuild ${what} from RAG: mobius resync --repair --target ${target}   (mobius resync --check --target ${target} shows the drift first)`,
  ].join('\n');
}

/** Where `mobius replay` starts: a start point of the Bus port, or a named snapshot (Pub/Sub). */
export type ReplayTarget = ReplayFrom | { kind: 'snapshot'; name: string };

/** Parses `--from`: an ISO-8601 time, `seq:N`, `snapshot:NAME` (Pub/Sub), or `beginning`. */
export function parseReplayFrom(value: string): ReplayTarget {
  if (value === 'beginning') return { kind: 'beginning' };
  const snapshot = /^snapshot:([A-Za-z0-9_-]{1,100})$/.exec(value);
  if (snapshot) return { kind: 'snapshot', name: snapshot[1]! };
  const sequence = /^seq:(\d+)$/.exec(value);
  if (sequence) return { kind: 'sequence', sequence: Number(sequence[1]) };
  const time = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time.getTime())) return { kind: 'time', time };
  throw new ReplayCommandError(`--from must be an ISO-8601 time, seq:N, snapshot:NAME or beginning (got ${JSON.stringify(value)})`);
}

export class ReplayCommandError extends Error {
  readonly code = 'REPLAY_INPUT';
  readonly retryable = false;
}

function describeFrom(from: ReplayTarget): string {
  if (from.kind === 'beginning') return 'the beginning';
  if (from.kind === 'sequence') return `sequence ${from.sequence}`;
  if (from.kind === 'snapshot') return `snapshot ${from.name}`;
  return from.time.toISOString();
}

/**
 * Rewinds with what the bus can do, refusing clearly what it cannot: Pub/Sub has no sequence numbers;
 * the Pub/Sub emulator cannot seek to a time; only Pub/Sub has snapshots.
 */
async function rewind(bus: Bus, busKind: string, topic: string, subscription: string, from: ReplayTarget): Promise<void> {
  if (from.kind === 'snapshot') {
    const snapshots = snapshotsOf(bus);
    if (!snapshots) throw new ReplayCommandError(`--from snapshot:NAME needs BUS=pubsub (BUS is ${busKind}): use a time, seq:N or beginning`);
    return snapshots.seek(topic, subscription, from.name);
  }
  if (from.kind === 'sequence' && !bus.capabilities.replayFromSequence) {
    throw new ReplayCommandError(
      `BUS=${busKind} has no message sequence numbers, so seq:N cannot be replayed: use an ISO-8601 time, snapshot:NAME or beginning`,
    );
  }
  if (from.kind === 'time' && !bus.capabilities.replayFromTime) {
    throw new ReplayCommandError(
      `BUS=${busKind} cannot seek ${subscription} to a time here (the Pub/Sub emulator answers seek(time) UNIMPLEMENTED; on the cloud it needs PUBSUB_RETAIN_ACKED_MESSAGES=true): use snapshot:NAME or beginning`,
    );
  }
  return bus.replay(topic, subscription, from);
}

/**
 * `mobius replay`: rewinds a subscription so its consumer receives every message again from a point
 * (on Pub/Sub a seek: to a time, to a snapshot, or to the beginning; see `rewind`).
 * The running consumers pick the replay up; their handlers are idempotent, so state does not change.
 * Then it follows the backlog down with a progress line (where the bus can tell it; --no-wait skips).
 * A sink's subscription (chat-sync, vertex-sync) is not rewound unless --force: it would change
 * nothing, and the command says so and names `mobius resync --repair`, which rebuilds.
 */
export async function replayCommand(options: ReplayCommandOptions, io: CliIO): Promise<void> {
  const subscription = findSubscription(options.subscription);
  if (!subscription) {
    const known = ALL_SUBSCRIPTIONS.map((s) => s.name).join(', ');
    throw new ReplayCommandError(`unknown subscription ${options.subscription} (known: ${known})`);
  }
  const from = parseReplayFrom(options.from);
  if (SINK_TARGETS[subscription.name] && !options.force) {
    for (const line of sinkReplayNotice(subscription.name).split('\n')) io.err(line);
    throw new CommandExit(1);
  }
  const resolved = await resolveCliEnv(io, options);
  announceTarget(io, 'replay', resolved, [busItem(resolved.env)]);
  const config = loadBusConfig('mobius', resolved.env);
  const target = `${subscription.name} on ${config.topicPrefix}${subscription.topic}`;
  if (options.dryRun) {
    io.out(`would replay ${target} from ${describeFrom(from)} (bus ${config.kind})`);
    return;
  }
  if (config.kind === 'memory')
    throw new ReplayCommandError(
      'replay needs a shared bus; BUS=memory lives inside one process (mobius dev shares NATS when started with NATS_URL)',
    );
  const bus = await createServiceBus('mobius', config);
  try {
    io.out(`replaying ${target} from ${describeFrom(from)} ...`);
    await rewind(bus, config.kind, subscription.topic, subscription.name, from);
    io.out(`replayed ${target}: its consumers now receive every message from ${describeFrom(from)} again;`);
    io.out('they apply what their durable state has not applied yet, so state that is already current does not change');
    if (options.wait !== false) await watchReplay(io, bus, subscription.topic, subscription.name);
  } finally {
    await bus.close();
  }
}
