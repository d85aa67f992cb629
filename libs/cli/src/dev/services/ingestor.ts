import { createService, loadIngestorConfig } from '@mobius/ingestor';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives ingestor (also read by the pre-flight check, before anything starts). */
export const ingestorDevConfig = (env: Env) => loadIngestorConfig(env);

/** The ingestor's composition root (the one `mobius start ingestor` runs), reading dev's RAG database, consuming from the shared bus. */
export async function startIngestor(ctx: DevContext): Promise<DevService> {
  const config = { ...ingestorDevConfig(ctx.env), ragDatabaseUrl: ctx.ragReadUrl };
  const ingestor = await createService(config, { bus: ctx.bus, logger: ctx.logger('ingestor') });
  return { name: 'ingestor', app: ingestor.app, stop: () => ingestor.stop() };
}
