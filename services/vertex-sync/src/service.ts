import { createServiceBus, createServiceVectorIndex, createServiceWarehouse, describeWarehouse } from '@mobius/backends';
import type { Bus } from '@mobius/bus';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { closeWithApp, createLogger, createMetrics, createServiceAccess, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import type { VectorIndex } from '@mobius/vector-index';
import { buildApp } from './app.ts';
import type { VertexSyncConfig } from './config.ts';
import { applyMartRuns } from './handlers/apply-mart-runs.ts';
import { createSinkStore } from './sink-store.ts';

const SERVICE = 'vertex-sync';

/** What `mobius dev` shares with vertex-sync: its one bus, the one index chat searches, a logger. Never closed here. */
export interface VertexSyncShared {
  /** `mobius dev` has said once that AUTH=none admits anyone: this service does not warn again. */
  authNoneAnnounced?: boolean;
  bus?: Bus;
  index?: VectorIndex;
  logger?: Logger;
  /**
   * The index lives in this process and starts empty: before returning, the watermark goes back to 0
   * under the sink's lock and every mart run is applied again (a full resync; the version guard keeps
   * equal versions, so the mart's current rows all come back).
   */
  refillIndex?: boolean;
}

/** vertex-sync as built, and how many datapoints it put back into an in-process index (undefined: not refilled). */
export interface VertexSyncInstance extends ServiceInstance {
  refilled: number | undefined;
}

/**
 * vertex-sync's composition root (docs/architecture.md, "Composition roots"), for `mobius start
 * vertex-sync` and `mobius dev` alike: the sink app (docs/sinks.md) writing the vector index, its state
 * in Chat's database, the index views behind the deployment's credentials, folding the sync rounds
 * into the warehouse's sync_runs. Its consumer starts once the app is ready and drains when it closes,
 * before what it uses closes (the bus and the index only when not shared).
 */
export async function createService(config: VertexSyncConfig, shared: VertexSyncShared = {}): Promise<VertexSyncInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const { pipeline } = config;
  const pool = createPool(pipeline.chatDatabaseUrl, {
    applicationName: `mobius-${SERVICE}`,
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const opened: (() => Promise<unknown>)[] = [() => pool.end()];
  // A start that fails here closes what it already opened; once the app exists, the app closes it.
  const open = async <T>(created: Promise<T>, close: (resource: T) => Promise<unknown>): Promise<T> => {
    try {
      const resource = await created;
      opened.unshift(() => close(resource));
      return resource;
    } catch (error) {
      for (const end of opened) await end().catch(() => undefined);
      throw error;
    }
  };
  const warehouse = tracePort(await open(createServiceWarehouse(SERVICE, pipeline), (w) => w.close()), 'warehouse');
  const index = shared.index ?? tracePort(await open(createServiceVectorIndex(SERVICE, pipeline), (i) => i.close()), 'vector-index');
  const bus = shared.bus ?? (await open(createServiceBus(SERVICE, pipeline.bus, logger), (b) => b.close()));
  const access = createServiceAccess(config.auth, {
    applicationName: `mobius-${SERVICE}-auth`,
    logger,
    authNoneAnnounced: shared.authNoneAnnounced ?? false,
  });
  const store = createSinkStore(pool);
  const dimensions = pipeline.embeddingDimensions;
  const app = buildApp({
    store,
    warehouse,
    index,
    dimensions,
    bus,
    access: access.policy,
    logger,
    metrics: createMetrics(SERVICE),
    foldSyncRounds: true,
    own(app) {
      // Last registered closes first: the consumer, then access, bus, index, warehouse, pool.
      for (const close of [...opened].reverse()) closeWithApp(app, close);
      closeWithApp(app, () => access.close());
    },
  });
  let refilled: number | undefined;
  if (shared.refillIndex) {
    try {
      await store.rewind();
      refilled = (await applyMartRuns({ store, warehouse, index, dimensions, logger })).datapointsUpserted;
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  const facts = {
    chatDatabase: maskUrl(pipeline.chatDatabaseUrl),
    warehouse: describeWarehouse(pipeline.warehouse),
    vectorIndex: shared.index ? 'shared' : pipeline.vectorIndex.kind,
    bus: shared.bus ? 'shared' : pipeline.bus.kind,
    topicPrefix: pipeline.bus.topicPrefix,
    auth: config.auth.mode,
  };
  return { ...serviceInstance(SERVICE, app, logger, facts), refilled };
}
