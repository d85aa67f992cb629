import { createService, loadChatSyncConfig } from '@mobius/chat-sync';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives chat-sync (also read by the pre-flight check, before anything starts). */
export const chatSyncDevConfig = (env: Env) => loadChatSyncConfig(env);

/** chat-sync's composition root (the one `mobius start chat-sync` runs), its consumer on the shared bus. */
export async function startChatSync(ctx: DevContext): Promise<DevService> {
  const chatSync = await createService(chatSyncDevConfig(ctx.env), { bus: ctx.bus, logger: ctx.logger('chat-sync') });
  return { name: 'chat-sync', app: chatSync.app, stop: () => chatSync.stop() };
}
