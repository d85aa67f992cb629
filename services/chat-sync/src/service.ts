import { createServiceBus, createServiceWarehouse, describeWarehouse } from '@mobius/backends';
import type { Bus } from '@mobius/bus';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { closeWithApp, createLogger, createMetrics, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { createChatStore } from './chat-store.ts';
import type { ChatSyncConfig } from './config.ts';

const SERVICE = 'chat-sync';

/** What `mobius dev` shares with chat-sync: its one bus and a logger. Never closed here. */
export interface ChatSyncShared {
  bus?: Bus;
  logger?: Logger;
}

/**
 * chat-sync's composition root (docs/architecture.md, "Composition roots"), for `mobius start
 * chat-sync` and `mobius dev` alike: the sink app (docs/sinks.md) on Chat's database, the warehouse and
 * the bus, folding the sync rounds into the warehouse's sync_runs. Its consumer starts once the app is
 * ready and drains when it closes, before the bus (unless shared), the warehouse and the pool close.
 */
export async function createService(config: ChatSyncConfig, shared: ChatSyncShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const { pipeline } = config;
  const pool = createPool(pipeline.chatDatabaseUrl, {
    applicationName: `mobius-${SERVICE}`,
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  // A start that fails here closes what it already opened; once the app exists, the app closes it.
  const warehouse = tracePort(
    await createServiceWarehouse(SERVICE, pipeline).catch(async (error: unknown) => {
      await pool.end();
      throw error;
    }),
    'warehouse',
  );
  const bus =
    shared.bus ??
    (await createServiceBus(SERVICE, pipeline.bus, logger).catch(async (error: unknown) => {
      await Promise.all([warehouse.close(), pool.end()]);
      throw error;
    }));
  const app = buildApp({
    store: createChatStore(pool),
    warehouse,
    bus,
    logger,
    metrics: createMetrics(SERVICE),
    foldSyncRounds: true,
    own(app) {
      closeWithApp(app, () => pool.end());
      closeWithApp(app, () => warehouse.close());
      if (!shared.bus) closeWithApp(app, () => bus.close());
    },
  });
  return serviceInstance(SERVICE, app, logger, {
    chatDatabase: maskUrl(pipeline.chatDatabaseUrl),
    warehouse: describeWarehouse(pipeline.warehouse),
    bus: shared.bus ? 'shared' : pipeline.bus.kind,
    topicPrefix: pipeline.bus.topicPrefix,
  });
}
