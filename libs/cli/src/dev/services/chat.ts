import { createTokenService } from '@mobius/auth';
import { buildApp, createPublishedChunkReader, loadChatServiceConfig } from '@mobius/chat';
import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { createMetrics } from '@mobius/service';
import type { DevContext, DevService } from './types.ts';

/** chat as `mobius start chat` wires it, searching the shared index that vertex-sync writes. */
export function startChat(ctx: DevContext): DevService {
  const config = loadChatServiceConfig(ctx.env);
  const logger = ctx.logger('chat');
  const pool = createPool(config.database.databaseUrl, {
    applicationName: 'mobius-chat',
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const app = buildApp({
    chunks: createPublishedChunkReader(pool),
    index: ctx.index,
    embedder: createEmbedder(config.embedding),
    tokens: createTokenService({ secret: config.jwtSecret }),
    logger,
    metrics: createMetrics('chat'),
  });
  return { name: 'chat', app, stop: () => pool.end() };
}
