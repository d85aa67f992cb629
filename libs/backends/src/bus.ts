import type { Bus } from '@mobius/bus';
import type { BusSettings } from '@mobius/config';
import { ALL_SUBSCRIPTIONS } from '@mobius/contracts';
import type { Logger } from '@mobius/service';

/**
 * The bus the settings select (loadBusConfig / loadPipelineConfig's `bus`, already checked whole), for
 * every service and the CLI: the one place that maps bus settings onto the Bus port's factory. No
 * validation here: a wrong combination is a ConfigError at parse time (libs/config).
 *
 * @mobius/bus is imported here, on the first call, and it imports only the adapter selected; none of
 * this package's factories load a port's library before it is called, so a service pays only for the
 * ports it builds.
 *
 * With Pub/Sub and provision `auto` it also creates, idempotently, every subscription of the
 * catalogue (with its topic and dead-letter topic) before returning: a Pub/Sub subscription receives
 * only what is published once it exists, so a producer that starts first must not publish into a
 * topic nobody subscribes yet. With PUBSUB_PROVISION=off, `mobius pubsub provision` does this once.
 */
export async function createServiceBus(_service: string, settings: BusSettings, logger?: Logger): Promise<Bus> {
  const busLogger = logger?.child({ component: 'bus' });
  const common = { topicPrefix: settings.topicPrefix, ...(busLogger ? { logger: busLogger } : {}) };
  const { createBus } = await import('@mobius/bus');
  if (settings.kind !== 'pubsub') return createBus({ kind: settings.kind, natsUrl: settings.natsUrl, ...common });
  const bus = await createBus({ kind: 'pubsub', pubsub: settings.pubsub, ...common });
  if (settings.pubsub.provision === 'auto') await provisionCatalogue(bus);
  return bus;
}

/** Creates every catalogue subscription (topic, subscription, dead-letter topic, peek subscriptions). */
export async function provisionCatalogue(bus: Bus): Promise<void> {
  for (const { topic, name } of ALL_SUBSCRIPTIONS) await bus.ensureSubscription(topic, name);
}
