import { createService, loadChatSyncConfig } from '@mobius/chat-sync';
import type { DevContext, DevService } from './types.ts';

/** chat-sync's composition root (the one `mobius start chat-sync` runs), its consumer on the shared bus. */
export async function startChatSync(ctx: DevContext): Promise<DevService> {
  const chatSync = await createService(loadChatSyncConfig(ctx.env), { bus: ctx.bus, logger: ctx.logger('chat-sync') });
  return { name: 'chat-sync', app: chatSync.app, stop: () => chatSync.stop() };
}
