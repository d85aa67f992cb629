import { createBus, type Bus } from '@mobius/bus';
import { ConfigError, type BusConfig } from '@mobius/config';
import type { Logger } from '@mobius/service';

/**
 * The bus the environment selects (BUS, NATS_URL, TOPIC_PREFIX, ...), for every service and the CLI:
 * the one place that maps configuration onto the Bus port's factory.
 */
export async function createServiceBus(service: string, config: BusConfig, logger?: Logger): Promise<Bus> {
  const busLogger = logger?.child({ component: 'bus' });
  switch (config.BUS) {
    case 'nats':
    case 'memory':
      return createBus({
        kind: config.BUS,
        natsUrl: config.NATS_URL,
        topicPrefix: config.TOPIC_PREFIX,
        ...(busLogger ? { logger: busLogger } : {}),
      });
    case 'pubsub':
      throw new ConfigError(service, 'BUS', 'pubsub is not available yet (use nats or memory)');
  }
}
