import type { Bus, SubscribeOptions } from '@mobius/bus';
import { SUBSCRIPTIONS } from '@mobius/contracts';
import type { Logger, ServiceMetrics } from '@mobius/service';
import { buildSinkApp, SINK_SUBSCRIBE_DEFAULTS } from '@mobius/sink-state';
import type { Warehouse } from '@mobius/warehouse';
import type { FastifyInstance } from 'fastify';
import type { ChatStore } from './chat-store.ts';
import { applyMartRuns, handleMartUpdated } from './handlers/apply-mart-runs.ts';

/** chat-sync's one typed dependency object; service.ts builds it, tests build their own. */
export interface ChatSyncDeps {
  store: ChatStore;
  warehouse: Warehouse;
  bus: Bus;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Mart rows per read page and per write; default APPLY_MART_RUNS_DEFAULTS.batchSize. */
  batchSize?: number;
  subscribeOptions?: SubscribeOptions;
  /** Fold the sinks' sync rounds into the warehouse's sync_runs after each run (service.ts turns it on). */
  foldSyncRounds?: boolean;
  /** Registers the closing of what the caller created, before the consumer's hooks (SinkAppOptions.own). */
  own?(app: FastifyInstance): void;
}

/** Every default of the consumer, in one place (the sink runner's: docs/sinks.md). */
export const CHAT_SYNC_SUBSCRIBE_DEFAULTS: SubscribeOptions = SINK_SUBSCRIBE_DEFAULTS;

/**
 * chat-sync's app, a sink app (docs/sinks.md): /healthz, /readyz (Chat database, warehouse, bus),
 * /metrics, and the consumer of `warehouse.mart_updated` on subscription `chat-sync`, started when the
 * app is ready and drained when it closes (no I/O before `ready()`).
 */
export function buildApp(deps: ChatSyncDeps): FastifyInstance {
  const run = { warehouse: deps.warehouse, store: deps.store, logger: deps.logger, batchSize: deps.batchSize };
  return buildSinkApp({
    subscription: SUBSCRIPTIONS.chatSync,
    store: deps.store,
    warehouse: deps.warehouse,
    bus: deps.bus,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: handleMartUpdated(run),
    catchUp: () => applyMartRuns(run),
    subscribeOptions: { ...CHAT_SYNC_SUBSCRIBE_DEFAULTS, ...deps.subscribeOptions },
    foldSyncRounds: deps.foldSyncRounds,
    own: deps.own,
  });
}
