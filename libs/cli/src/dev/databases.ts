import type { CliIO } from '../io.ts';
import type { ModuleName } from '@mobius/config';
import { ensureDatabase, migrateDatabase } from '@mobius/db';
import { migrateBigQueryWarehouse } from '../commands/migrate-bigquery.ts';
import { migrationsDirOf } from '../module-migrations.ts';

/** What migrating one module did. */
export interface MigratedModule {
  module: ModuleName;
  created: boolean;
  applied: number;
}

/**
 * Creates (when missing) and migrates every module database with the migration runner `mobius
 * migrate` uses (checksums, one transaction per file, advisory lock), in `mobius migrate`'s order.
 * With WAREHOUSE=bigquery the warehouse's datasets and tables are ensured as `mobius migrate` does.
 */
export async function migrateModules(urls: Partial<Record<ModuleName, string>>, io: CliIO): Promise<MigratedModule[]> {
  const migrated: MigratedModule[] = [];
  for (const [module, databaseUrl] of Object.entries(urls) as [ModuleName, string][]) {
    const created = await ensureDatabase(databaseUrl);
    const result = await migrateDatabase({ databaseUrl, migrationsDir: migrationsDirOf(module) });
    migrated.push({ module, created, applied: result.applied.length });
  }
  if (io.env.WAREHOUSE === 'bigquery') await migrateBigQueryWarehouse(io, 'dev', 'apply');
  return migrated;
}

/** One line: `rag (created, 2 applied), chat (4 applied), user` or `rag, chat, ... up to date`. */
export function describeMigrations(migrated: MigratedModule[]): string {
  if (migrated.every((m) => !m.created && m.applied === 0)) return `databases up to date: ${migrated.map((m) => m.module).join(', ')}`;
  const parts = migrated.map((m) => {
    const what = [m.created ? 'created' : '', m.applied ? `${m.applied} migration${m.applied === 1 ? '' : 's'} applied` : ''].filter(Boolean);
    return what.length ? `${m.module} (${what.join(', ')})` : m.module;
  });
  return `databases migrated: ${parts.join(', ')}`;
}
