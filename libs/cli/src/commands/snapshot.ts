import { createServiceBus } from '@mobius/backends';
import { snapshotsOf, type SnapshotOperations } from '@mobius/bus';
import { loadBusConfig } from '@mobius/config';
import { ALL_SUBSCRIPTIONS, findSubscription, type SubscriptionSpec } from '@mobius/contracts';
import type { CliIO } from '../io.ts';
import { announceTarget, busItem, resolveCliEnv } from '../runtime/index.ts';

export interface SnapshotCommandOptions {
  subscription: string;
  /** `create` only: the snapshot's name (letters, digits, `_`, `-`); default `before-<UTC time>`. */
  name?: string;
}

/** A snapshot command's input cannot work (unknown subscription, a bus without snapshots). */
export class SnapshotCommandError extends Error {
  readonly code = 'SNAPSHOT_INPUT';
  readonly retryable = false;
}

/** `before-20260128T101500Z`: a default name that sorts by time and says what it is for. */
export function defaultSnapshotName(now: Date): string {
  return `before-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * `mobius snapshot create|list --subscription <name>` (BUS=pubsub): mark a point before a risky
 * deploy, and rewind to it with `mobius replay --subscription <name> --from snapshot:<NAME>`.
 * A Pub/Sub snapshot keeps the subscription's unacked messages and everything published after it,
 * for at most 7 days (less when the subscription already held old unacked messages).
 */
export async function snapshotCommand(action: 'create' | 'list', options: SnapshotCommandOptions, io: CliIO): Promise<void> {
  const subscription = findSubscription(options.subscription);
  if (!subscription) {
    const known = ALL_SUBSCRIPTIONS.map((s) => s.name).join(', ');
    throw new SnapshotCommandError(`unknown subscription ${options.subscription} (known: ${known})`);
  }
  const resolved = await resolveCliEnv(io);
  announceTarget(io, `snapshot ${action}`, resolved, [busItem(resolved.env)]);
  const config = loadBusConfig('mobius', resolved.env);
  if (config.kind !== 'pubsub')
    throw new SnapshotCommandError(`snapshots need BUS=pubsub (BUS is ${config.kind}); NATS replays from a time or seq:N instead`);
  const bus = await createServiceBus('mobius', config);
  try {
    const snapshots = snapshotsOf(bus);
    if (!snapshots) throw new SnapshotCommandError('this bus has no snapshots');
    if (action === 'create') await create(snapshots, subscription, options.name ?? defaultSnapshotName(new Date()), io);
    else await list(snapshots, subscription, io);
  } finally {
    await bus.close();
  }
}

async function create(snapshots: SnapshotOperations, subscription: SubscriptionSpec, name: string, io: CliIO): Promise<void> {
  const created = await snapshots.create(subscription.topic, subscription.name, name);
  const expires = created.expiresAt ? `, expires ${created.expiresAt.toISOString()}` : '';
  io.out(`created snapshot ${created.name} of ${subscription.name}${expires}`);
  // A sink's replay changes nothing unless forced (see sinkReplayNotice); the hint says so honestly.
  const sink = subscription.name === 'chat-sync' || subscription.name === 'vertex-sync';
  io.out(`rewind to it with: mobius replay --subscription ${subscription.name} --from snapshot:${created.name}${sink ? ' --force' : ''}`);
  if (sink) io.out(`(redelivers ${subscription.name}'s triggers; to rebuild its data from RAG use mobius resync --repair)`);
}

async function list(snapshots: SnapshotOperations, subscription: SubscriptionSpec, io: CliIO): Promise<void> {
  const found = await snapshots.list(subscription.topic, subscription.name);
  if (found.length === 0) {
    io.out(`no snapshots of ${subscription.name}`);
    return;
  }
  for (const snapshot of found) io.out(`${snapshot.name}\texpires ${snapshot.expiresAt?.toISOString() ?? 'never'}`);
}
