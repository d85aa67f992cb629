import { runServiceMain } from '@mobius/service';
import { loadReconcilerConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('reconciler', loadReconcilerConfig, createService);
