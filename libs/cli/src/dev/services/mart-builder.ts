import { createService, loadMartBuilderConfig } from '@mobius/mart-builder';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives mart-builder (also read by the pre-flight check, before anything starts). */
export const martBuilderDevConfig = (env: Env) => loadMartBuilderConfig(env);

/** The mart-builder's composition root (the one `mobius start mart-builder` runs), consuming from the shared bus. */
export async function startMartBuilder(ctx: DevContext): Promise<DevService> {
  const martBuilder = await createService(martBuilderDevConfig(ctx.env), { bus: ctx.bus, logger: ctx.logger('mart-builder') });
  return { name: 'mart-builder', app: martBuilder.app, stop: () => martBuilder.stop() };
}
