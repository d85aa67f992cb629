import { MODULES, loadDatabaseConfig, maskUrl, type DatabaseConfig, type DeployEnv, type ModuleName } from '@mobius/config';
import {
  DatabaseMissingError,
  describeDatabase,
  ensureDatabase,
  migrateDatabase,
  migrationStatus,
  readMigrations,
  runsOutsideTransaction,
  type MigrationEvent,
} from '@mobius/db';
import type { CliIO } from '../io.ts';
import { migrationsDirOf } from '../module-migrations.ts';
import { startProgress, type Progress } from '../progress.ts';
import { announceTarget, databaseItem, resolveCliEnv } from '../runtime/index.ts';
import { migrateBigQueryWarehouse, warehouseIsBigQuery } from './migrate-bigquery.ts';

export interface MigrateCommandOptions {
  env?: DeployEnv;
  module?: ModuleName;
  status?: boolean;
  dryRun?: boolean;
  /** The data directory of the `mobius dev` whose databases to use when no variable names them (--env dev only). */
  dataDir?: string;
}

/** Does the database exist? Only asked where the answer changes what we do (dev, dry run, status). */
async function databaseExists(config: DatabaseConfig): Promise<boolean> {
  try {
    await migrationStatus(config.databaseUrl, migrationsDirOf(config.module));
    return true;
  } catch (error) {
    if (error instanceof DatabaseMissingError) return false;
    throw error;
  }
}

function reportEvent(io: CliIO, module: ModuleName, event: MigrationEvent): void {
  if (event.type === 'waiting-for-lock') io.out(`${module}: waiting for another migration runner to finish`);
  if (event.type === 'adopting') {
    io.out(`${module}: adopting an existing database (${event.existingTables} tables, no migration record)`);
  }
  if (event.type === 'checksum-replaced') {
    io.out(`${module}: ${event.file} replaces the text this database applied; record updated (nothing to run)`);
  }
  if (event.type === 'rebuilding-invalid-index') {
    io.out(`${module}: ${event.file}: dropping INVALID index ${event.index} (an interrupted concurrent build) to build it again`);
  }
  if (event.type === 'applied') io.out(`${module}: applied ${event.file} (${event.durationMs} ms)`);
  if (event.type === 'would-apply') io.out(describeWouldApply(module, event));
}

/** A dry run's account of one pending migration: how it would run, then its SQL. */
function describeWouldApply(module: ModuleName, event: Extract<MigrationEvent, { type: 'would-apply' }>): string {
  const how = event.outsideTransaction
    ? ' (outside a transaction, statement by statement: indexes are built CONCURRENTLY and writers never wait; ' +
      'if it fails, the statements before the failure stay and the next run repeats them)'
    : '';
  const rebuilds = event.invalidIndexes.map((index) => `\n-- would drop INVALID index ${index} (an interrupted concurrent build) and build it again`);
  return `-- ${module}: would apply ${event.file}${how}${rebuilds.join('')}\n${event.sql.trimEnd()}`;
}

async function showStatus(io: CliIO, config: DatabaseConfig): Promise<void> {
  const dir = migrationsDirOf(config.module);
  if (config.deployEnv === 'dev' && !(await databaseExists(config))) {
    for (const m of await readMigrations(dir)) io.out(`${config.module}: pending  ${m.file} (database not created yet)`);
    return;
  }
  for (const entry of await migrationStatus(config.databaseUrl, dir)) {
    const when = entry.appliedAt ? ` ${entry.appliedAt.toISOString()}` : '';
    const note = entry.note ? ` (${entry.note})` : '';
    io.out(`${config.module}: ${entry.state.padEnd(8)} ${entry.file}${when}${note}`);
  }
}

