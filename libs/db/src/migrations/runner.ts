import { basename } from 'node:path';
import type pg from 'pg';
import type Postgrator from 'postgrator';
import { connectClient, describeDatabase, PG_ERROR } from '../connection.ts';
import { DbError, MigrationFailedError, MigrationTamperedError } from '../errors.ts';
import { createPostgratorSession, SCHEMA_TABLE } from './postgrator-session.ts';

/** Every runner on a database takes this session advisory lock, so two runners never interleave. */
const MIGRATION_LOCK_SQL = "hashtext('mobius.migrate')";

/** How long a runner waits for another one to finish before giving up. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

/** What a migration run reports as it goes, for one progress line each. */
export type MigrationEvent =
  | { type: 'waiting-for-lock' }
  | { type: 'adopting'; existingTables: number }
  | { type: 'applied'; file: string; durationMs: number }
  | { type: 'would-apply'; file: string; sql: string };

export interface MigrateOptions {
  databaseUrl: string;
  /** The folder of `NNN.do.name.sql` files. */
  migrationsDir: string;
  /** Report what would run, with its SQL, and change nothing. */
  dryRun?: boolean;
  lockTimeoutMs?: number;
  onEvent?: (event: MigrationEvent) => void;
}

export interface MigrateResult {
  /** Files applied by this run (or that would be, on a dry run). */
  applied: string[];
  /** True when the database had tables but no migration record: an existing app's database. */
  adopted: boolean;
}

/** Counts tables outside the system schemas: more than zero without our record means adoption. */
async function countUserTables(client: pg.Client): Promise<number> {
  const result = await client.query<{ count: string }>(
    `SELECT count(*) FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> $1`,
    [SCHEMA_TABLE],
  );
  return Number(result.rows[0]?.count ?? 0);
}

async function hasSchemaTable(client: pg.Client): Promise<boolean> {
  const result = await client.query('SELECT to_regclass($1) AS table', [`public.${SCHEMA_TABLE}`]);
  return result.rows[0]?.table !== null;
}

async function acquireLock(client: pg.Client, options: MigrateOptions): Promise<void> {
  const free = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${MIGRATION_LOCK_SQL}) AS locked`);
  if (free.rows[0]?.locked) return;
  options.onEvent?.({ type: 'waiting-for-lock' });
  await client.query(`SET lock_timeout = ${Math.round(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)}`);
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_SQL})`);
  } catch (error) {
    if ((error as { code?: string }).code !== PG_ERROR.lockNotAvailable) throw error;
    throw new DbError('MIGRATION_LOCK_TIMEOUT', 'timed out waiting for another migration runner to finish', true, {
      cause: error,
    });
  } finally {
    await client.query('RESET lock_timeout');
  }
}

/** Maps postgrator's errors to ours, naming the file. */
function migrationError(error: unknown, current: Postgrator.Migration | undefined): Error {
  if (error instanceof DbError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const file = current ? basename(current.filename) : 'unknown migration';
  if (message.startsWith('MD5 checksum failed')) return new MigrationTamperedError(file, { cause: error });
  return new MigrationFailedError(file, message, { cause: error });
}

async function pendingMigrations(postgrator: Postgrator): Promise<Postgrator.Migration[]> {
  await postgrator.getMigrations();
  const databaseVersion = await postgrator.getDatabaseVersion();
  await postgrator.validateMigrations(databaseVersion);
  return postgrator.getRunnableMigrations(databaseVersion, await postgrator.getMaxVersion());
}

async function applyPending(client: pg.Client, options: MigrateOptions, database: string): Promise<MigrateResult> {
  const { postgrator, abort } = await createPostgratorSession(client, options.migrationsDir, database);
  const adopted = !(await hasSchemaTable(client)) && (await countUserTables(client)) > 0;
  let current: Postgrator.Migration | undefined;
  let startedAt = 0;
  postgrator.on('validation-started', (migration) => (current = migration));
  postgrator.on('migration-started', (migration) => {
    current = migration;
    startedAt = performance.now();
  });
  postgrator.on('migration-finished', (migration) => {
    const durationMs = Math.round(performance.now() - startedAt);
    options.onEvent?.({ type: 'applied', file: basename(migration.filename), durationMs });
  });
  try {
    if (options.dryRun) {
      const pending = await pendingMigrations(postgrator);
      if (adopted) options.onEvent?.({ type: 'adopting', existingTables: await countUserTables(client) });
      for (const m of pending) options.onEvent?.({ type: 'would-apply', file: basename(m.filename), sql: m.getSql() });
      return { applied: pending.map((m) => basename(m.filename)), adopted };
    }
    if (adopted) options.onEvent?.({ type: 'adopting', existingTables: await countUserTables(client) });
    const applied = await postgrator.migrate();
    return { applied: applied.map((m) => basename(m.filename)), adopted };
  } catch (error) {
    await abort();
    throw migrationError(error, current);
  }
}

/**
 * Applies every pending migration of `migrationsDir` to the database, each in its own transaction
 * together with its record, under an advisory lock (a second runner waits, then finds nothing to do).
 * An applied migration whose file changed fails the run before anything is applied.
 * On a database the existing apps created (tables, no record) it adopts: the migrations only create
 * what is missing, and their record becomes the baseline.
 */
export async function migrateDatabase(options: MigrateOptions): Promise<MigrateResult> {
  const client = await connectClient(options.databaseUrl, 'mobius-migrate');
  try {
    const { database } = describeDatabase(options.databaseUrl);
    if (!options.dryRun) await acquireLock(client, options);
    return await applyPending(client, options, database);
  } finally {
    await client.end();
  }
}
