import type { Bus, Message, Middleware, SubscribeOptions, Subscriber } from '@mobius/bus';
import { buildServiceApp, consumerMetrics, registerPushEndpoint, type Logger, type ServiceMetrics } from '@mobius/service';
import { hasSyncRunLog, type Warehouse } from '@mobius/warehouse';
import type { FastifyInstance } from 'fastify';
import type { SinkStore } from './sink-store.ts';
import { foldSyncRoundsAfterEachRun } from './sync-rounds.ts';

/** Every default of a sink's consumer, in one place. */
export const SINK_SUBSCRIBE_DEFAULTS: SubscribeOptions = {
  // One run at a time per instance: a second trigger would only wait on the sink lock.
  concurrency: 1,
};

/** A sink's service: its state, its trigger subscription and its run (docs/sinks.md). */
export interface SinkAppOptions {
  /** The catalogue's subscription of this sink to warehouse.mart_updated (SUBSCRIPTIONS of @mobius/contracts). */
  subscription: { topic: string; name: string };
  store: SinkStore;
  warehouse: Warehouse;
  bus: Bus;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The mart_updated handler: validates the trigger, then applies every run not applied yet. */
  handle(message: Message): Promise<unknown>;
  /** Applies every run not applied yet (the catch-up at start). */
  catchUp(): Promise<unknown>;
  /** The sink's own routes, registered before the push endpoint (vertex-sync's index views). */
  routes?(app: FastifyInstance): void;
  subscribeOptions?: SubscribeOptions;
  /**
   * After each handled trigger, fold the sinks' sync round into the warehouse's sync_runs when the
   * warehouse keeps one (sync-rounds.ts). On in every service; tests that drive one sink leave it off.
   */
  foldSyncRounds?: boolean;
  /**
   * Called once the app exists and before the consumer's hooks are added: the service registers there
   * (closeWithApp of @mobius/service) the closing of what it created. Fastify runs onClose hooks
   * last-registered first, so the consumer drains before the pool, warehouse and bus it uses close.
   */
  own?(app: FastifyInstance): void;
}

/**
 * A sink's app: /healthz, /readyz (the Chat database that holds its state, the warehouse, the bus),
 * /metrics, POST /pubsub/push when BUS_MODE=push, and the pull consumer of its subscription, started
 * when the app is ready (then a catch-up run applies what was committed while no instance ran) and
 * drained when it closes.
 */
export function buildSinkApp(options: SinkAppOptions): FastifyInstance {
  const { topic, name: subscription } = options.subscription;
  const { store, warehouse, bus, logger } = options;
  const app = buildServiceApp({
    logger,
    metrics: options.metrics,
    readiness: [
      { name: 'chat-db', check: () => store.ping() },
      { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
      { name: 'bus', check: () => bus.ping() },
    ],
  });
  options.routes?.(app);
  registerPushEndpoint(app, bus); // BUS_MODE=push: the handler below also answers POST /pubsub/push
  options.own?.(app);
  const handler = async (message: Message): Promise<void> => void (await options.handle(message));
  const middleware: Middleware[] = [consumerMetrics(subscription, options.metrics, logger)];
  if (options.foldSyncRounds && hasSyncRunLog(warehouse)) middleware.push(foldSyncRoundsAfterEachRun(store.pool, warehouse, logger));
  let subscriber: Subscriber | undefined;
  app.addHook('onReady', async () => {
    await bus.ensureSubscription(topic, subscription);
    subscriber = await bus.subscribe(topic, subscription, handler, {
      ...SINK_SUBSCRIBE_DEFAULTS,
      ...options.subscribeOptions,
      middleware: [...middleware, ...(options.subscribeOptions?.middleware ?? [])],
    });
    // Catch up at start: runs committed while no instance was running (or whose trigger is still held
    // by a dead instance until its ack wait expires) are applied now, not at the next trigger.
    void options.catchUp().catch((error: unknown) => logger.warn({ err: error }, 'catch-up at start failed; the next trigger retries'));
  });
  app.addHook('onClose', async () => {
    await subscriber?.close();
    subscriber = undefined;
  });
  return app;
}
