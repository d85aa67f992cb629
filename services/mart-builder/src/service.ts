import { createServiceBus, createServiceWarehouse, describeWarehouse } from '@mobius/backends';
import type { Bus } from '@mobius/bus';
import { closeWithApp, createLogger, createMetrics, serviceInstance, startWithApp, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import { buildApp, startConsumer } from './app.ts';
import type { MartBuilderConfig } from './config.ts';

const SERVICE = 'mart-builder';

/** What `mobius dev` shares with the mart-builder: its one bus and a logger. Never closed here. */
export interface MartBuilderShared {
  bus?: Bus;
  logger?: Logger;
}

/**
 * The mart-builder's composition root (docs/architecture.md, "Composition roots"), for `mobius start
 * mart-builder` and `mobius dev` alike: merges landed batches into the mart and announces each run.
 * Its consumer (and the catch-up merge) starts once the app is ready and drains when it closes, before
 * the bus (unless shared) and the warehouse close.
 */
export async function createService(config: MartBuilderConfig, shared: MartBuilderShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const { pipeline } = config;
  const warehouse = tracePort(await createServiceWarehouse(SERVICE, pipeline), 'warehouse');
  // A start that fails here closes what it already opened; once the app exists, the app closes it.
  const bus =
    shared.bus ??
    (await createServiceBus(SERVICE, pipeline.bus, logger).catch(async (error: unknown) => {
      await warehouse.close();
      throw error;
    }));
  const readiness = [
    { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
    { name: 'bus', check: () => bus.ping() },
  ];
  const deps = { bus, warehouse, logger, metrics: createMetrics(SERVICE), readiness };
  const app = buildApp(deps);
  closeWithApp(app, () => warehouse.close());
  if (!shared.bus) closeWithApp(app, () => bus.close());
  // Registered last: fastify closes it first, so the consumer drains before what it uses closes.
  startWithApp(
    app,
    () => startConsumer(deps),
    (subscriber) => subscriber.close(),
  );
  return serviceInstance(SERVICE, app, logger, {
    warehouse: describeWarehouse(pipeline.warehouse),
    bus: shared.bus ? 'shared' : pipeline.bus.kind,
    topicPrefix: pipeline.bus.topicPrefix,
  });
}
