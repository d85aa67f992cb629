import { runServiceMain } from '@mobius/service';
import { loadIngestorConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('ingestor', loadIngestorConfig, createService);
