import { runServiceMain } from '@mobius/service';
import { loadMartBuilderConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('mart-builder', loadMartBuilderConfig, createService);
