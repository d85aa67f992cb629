import type { Bus, PubSubOptions, PushAuthSettings } from '@mobius/bus';
import { ConfigError, type BusConfig } from '@mobius/config';
import { ALL_SUBSCRIPTIONS } from '@mobius/contracts';
import type { Logger } from '@mobius/service';

/**
 * The bus the environment selects (BUS, NATS_URL, TOPIC_PREFIX, PUBSUB_*, BUS_MODE, PUSH_*), for every
 * service and the CLI: the one place that maps configuration onto the Bus port's factory.
 *
 * @mobius/bus is imported here, after the configuration is checked (a ConfigError comes first), and
 * it imports only the adapter selected; none of this package's factories load a port's library before
 * it is called, so a service pays only for the ports it builds.
 *
 * With BUS=pubsub and PUBSUB_PROVISION=auto it also creates, idempotently, every subscription of the
 * catalogue (with its topic and dead-letter topic) before returning: a Pub/Sub subscription receives
 * only what is published once it exists, so a producer that starts first must not publish into a
 * topic nobody subscribes yet. With PUBSUB_PROVISION=off, `mobius pubsub provision` does this once.
 */
export async function createServiceBus(service: string, config: BusConfig, logger?: Logger): Promise<Bus> {
  const busLogger = logger?.child({ component: 'bus' });
  const common = { topicPrefix: config.TOPIC_PREFIX, ...(busLogger ? { logger: busLogger } : {}) };
  switch (config.BUS) {
    case 'nats':
    case 'memory': {
      if (config.BUS_MODE === 'push') throw new ConfigError(service, 'BUS_MODE', `push needs BUS=pubsub (BUS is ${config.BUS})`);
      const { createBus } = await import('@mobius/bus');
      return createBus({ kind: config.BUS, natsUrl: config.NATS_URL, ...common });
    }
    case 'pubsub': {
      const options = pubsubOptions(service, config);
      const { createBus } = await import('@mobius/bus');
      const bus = await createBus({ kind: 'pubsub', pubsub: options, ...common });
      if (config.PUBSUB_PROVISION === 'auto') await provisionCatalogue(bus);
      return bus;
    }
  }
}

/** Creates every catalogue subscription (topic, subscription, dead-letter topic, peek subscriptions). */
export async function provisionCatalogue(bus: Bus): Promise<void> {
  for (const { topic, name } of ALL_SUBSCRIPTIONS) await bus.ensureSubscription(topic, name);
}

/**
 * The Pub/Sub adapter's options from the environment. Throws ConfigError naming the variable for
 * what zod cannot check alone: push mode with OIDC needs PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT; the
 * emulator gets a local project (`mobius-local`) when none is given.
 */
export function pubsubOptions(service: string, config: BusConfig): PubSubOptions {
  const options: PubSubOptions = {
    mode: config.BUS_MODE,
    provision: config.PUBSUB_PROVISION,
    pushAuth: pushAuth(service, config),
  };
  const projectId = config.PUBSUB_PROJECT ?? config.GOOGLE_CLOUD_PROJECT ?? (config.PUBSUB_EMULATOR_HOST ? 'mobius-local' : undefined);
  if (projectId !== undefined) options.projectId = projectId;
  if (config.PUBSUB_EMULATOR_HOST !== undefined) options.emulatorHost = config.PUBSUB_EMULATOR_HOST;
  if (config.PUBSUB_ACK_DEADLINE_SECONDS !== undefined) options.ackDeadlineSeconds = config.PUBSUB_ACK_DEADLINE_SECONDS;
  if (config.PUBSUB_MIN_BACKOFF_SECONDS !== undefined) options.minBackoffSeconds = config.PUBSUB_MIN_BACKOFF_SECONDS;
  if (config.PUBSUB_MAX_BACKOFF_SECONDS !== undefined) options.maxBackoffSeconds = config.PUBSUB_MAX_BACKOFF_SECONDS;
  if (config.PUBSUB_MAX_DELIVERY_ATTEMPTS !== undefined) options.maxDeliveryAttempts = config.PUBSUB_MAX_DELIVERY_ATTEMPTS;
  if (config.PUBSUB_MAX_OUTSTANDING_MESSAGES !== undefined) options.maxOutstandingMessages = config.PUBSUB_MAX_OUTSTANDING_MESSAGES;
  if (config.PUBSUB_MAX_OUTSTANDING_BYTES !== undefined) options.maxOutstandingBytes = config.PUBSUB_MAX_OUTSTANDING_BYTES;
  if (config.PUBSUB_RETAIN_ACKED_MESSAGES !== undefined) options.retainAckedMessages = config.PUBSUB_RETAIN_ACKED_MESSAGES === 'true';
  if (config.PUBSUB_PUSH_ENDPOINT !== undefined) options.pushEndpoint = config.PUBSUB_PUSH_ENDPOINT;
  if ((options.minBackoffSeconds ?? 0) > (options.maxBackoffSeconds ?? Number.MAX_SAFE_INTEGER)) {
    throw new ConfigError(service, 'PUBSUB_MAX_BACKOFF_SECONDS', 'must not be below PUBSUB_MIN_BACKOFF_SECONDS');
  }
  return options;
}

function pushAuth(service: string, config: BusConfig): PushAuthSettings {
  if (config.PUSH_AUTH === 'none') return { kind: 'none' };
  if (config.BUS_MODE !== 'push') return { kind: 'none' };
  if (config.PUSH_AUDIENCE === undefined) throw new ConfigError(service, 'PUSH_AUDIENCE', 'is required with BUS_MODE=push and PUSH_AUTH=oidc');
  if (config.PUSH_SERVICE_ACCOUNT === undefined) {
    throw new ConfigError(service, 'PUSH_SERVICE_ACCOUNT', 'is required with BUS_MODE=push and PUSH_AUTH=oidc');
  }
  return { kind: 'oidc', audience: config.PUSH_AUDIENCE, serviceAccountEmail: config.PUSH_SERVICE_ACCOUNT };
}
