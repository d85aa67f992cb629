import type { Env } from '../parse-env.ts';
import { loadChatDatabaseConfig } from './chat.ts';
import type { DatabaseConfig, LoadOptions, ModuleName } from './database-config.ts';
import { loadOsDatabaseConfig } from './os.ts';
import { loadRagDatabaseConfig } from './rag.ts';
import { loadUserDatabaseConfig } from './user.ts';
import { loadWarehouseDatabaseConfig } from './warehouse.ts';

/** Every module with a database, in the order `mobius migrate` runs them. */
export const MODULES: readonly ModuleName[] = ['rag', 'chat', 'user', 'os', 'warehouse'];

const loaders: Record<ModuleName, (env: Env, options: LoadOptions) => DatabaseConfig> = {
  rag: loadRagDatabaseConfig,
  chat: loadChatDatabaseConfig,
  user: loadUserDatabaseConfig,
  os: loadOsDatabaseConfig,
  warehouse: loadWarehouseDatabaseConfig,
};

/** Resolves one module's database from its own variables. */
export function loadDatabaseConfig(module: ModuleName, env: Env, options: LoadOptions = {}): DatabaseConfig {
  return loaders[module](env, options);
}
