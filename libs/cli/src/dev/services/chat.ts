import { createService, loadChatServiceConfig } from '@mobius/chat';
import type { Env } from '@mobius/config';
import type { DevContext, DevService } from './types.ts';

/** The config `mobius dev` gives chat (also read by the pre-flight check, before anything starts). */
export const chatDevConfig = (env: Env) => loadChatServiceConfig(env);

/** chat's composition root (the one `mobius start chat` runs), searching the shared index that vertex-sync writes. */
export async function startChat(ctx: DevContext): Promise<DevService> {
  const chat = await createService(chatDevConfig(ctx.env), { index: ctx.index, logger: ctx.logger('chat') });
  return { name: 'chat', app: chat.app, stop: () => chat.stop() };
}
