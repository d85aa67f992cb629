import type { Bus } from '@mobius/bus';
import { createServiceBus, createServiceWarehouse, describeWarehouse } from '@mobius/backends';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { closeWithApp, createLogger, createMetrics, createServiceAccess, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { CONSOLE_DEFAULTS, type ConsoleConfig } from './config.ts';
import { consoleSources } from './sources/from-backends.ts';

const SERVICE = 'console';

/**
 * What `mobius dev` shares with the console: the bus the whole process uses (so the console sees the
 * in-process subscriptions' backlog and dead letters) and a logger. Never closed here.
 */
export interface ConsoleShared {
  /** `mobius dev` has said once that AUTH=none admits anyone: this service does not warn again. */
  authNoneAnnounced?: boolean;
  bus?: Bus;
  logger?: Logger;
}

/**
 * The console's composition root (docs/architecture.md, "Composition roots"), for `mobius start
 * console` and `mobius dev` alike. It only reads: RAG's outbox, Chat, the warehouse and the bus; no
 * consumer, nothing published. Without a shared bus, BUS=memory means no bus at all (one of its own
 * would be empty: the page says so rather than show zeros). The pools, the warehouse, the guard's
 * user-directory pool and (unless shared) the bus close with the app; the status sampler runs while
 * the app is up (app.ts).
 */
export async function createService(config: ConsoleConfig, shared: ConsoleShared = {}): Promise<ServiceInstance> {
  const { pipeline } = config;
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const warehouse = tracePort(await createServiceWarehouse(SERVICE, pipeline, { applicationName: `mobius-${SERVICE}` }), 'warehouse');
  const ownBus =
    shared.bus || pipeline.bus.kind === 'memory'
      ? undefined
      : await createServiceBus(SERVICE, pipeline.bus, logger).catch(async (error: unknown) => {
          await warehouse.close();
          throw error;
        });
  const bus = shared.bus ?? ownBus;
  const busNote = bus ? undefined : CONSOLE_DEFAULTS.noBusNote;
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle database connection failed');
  const rag = createPool(pipeline.ragDatabaseUrl, { applicationName: `mobius-${SERVICE}`, onIdleError });
  const chat = createPool(pipeline.chatDatabaseUrl, { applicationName: `mobius-${SERVICE}`, onIdleError });
  const access = createServiceAccess(config.auth, {
    applicationName: `mobius-${SERVICE}-auth`,
    logger,
    authNoneAnnounced: shared.authNoneAnnounced ?? false,
  });
  const app = buildApp({
    ...consoleSources({ ...(bus ? { bus } : {}), ...(busNote ? { busNote } : {}), rag, chat, warehouse }),
    access: access.policy,
    refreshSeconds: config.refreshSeconds,
    sampleIntervalMs: config.sampleIntervalMs,
    readiness: [
      { name: 'rag-db', check: async () => void (await rag.query('SELECT 1')) },
      { name: 'chat-db', check: async () => void (await chat.query('SELECT 1')) },
      ...(bus ? [{ name: 'bus', check: () => bus.ping() }] : []),
    ],
    logger,
    metrics: createMetrics(SERVICE),
  });
  closeWithApp(app, () => Promise.all([rag.end(), chat.end(), access.close()]));
  closeWithApp(app, () => warehouse.close());
  if (ownBus) closeWithApp(app, () => ownBus.close());

  return serviceInstance(SERVICE, app, logger, {
    ragDatabase: maskUrl(pipeline.ragDatabaseUrl),
    chatDatabase: maskUrl(pipeline.chatDatabaseUrl),
    warehouse: describeWarehouse(pipeline.warehouse),
    bus: shared.bus ? 'shared' : ownBus ? pipeline.bus.kind : 'none',
    topicPrefix: pipeline.bus.topicPrefix,
  });
}
