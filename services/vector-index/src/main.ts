/**
 * The local vector index server (`mobius start vector-index`): the composition root (service.ts) run
 * until SIGTERM, when it saves what changed (docs/architecture.md). No Postgres here: only http is traced.
 */
import { runServiceMain } from '@mobius/service';
import { loadVectorIndexServerConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('vector-index', loadVectorIndexServerConfig, createService, { instrumentations: ['http'] });
