import { MODULES, loadPipelineConfig, loadRuntimeConfig, type Env, type ModuleName } from '@mobius/config';
import { devEnvironment, moduleDatabases } from './environment.ts';
import { chatSyncDevConfig } from './services/chat-sync.ts';
import { chatDevConfig } from './services/chat.ts';
import { consoleDevConfig } from './services/console.ts';
import { ingestorDevConfig } from './services/ingestor.ts';
import { martBuilderDevConfig } from './services/mart-builder.ts';
import { ragDevConfig } from './services/rag.ts';
import { reconcilerDevConfig } from './services/reconciler.ts';
import { userDevConfig } from './services/user.ts';
import { vertexSyncDevConfig } from './services/vertex-sync.ts';

/** Every service's dev config, in start order (platform.ts starts them in this order too). */
const SERVICE_CONFIGS: readonly ((env: Env) => unknown)[] = [
  ragDevConfig,
  ingestorDevConfig,
  martBuilderDevConfig,
  chatSyncDevConfig,
  vertexSyncDevConfig,
  chatDevConfig,
  userDevConfig,
  reconcilerDevConfig,
  consoleDevConfig,
];

/** Stands in for a database dev has not created yet: only its shape is checked here, nothing connects. */
const placeholderUrl = (module: ModuleName) => `postgres://mobius@127.0.0.1:5432/mobius_${module}_preflight`;

/** Stands in for the JWT secret dev generates on first run (long enough for every check). */
const PLACEHOLDER_SECRET = 'p'.repeat(64);

/**
 * Reads every config `mobius dev` will read, with placeholders where dev fills a value in later (the
 * embedded databases' URLs, the generated JWT secret), before anything starts: a bad variable is one
 * CONFIG_INVALID line naming it, before the embedded Postgres starts or a migration runs. Throws what
 * the loaders throw (docs/configuration.md).
 */
export function checkDevConfig(env: Env): void {
  const configured = Object.fromEntries(moduleDatabases(env).map((d) => [d.module, d.configured ?? placeholderUrl(d.module)]));
  const urls = Object.fromEntries(MODULES.map((module) => [module, configured[module] ?? placeholderUrl(module)])) as Record<ModuleName, string>;
  const { env: devEnv } = devEnvironment(env, urls, env.JWT_SECRET || PLACEHOLDER_SECRET);
  loadRuntimeConfig('dev', devEnv, 0);
  loadPipelineConfig(devEnv, { deployEnv: 'dev' });
  for (const load of SERVICE_CONFIGS) load(devEnv);
}
