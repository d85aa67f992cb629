import { createService, loadChatServiceConfig } from '@mobius/chat';
import type { DevContext, DevService } from './types.ts';

/** chat's composition root (the one `mobius start chat` runs), searching the shared index that vertex-sync writes. */
export async function startChat(ctx: DevContext): Promise<DevService> {
  const chat = await createService(loadChatServiceConfig(ctx.env), { index: ctx.index, logger: ctx.logger('chat') });
  return { name: 'chat', app: chat.app, stop: () => chat.stop() };
}
