import { runServiceMain } from '@mobius/service';
import { loadVertexSyncConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('vertex-sync', loadVertexSyncConfig, createService);
