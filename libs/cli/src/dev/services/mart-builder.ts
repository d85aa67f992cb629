import { createServiceWarehouse } from '@mobius/backends';
import { createMetrics } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
// The mart-builder has no src/index.ts yet (its package.json names one): its app module is imported directly.
import { buildApp, startConsumer } from '../../../../../services/mart-builder/src/app.ts';
import type { DevContext, DevService } from './types.ts';

/** The mart-builder as `mobius start mart-builder` wires it, consuming from the shared bus. */
export async function startMartBuilder(ctx: DevContext): Promise<DevService> {
  const warehouse = tracePort(await createServiceWarehouse('mart-builder', ctx.pipeline), 'warehouse');
  const readiness = [
    { name: 'warehouse', check: async () => void (await warehouse.latestMartRunId()) },
    { name: 'bus', check: () => ctx.bus.ping() },
  ];
  const deps = { bus: ctx.bus, warehouse, logger: ctx.logger('mart-builder'), metrics: createMetrics('mart-builder'), readiness };
  const app = buildApp(deps);
  const subscriber = await startConsumer(deps);
  return {
    name: 'mart-builder',
    app,
    async stop() {
      await subscriber.close();
      await warehouse.close();
    },
  };
}
