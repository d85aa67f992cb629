import { createServiceWarehouse } from '@mobius/backends';
import { SINK_STORE_DEFAULTS, VERTEX_SYNC_SINK, applyMartRuns, buildApp, createSinkStore, type ApplyMartRunsDeps } from '@mobius/vertex-sync';
import { createPool, withTransaction } from '@mobius/db';
import { createMetrics } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import { lockSink } from '@mobius/sink-state';
import type pg from 'pg';
import type { DevContext, DevService } from './types.ts';

/** vertex-sync, and how many datapoints it put back into an in-process index at start. */
export interface DevVertexSync extends DevService {
  refilled: number | undefined;
}

/**
 * Refills an empty in-process index: vertex-sync's watermark (kept in Chat's database) goes back to
 * 0 under its advisory lock, then every mart run is applied again: a full resync. Its version guard
 * keeps equal versions, so the mart's current rows all come back. Returns the datapoints written.
 */
async function refillIndex(pool: pg.Pool, deps: ApplyMartRunsDeps): Promise<number> {
  await withTransaction(pool, async (client) => {
    await lockSink(client, VERTEX_SYNC_SINK, SINK_STORE_DEFAULTS.lockWaitMs);
    await client.query('UPDATE mobius_sink_state SET last_mart_run_id = 0, updated_at = now() WHERE sink = $1', [VERTEX_SYNC_SINK]);
  });
  return (await applyMartRuns(deps)).datapointsUpserted;
}

/**
 * vertex-sync as `mobius start vertex-sync` wires it, writing the shared index (which chat reads).
 * The in-process index starts empty at every run, so it is refilled from the mart before the
 * consumer starts (on the shared bus, when the app listens).
 */
export async function startVertexSync(ctx: DevContext): Promise<DevVertexSync> {
  const logger = ctx.logger('vertex-sync');
  const pool = createPool(ctx.pipeline.chatDatabaseUrl, {
    applicationName: 'mobius-vertex-sync',
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const warehouse = tracePort(await createServiceWarehouse('vertex-sync', ctx.pipeline), 'warehouse');
  const store = createSinkStore(pool);
  const deps = { store, warehouse, index: ctx.index, dimensions: ctx.pipeline.env.EMBEDDING_DIMENSIONS, bus: ctx.bus, logger };
  const stop = async () => {
    await warehouse.close();
    await pool.end();
  };
  try {
    const refilled = ctx.indexIsInProcess ? await refillIndex(pool, deps) : undefined;
    const app = buildApp({ ...deps, metrics: createMetrics('vertex-sync') });
    return { name: 'vertex-sync', app, stop, refilled };
  } catch (error) {
    await stop();
    throw error;
  }
}
