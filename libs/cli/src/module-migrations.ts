import type { ModuleName } from '@mobius/config';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Where each module's SQL migrations live: beside the service that owns the database, or in the lib
 * that owns it when the module has no service here (os is an existing app; the warehouse is shared).
 */
const MIGRATION_FOLDERS: Record<ModuleName, string> = {
  rag: 'services/rag/migrations',
  chat: 'services/chat/migrations',
  user: 'services/user/migrations',
  os: 'libs/os-db/migrations',
  warehouse: 'libs/warehouse/migrations',
};

/** The absolute migrations folder of a module. */
export function migrationsDirOf(module: ModuleName): string {
  return `${repoRoot}${MIGRATION_FOLDERS[module]}`;
}
