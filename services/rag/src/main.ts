/** mobius-rag (`mobius start rag`): the composition root (service.ts) run until SIGTERM (docs/architecture.md). */
import { runServiceMain } from '@mobius/service';
import { loadRagServiceConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('rag', loadRagServiceConfig, createService);
