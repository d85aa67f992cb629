import { requireCredential, type AccessPolicy } from '@mobius/auth';
import type { Bus, Message, SubscribeOptions, Subscriber } from '@mobius/bus';
import { SUBSCRIPTIONS } from '@mobius/contracts';
import {
  buildServiceApp,
  consumerMetrics,
  registerInvalidDatapointMetrics,
  registerPushEndpoint,
  type Logger,
  type ServiceMetrics,
} from '@mobius/service';
import type { VectorIndex } from '@mobius/vector-index';
import type { Warehouse } from '@mobius/warehouse';
import type { FastifyInstance } from 'fastify';
import { applyMartRuns, handleMartUpdated } from './handlers/apply-mart-runs.ts';
import type { SinkStore } from './sink-store.ts';

/** vertex-sync's one typed dependency object; main.ts builds it, tests build their own. */
export interface VertexSyncDeps {
  store: SinkStore;
  warehouse: Warehouse;
  index: VectorIndex;
  /** The index's embedding length (EMBEDDING_DIMENSIONS). */
  dimensions: number;
  bus: Bus;
  logger: Logger;
  metrics: ServiceMetrics;
  /**
   * Who may read the index views (docs/security.md). main.ts always passes the deployment's
   * (loadHttpAuthConfig); default `{mode: 'none'}` for in-process use (tests, mobius dev).
   */
  access?: AccessPolicy;
  /** Mart rows per read page; default APPLY_MART_RUNS_DEFAULTS.batchSize. */
  batchSize?: number;
  subscribeOptions?: SubscribeOptions;
}

/** Every default of the consumer, in one place. */
export const VERTEX_SYNC_SUBSCRIBE_DEFAULTS: SubscribeOptions = {
  // One run at a time per instance: a second trigger would only wait on the sink lock.
  concurrency: 1,
};

/**
 * vertex-sync's app: /healthz, /readyz (the Chat database that holds its state, and the warehouse;
 * the Vertex adapter will add its own check), /metrics, and the consumer of `warehouse.mart_updated`
 * on subscription `vertex-sync`, started when the app is ready and drained when it closes.
 */
export function buildApp(vertexSyncDeps: VertexSyncDeps): FastifyInstance {
  const { topic, name: subscription } = SUBSCRIPTIONS.vertexSync;
  // Rows skipped for an unusable embedding are counted on /metrics (mobius_vertex_sync_invalid_rows_total).
  const deps = { ...vertexSyncDeps, invalidRows: registerInvalidDatapointMetrics(vertexSyncDeps.metrics.registry) };
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [
      { name: 'chat-db', check: () => deps.store.ping() },
      { name: 'warehouse', check: async () => void (await deps.warehouse.latestMartRunId()) },
      { name: 'bus', check: () => deps.bus.ping() },
    ],
  });
  registerIndexInspection(app, deps.index, deps.access ?? { mode: 'none' });
  registerPushEndpoint(app, deps.bus); // BUS_MODE=push: the handler below also answers POST /pubsub/push
  const handle = handleMartUpdated(deps);
  const handler = async (message: Message): Promise<void> => void (await handle(message));
  const metrics = consumerMetrics(subscription, deps.metrics, deps.logger);
  let subscriber: Subscriber | undefined;
  app.addHook('onReady', async () => {
    await deps.bus.ensureSubscription(topic, subscription);
    subscriber = await deps.bus.subscribe(topic, subscription, handler, {
      ...VERTEX_SYNC_SUBSCRIBE_DEFAULTS,
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

/**
 * Read-only views of the index this sink writes, for operators and end-to-end checks: with the
 * in-process index nothing outside this process could see it otherwise. `GET /index/datapoints` lists
 * the ids; `POST /index/datapoints:read {ids}` returns those datapoints. Both need a credential under
 * `access` (they expose the whole index).
 */
function registerIndexInspection(app: FastifyInstance, index: VectorIndex, access: AccessPolicy): void {
  const onRequest = requireCredential(access);
  app.get('/index/datapoints', { onRequest }, async () => ({ ids: (await index.listDatapointIds()).sort() }));
  app.post<{ Body: { ids?: unknown } }>('/index/datapoints:read', { onRequest }, async (request, reply) => {
    const ids = request.body?.ids;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      return reply.status(400).send({ error: { code: 'INVALID_BODY', message: 'ids must be an array of strings' } });
    }
    return { datapoints: await index.readDatapoints(ids) };
  });
}
