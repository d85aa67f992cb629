import type pg from 'pg';
import type Postgrator from 'postgrator';
import { runOutsideTransaction, runsOutsideTransaction } from './outside-transaction.ts';

/** The table, in each module database's `public` schema, where applied migrations are recorded. */
export const SCHEMA_TABLE = 'mobius_schema_version';

/**
 * A postgrator instance bound to one dedicated client, which makes every migration atomic with its
 * record: postgrator runs a migration's script through `execSqlScript` and then records it through
 * `execQuery`, as two calls. We open a transaction before the script and commit right after the
 * record, so a crash at any point leaves either both or neither. `abort()` rolls back an open one.
 *
 * A migration marked `-- mobius:no-transaction` (outside-transaction.ts) is the exception: its
 * statements run one by one and its record follows in a transaction of its own, so a crash in
 * between leaves it done but unrecorded, and the next run repeats its (idempotent) statements.
 * `onInvalidIndex` hears of every INVALID index such a migration drops before building it again.
 */
export async function createPostgratorSession(
  client: pg.Client,
  migrationsDir: string,
  database: string,
  onInvalidIndex: (index: string) => void = () => {},
) {
  const PostgratorClass = await loadPostgrator();
  let migrationOpen = false;
  const postgrator = new PostgratorClass({
    migrationPattern: `${migrationsDir.replaceAll('\\', '/')}/*.sql`,
    driver: 'pg',
    database,
    schemaTable: SCHEMA_TABLE,
    validateChecksums: true,
    execQuery: async (query: string) => {
      const result = await client.query(query);
      if (migrationOpen) {
        await client.query('COMMIT');
        migrationOpen = false;
      }
      return result;
    },
    execSqlScript: async (sql: string) => {
      if (runsOutsideTransaction(sql)) return runOutsideTransaction(client, sql, onInvalidIndex);
      await client.query('BEGIN');
      migrationOpen = true;
      await client.query(sql);
    },
  });
  async function abort(): Promise<void> {
    if (!migrationOpen) return;
    migrationOpen = false;
    await client.query('ROLLBACK');
  }
  return { postgrator, abort };
}

/**
 * postgrator (and glob, minimatch...: ~30 modules) is loaded when a migration runs, not when @mobius/db
 * is imported: every service imports this package for its pool and never migrates.
 */
export async function loadPostgrator(): Promise<typeof Postgrator> {
  return (await import('postgrator')).default;
}
