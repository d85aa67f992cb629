import type { Bus, Message, SubscribeOptions, Subscriber } from '@mobius/bus';
import { SUBSCRIPTIONS } from '@mobius/contracts';
import { buildServiceApp, consumerMetrics, registerPushEndpoint, type Logger, type ServiceMetrics } from '@mobius/service';
import type { Warehouse } from '@mobius/warehouse';
import type { FastifyInstance } from 'fastify';
import type { ChatStore } from './chat-store.ts';
import { applyMartRuns, handleMartUpdated } from './handlers/apply-mart-runs.ts';

/** chat-sync's one typed dependency object; main.ts builds it, tests build their own. */
export interface ChatSyncDeps {
  store: ChatStore;
  warehouse: Warehouse;
  bus: Bus;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Mart rows per read page and per write; default APPLY_MART_RUNS_DEFAULTS.batchSize. */
  batchSize?: number;
  subscribeOptions?: SubscribeOptions;
}

/** Every default of the consumer, in one place. */
export const CHAT_SYNC_SUBSCRIBE_DEFAULTS: SubscribeOptions = {
  // One run at a time per instance: a second trigger would only wait on the sink lock.
  concurrency: 1,
};

/**
 * chat-sync's app: /healthz, /readyz (Chat database and warehouse), /metrics, and the consumer of
 * `warehouse.mart_updated` on subscription `chat-sync`, started when the app is ready and drained
 * when it closes (no I/O before `ready()`).
 */
export function buildApp(deps: ChatSyncDeps): FastifyInstance {
  const { topic, name: subscription } = SUBSCRIPTIONS.chatSync;
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [
      { name: 'chat-db', check: () => deps.store.ping() },
      { name: 'warehouse', check: async () => void (await deps.warehouse.latestMartRunId()) },
      { name: 'bus', check: () => deps.bus.ping() },
    ],
  });
  registerPushEndpoint(app, deps.bus); // BUS_MODE=push: the handler below also answers POST /pubsub/push
  const handle = handleMartUpdated({ warehouse: deps.warehouse, store: deps.store, logger: deps.logger, batchSize: deps.batchSize });
  const handler = async (message: Message): Promise<void> => void (await handle(message));
  const metrics = consumerMetrics(subscription, deps.metrics, deps.logger);
  let subscriber: Subscriber | undefined;
  app.addHook('onReady', async () => {
    await deps.bus.ensureSubscription(topic, subscription);
    subscriber = await deps.bus.subscribe(topic, subscription, handler, {
      ...CHAT_SYNC_SUBSCRIBE_DEFAULTS,
      ...deps.subscribeOptions,
      middleware: [metrics, ...(deps.subscribeOptions?.middleware ?? [])],
    });
    // Catch up at start: runs committed while no instance was running (or whose trigger is still held
    // by a dead instance until its ack wait expires) are applied now, not at the next trigger.
    void applyMartRuns(deps).catch((error: unknown) => deps.logger.warn({ err: error }, 'catch-up at start failed; the next trigger retries'));
  });
  app.addHook('onClose', async () => {
    await subscriber?.close();
    subscriber = undefined;
  });
  return app;
}
