import { createServiceWarehouse } from '@mobius/backends';
import { createPool } from '@mobius/db';
import { createMetrics } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
// The ingestor has no src/index.ts yet (its package.json names one): its app module is imported directly.
import { buildApp, ragSnapshotSource, startConsumer } from '../../../../../services/ingestor/src/app.ts';
import type { DevContext, DevService } from './types.ts';

/** The ingestor as `mobius start ingestor` wires it, consuming from the shared bus. */
export async function startIngestor(ctx: DevContext): Promise<DevService> {
  const logger = ctx.logger('ingestor');
  const ragPool = createPool(ctx.ragReadUrl, {
    applicationName: 'ingestor',
    onIdleError: (err) => logger.warn({ err }, 'rag connection lost'),
  });
  const warehouse = tracePort(await createServiceWarehouse('ingestor', ctx.pipeline), 'warehouse');
  const readiness = [
    { name: 'rag-postgres', check: async () => void (await ragPool.query('SELECT 1')) },
    { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
    { name: 'bus', check: () => ctx.bus.ping() },
  ];
  const deps = { bus: ctx.bus, warehouse, source: ragSnapshotSource(ragPool), logger, metrics: createMetrics('ingestor'), readiness };
  const app = buildApp(deps);
  const subscriber = await startConsumer(deps);
  return {
    name: 'ingestor',
    app,
    async stop() {
      await subscriber.close();
      await warehouse.close();
      await ragPool.end();
    },
  };
}
