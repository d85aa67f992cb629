import { runServiceMain } from '@mobius/service';
import { loadChatSyncConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('chat-sync', loadChatSyncConfig, createService);
