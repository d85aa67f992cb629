import type { DeployEnv } from '../fields.ts';

/** The Mobius modules that own a database, as `mobius migrate --module` names them. */
export type ModuleName = 'rag' | 'chat' | 'user' | 'os' | 'warehouse';

/** Where one module's database is, and which variable said so (for progress lines and errors). */
export interface DatabaseConfig {
  module: ModuleName;
  databaseUrl: string;
  /** The variable the URL came from, or `dev default`. */
  source: string;
  deployEnv: DeployEnv;
}

/** Options every module loader takes. */
export interface LoadOptions {
  /** Overrides `ENV` (the CLI's `--env`). */
  deployEnv?: DeployEnv;
}
