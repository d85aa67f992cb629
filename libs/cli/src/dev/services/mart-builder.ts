import { createService, loadMartBuilderConfig } from '@mobius/mart-builder';
import type { DevContext, DevService } from './types.ts';

/** The mart-builder's composition root (the one `mobius start mart-builder` runs), consuming from the shared bus. */
export async function startMartBuilder(ctx: DevContext): Promise<DevService> {
  const martBuilder = await createService(loadMartBuilderConfig(ctx.env), { bus: ctx.bus, logger: ctx.logger('mart-builder') });
  return { name: 'mart-builder', app: martBuilder.app, stop: () => martBuilder.stop() };
}
