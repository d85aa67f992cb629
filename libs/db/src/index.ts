export { CONNECT_TIMEOUT_MS, PG_ERROR, connectClient, connectionError, describeDatabase } from './connection.ts';
export { ensureDatabase } from './ensure-database.ts';
export {
  DatabaseMissingError,
  DatabaseUnreachableError,
  DbError,
  isDatabaseUnavailable,
  MigrationFailedError,
  MigrationTamperedError,
} from './errors.ts';
export { DEFAULT_LOCK_TIMEOUT_MS, migrateDatabase, type MigrateOptions, type MigrateResult, type MigrationEvent } from './migrations/runner.ts';
export { SCHEMA_TABLE } from './migrations/postgrator-session.ts';
export { migrationStatus, type MigrationStatusEntry } from './migrations/status.ts';
export { DEFAULT_POOL_MAX, createPool, type PoolOptions } from './pool.ts';
export { withTransaction, type IsolationLevel, type TransactionOptions } from './transaction.ts';
export { readMigrations, type MigrationFile } from './migrations/read-migrations.ts';
export { NO_TRANSACTION_MARKER, runsOutsideTransaction } from './migrations/outside-transaction.ts';
