import { basename } from 'node:path';
import type pg from 'pg';
import type Postgrator from 'postgrator';
import { connectClient, describeDatabase } from '../connection.ts';
import { DbError, MigrationFailedError, MigrationTamperedError } from '../errors.ts';
import { concurrentIndexesOf, findInvalidIndexes, runsOutsideTransaction } from './outside-transaction.ts';
import { createPostgratorSession, SCHEMA_TABLE } from './postgrator-session.ts';
import { acceptReplacedChecksums } from './replaced-checksums.ts';

/** Every runner on a database takes this session advisory lock, so two runners never interleave. */
const MIGRATION_LOCK_SQL = "hashtext('mobius.migrate')";

/** How long a runner waits for another one to finish before giving up. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

/**
 * How often a waiting runner asks for the lock again. It polls instead of blocking in
 * pg_advisory_lock because a blocked statement holds a snapshot, and the running runner's
 * CREATE INDEX CONCURRENTLY waits for every snapshot older than its build: the two would deadlock.
 */
const LOCK_POLL_MS = 200;

/** What a migration run reports as it goes, for one progress line each. */
export type MigrationEvent =
  | { type: 'waiting-for-lock' }
  | { type: 'adopting'; existingTables: number }
  | { type: 'checksum-replaced'; file: string }
  | { type: 'rebuilding-invalid-index'; file: string; index: string }
  | { type: 'applied'; file: string; durationMs: number }
  | {
      type: 'would-apply';
      file: string;
      sql: string;
      /** Runs outside a transaction (`-- mobius:no-transaction`): statements one by one. */
      outsideTransaction: boolean;
      /** INVALID indexes (a failed concurrent build) it would drop and build again. */
      invalidIndexes: string[];
    };

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

async function tryLock(client: pg.Client): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${MIGRATION_LOCK_SQL}) AS locked`);
  return result.rows[0]?.locked === true;
}

async function acquireLock(client: pg.Client, options: MigrateOptions): Promise<void> {
  if (await tryLock(client)) return;
  options.onEvent?.({ type: 'waiting-for-lock' });
  const deadline = performance.now() + (options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    if (await tryLock(client)) return;
  }
  throw new DbError('MIGRATION_LOCK_TIMEOUT', 'timed out waiting for another migration runner to finish', true);
}

/** Maps postgrator's errors to ours, naming the file. */
function migrationError(error: unknown, current: Postgrator.Migration | undefined): Error {
  if (error instanceof DbError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const file = current ? basename(current.filename) : 'unknown migration';
  if (message.startsWith('MD5 checksum failed')) return new MigrationTamperedError(file, { cause: error });
  const outsideTransaction = current ? runsOutsideTransaction(current.getSql()) : false;
  return new MigrationFailedError(file, message, { cause: error, outsideTransaction });
}

async function pendingMigrations(postgrator: Postgrator): Promise<Postgrator.Migration[]> {
  await postgrator.getMigrations();
  const databaseVersion = await postgrator.getDatabaseVersion();
  await postgrator.validateMigrations(databaseVersion);
  return postgrator.getRunnableMigrations(databaseVersion, await postgrator.getMaxVersion());
}

/** Moves records of migrations whose files declare the recorded checksum replaced (replaced-checksums.ts). */
async function acceptReplaced(client: pg.Client, postgrator: Postgrator, options: MigrateOptions): Promise<void> {
  const files = (await postgrator.getMigrations()).filter((m) => m.action === 'do');
  const migrations = await Promise.all(files.map(async (m) => ({ version: m.version, md5: m.md5, sql: await m.getSql() })));
  const moved = await acceptReplacedChecksums(client, migrations);
  for (const version of moved) {
    const file = files.find((m) => m.version === version)!;
    options.onEvent?.({ type: 'checksum-replaced', file: basename(file.filename) });
  }
}

/** Lists what a run would apply; changes nothing (whatever it touched is rolled back). */
async function dryRunPending(client: pg.Client, postgrator: Postgrator, options: MigrateOptions, adopted: boolean) {
  await client.query('BEGIN');
  try {
    await acceptReplaced(client, postgrator, options);
    const pending = await pendingMigrations(postgrator);
    if (adopted) options.onEvent?.({ type: 'adopting', existingTables: await countUserTables(client) });
    for (const m of pending) {
      const sql = m.getSql();
      const outsideTransaction = runsOutsideTransaction(sql);
      const invalidIndexes = outsideTransaction ? await findInvalidIndexes(client, concurrentIndexesOf(sql)) : [];
      options.onEvent?.({ type: 'would-apply', file: basename(m.filename), sql, outsideTransaction, invalidIndexes });
    }
    return { applied: pending.map((m) => basename(m.filename)), adopted };
  } finally {
    await client.query('ROLLBACK');
  }
}

async function applyPending(client: pg.Client, options: MigrateOptions, database: string): Promise<MigrateResult> {
  let current: Postgrator.Migration | undefined;
  const onInvalidIndex = (index: string) =>
    options.onEvent?.({ type: 'rebuilding-invalid-index', file: current ? basename(current.filename) : '', index });
  const { postgrator, abort } = await createPostgratorSession(client, options.migrationsDir, database, onInvalidIndex);
  const adopted = !(await hasSchemaTable(client)) && (await countUserTables(client)) > 0;
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
    if (options.dryRun) return await dryRunPending(client, postgrator, options, adopted);
    await acceptReplaced(client, postgrator, options);
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
 * together with its record (except a `-- mobius:no-transaction` one: outside-transaction.ts), under
 * an advisory lock (a second runner waits, then finds nothing to do).
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
