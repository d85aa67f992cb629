import { requireCredential, type AccessPolicy } from '@mobius/auth';
import type { Bus, SubscribeOptions } from '@mobius/bus';
import { SUBSCRIPTIONS } from '@mobius/contracts';
import { registerInvalidDatapointMetrics, type Logger, type ServiceMetrics } from '@mobius/service';
import { buildSinkApp, SINK_SUBSCRIBE_DEFAULTS, type SinkStore } from '@mobius/sink-state';
import type { VectorIndex } from '@mobius/vector-index';
import type { Warehouse } from '@mobius/warehouse';
import type { FastifyInstance } from 'fastify';
import { applyMartRuns, handleMartUpdated } from './handlers/apply-mart-runs.ts';

/** vertex-sync's one typed dependency object; service.ts builds it, tests build their own. */
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
   * Who may read the index views (docs/security.md). service.ts always passes the deployment's
   * (loadHttpAuthConfig); default `{mode: 'none'}` for in-process use (tests).
   */
  access?: AccessPolicy;
  /** Mart rows per read page; default APPLY_MART_RUNS_DEFAULTS.batchSize. */
  batchSize?: number;
  subscribeOptions?: SubscribeOptions;
  /** Fold the sinks' sync rounds into the warehouse's sync_runs after each run (service.ts turns it on). */
  foldSyncRounds?: boolean;
  /** Registers the closing of what the caller created, before the consumer's hooks (SinkAppOptions.own). */
  own?(app: FastifyInstance): void;
}

/** Every default of the consumer, in one place (the sink runner's: docs/sinks.md). */
export const VERTEX_SYNC_SUBSCRIBE_DEFAULTS: SubscribeOptions = SINK_SUBSCRIBE_DEFAULTS;

/**
 * vertex-sync's app, a sink app (docs/sinks.md): /healthz, /readyz (the Chat database that holds its
 * state, the warehouse, the bus), /metrics, the index views, and the consumer of
 * `warehouse.mart_updated` on subscription `vertex-sync`, started when the app is ready and drained
 * when it closes.
 */
export function buildApp(vertexSyncDeps: VertexSyncDeps): FastifyInstance {
  // Rows skipped for an unusable embedding are counted on /metrics (mobius_vertex_sync_invalid_rows_total).
  const deps = { ...vertexSyncDeps, invalidRows: registerInvalidDatapointMetrics(vertexSyncDeps.metrics.registry) };
  return buildSinkApp({
    subscription: SUBSCRIPTIONS.vertexSync,
    store: deps.store,
    warehouse: deps.warehouse,
    bus: deps.bus,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: handleMartUpdated(deps),
    catchUp: () => applyMartRuns(deps),
    routes: (app) => registerIndexInspection(app, deps.index, deps.access ?? { mode: 'none' }),
    subscribeOptions: { ...VERTEX_SYNC_SUBSCRIBE_DEFAULTS, ...deps.subscribeOptions },
    foldSyncRounds: deps.foldSyncRounds,
    own: deps.own,
  });
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
