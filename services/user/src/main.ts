import { runServiceMain } from '@mobius/service';
import { loadUserServiceConfig } from './config.ts';
import { createService } from './service.ts';

await runServiceMain('user', loadUserServiceConfig, createService);
