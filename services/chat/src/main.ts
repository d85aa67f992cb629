/**
 * mobius-chat (`mobius start chat`): the composition root (service.ts) run until SIGTERM
 * (docs/architecture.md). A bad or missing variable (JWT_SECRET is required) stops it at start with
 * the variable named.
 */
import { runServiceMain } from '@mobius/service';
import { loadChatServiceConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('chat', loadChatServiceConfig, createService);
