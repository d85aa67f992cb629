/** mobius-console (`mobius start console`): the composition root (service.ts) run until SIGTERM (docs/architecture.md). */
import { runServiceMain } from '@mobius/service';
import { loadConsoleConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('console', loadConsoleConfig, createService);