async function dryRun(io: CliIO, config: DatabaseConfig): Promise<void> {
  const dir = migrationsDirOf(config.module);
  if (config.deployEnv === 'dev' && !(await databaseExists(config))) {
    io.out(`${config.module}: would create database ${describeDatabase(config.databaseUrl).database}`);
    for (const m of await readMigrations(dir)) {
      const outsideTransaction = runsOutsideTransaction(m.sql);
      reportEvent(io, config.module, { type: 'would-apply', ...m, outsideTransaction, invalidIndexes: [] });
    }
    return;
  }
  const result = await migrateDatabase({
    databaseUrl: config.databaseUrl,
    migrationsDir: dir,
    dryRun: true,
    onEvent: (event) => reportEvent(io, config.module, event),
  });
  if (result.applied.length === 0) io.out(`${config.module}: up to date, nothing would run`);
}

/** The module's migrations through the CLI's progress printer (stderr), when any is pending. */
async function migrationProgress(io: CliIO, config: DatabaseConfig): Promise<Progress | undefined> {
  // A status that cannot be read shows no progress: the migration itself reports the failure.
  const entries = await migrationStatus(config.databaseUrl, migrationsDirOf(config.module)).catch(() => []);
  const pending = entries.filter((entry) => entry.state === 'pending').length;
  return pending === 0 ? undefined : startProgress(io, `migrate ${config.module}`, 'migrations', pending);
}

async function migrate(io: CliIO, config: DatabaseConfig): Promise<void> {
  if (config.deployEnv === 'dev' && (await ensureDatabase(config.databaseUrl))) {
    io.out(`${config.module}: created database ${describeDatabase(config.databaseUrl).database}`);
  }
  const progress = await migrationProgress(io, config);
  let applied = 0;
  const result = await migrateDatabase({
    databaseUrl: config.databaseUrl,
    migrationsDir: migrationsDirOf(config.module),
    onEvent: (event) => {
      reportEvent(io, config.module, event);
      if (event.type === 'applied') progress?.update(++applied);
    },
  }).finally(() => progress?.finish());
  const summary = result.applied.length === 0 ? 'already up to date' : `up to date (${result.applied.length} applied)`;
  io.out(`${config.module}: ${summary}`);
}

/**
 * `mobius migrate`: with --env dev, a module no variable names uses the running `mobius dev`'s database.
 * Resolves every selected module's database first (so a missing variable fails
 * before anything runs), then migrates, lists or dry-runs each module in turn.
 */
export async function migrateCommand(options: MigrateCommandOptions, callerIO: CliIO): Promise<void> {
  const deployEnv = options.env ?? (callerIO.env.ENV === 'prod' ? 'prod' : 'dev');
  const resolved = await resolveCliEnv(callerIO, { dataDir: options.dataDir, useDev: deployEnv === 'dev' });
  const io: CliIO = { ...callerIO, env: resolved.env };
  const bigQuery = warehouseIsBigQuery(io);
  const modules = (options.module ? [options.module] : MODULES).filter((m) => !(bigQuery && m === 'warehouse'));
  const configs = modules.map((module) => loadDatabaseConfig(module, io.env, { deployEnv }));
  const items = configs.map((config) => databaseItem(config.module, config.databaseUrl));
  if (bigQuery && (!options.module || options.module === 'warehouse'))
    items.push({ label: 'warehouse', value: `BigQuery ${io.env.BQ_PROJECT ?? ''}`, variables: ['WAREHOUSE'] });
  announceTarget(io, 'migrate', resolved, items);
  for (const config of configs) {
    if (!options.dryRun) io.out(`${config.module}: ${maskUrl(config.databaseUrl)} (${config.source}, --env ${deployEnv})`);
    if (options.status) await showStatus(io, config);
    else if (options.dryRun) await dryRun(io, config);
    else await migrate(io, config);
  }
  if (bigQuery && (!options.module || options.module === 'warehouse')) {
    await migrateBigQueryWarehouse(io, deployEnv, options.status ? 'status' : options.dryRun ? 'dry-run' : 'apply');
  }
}
