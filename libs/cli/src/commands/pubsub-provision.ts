import { createServiceBus } from '@mobius/backends';
import { loadBusConfig } from '@mobius/config';
import { ALL_SUBSCRIPTIONS, deadLetterTopic } from '@mobius/contracts';
import type { CliIO } from '../io.ts';
import { announceTarget, busItem, resolveCliEnv } from '../runtime/index.ts';

export interface PubSubProvisionOptions {
  dryRun?: boolean;
}

/** `mobius pubsub provision` was run with a bus that is not Pub/Sub. */
export class PubSubProvisionError extends Error {
  readonly code = 'PROVISION_INPUT';
  readonly retryable = false;
}

/**
 * `mobius pubsub provision`: creates, idempotently, every catalogue topic, subscription and
 * dead-letter topic (with their peek subscriptions and, on the emulator, the `mobius-origin`
 * snapshots), with the subscription settings of PUBSUB_* . For environments whose services run
 * with PUBSUB_PROVISION=off because they lack the Pub/Sub Editor role: run it once per environment
 * (and TOPIC_PREFIX) with an identity that has it, before the services start.
 */
export async function pubsubProvisionCommand(options: PubSubProvisionOptions, io: CliIO): Promise<void> {
  const resolved = await resolveCliEnv(io);
  announceTarget(io, 'pubsub provision', resolved, [busItem(resolved.env)]);
  const config = loadBusConfig('mobius', resolved.env);
  if (config.kind !== 'pubsub') throw new PubSubProvisionError(`pubsub provision needs BUS=pubsub (BUS is ${config.kind})`);
  if (options.dryRun) {
    for (const { topic, name } of ALL_SUBSCRIPTIONS) io.out(`would create ${config.topicPrefix}${name} on ${config.topicPrefix}${topic}`);
    return;
  }
  // createServiceBus provisions the catalogue itself unless told not to; this command always does.
  const bus = await createServiceBus('mobius', { ...config, pubsub: { ...config.pubsub, provision: 'auto' } });
  try {
    for (const subscription of ALL_SUBSCRIPTIONS) {
      await bus.ensureSubscription(subscription.topic, subscription.name);
      const prefix = config.topicPrefix;
      io.out(`ok ${prefix}${subscription.name} on ${prefix}${subscription.topic} (dead letters: ${prefix}${deadLetterTopic(subscription)})`);
    }
  } finally {
    await bus.close();
  }
}
