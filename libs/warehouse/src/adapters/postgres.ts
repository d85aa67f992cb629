import { fileURLToPath } from 'node:url';
import { createPool, migrateDatabase } from '@mobius/db';
import type pg from 'pg';
import { InvalidArgumentError, WarehouseClosedError } from '../errors.ts';
import type { LandedBatch, MartChange, MartRun, ReadMartChangesOptions, SnapshotToLand, Warehouse } from '../types.ts';
import { latestMartRunId, readMartChanges } from './postgres/changes.ts';
import { landSnapshots } from './postgres/landing.ts';
import { mergePendingBatches } from './postgres/merge.ts';
import { toWarehouseError } from './postgres/pg-errors.ts';
import { recordSyncRun } from './postgres/sync-runs.ts';
import type { SyncRunLog, SyncRunRecord } from './bigquery/sync-runs.ts';

/** This package's migrations (001 baseline, 002 mart_documents, ...), wherever the process runs from. */
export const WAREHOUSE_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface PostgresWarehouseOptions {
  /** The warehouse database (`WAREHOUSE_DATABASE_URL`, default database `mobius_warehouse`). */
  databaseUrl: string;
  /** Length every landed embedding must have (`EMBEDDING_DIMENSIONS`). */
  embeddingDimensions?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Most connections of this instance's pool. */
  poolMax?: number;
  /** Rows per landing INSERT: a larger batch from the caller is split into chunks of this size. */
  insertChunkRows?: number;
  /** Called when an idle pooled connection fails (the pool drops it; nothing is thrown). */
  onIdleError?: (error: Error) => void;
}

/** Every default of the adapter, in one place. */
export const POSTGRES_WAREHOUSE_DEFAULTS = {
  embeddingDimensions: 1536,
  applicationName: 'mobius-warehouse',
  poolMax: 5,
  /** 500 rows x 1536 float32s is 3 MB of embedding bytes per statement. */
  insertChunkRows: 500,
} as const;

/**
 * The Warehouse port on Postgres: landing in `landing_rag`, the mart in `mobius_rag`, on one database.
 * Safe to use from many instances at once: landing is idempotent per batch, merges are serialized by an
 * advisory lock on the database. Every failure is a WarehouseError (or a @mobius/db DbError).
 */
export class PostgresWarehouse implements Warehouse, SyncRunLog {
  private readonly pool: pg.Pool;
  private readonly options: Required<Omit<PostgresWarehouseOptions, 'onIdleError'>>;
  private closed = false;

  /** Throws InvalidArgumentError for a dimension or size below 1; connects lazily, on first use. */
  constructor(options: PostgresWarehouseOptions) {
    const defaults = POSTGRES_WAREHOUSE_DEFAULTS;
    this.options = {
      databaseUrl: options.databaseUrl,
      embeddingDimensions: positive('embeddingDimensions', options.embeddingDimensions ?? defaults.embeddingDimensions),
      applicationName: options.applicationName ?? defaults.applicationName,
      poolMax: positive('poolMax', options.poolMax ?? defaults.poolMax),
      insertChunkRows: positive('insertChunkRows', options.insertChunkRows ?? defaults.insertChunkRows),
    };
    this.pool = createPool(options.databaseUrl, {
      applicationName: this.options.applicationName,
      max: this.options.poolMax,
      onIdleError: options.onIdleError ?? (() => undefined),
    });
  }

  /** Applies this package's pending migrations (idempotent; concurrent callers wait for each other). */
  async ensureSchema(): Promise<void> {
    await this.guard('ensureSchema', () => migrateDatabase({ databaseUrl: this.options.databaseUrl, migrationsDir: WAREHOUSE_MIGRATIONS_DIR }));
  }

  landSnapshots(snapshots: SnapshotToLand[]): Promise<LandedBatch[]> {
    const { embeddingDimensions, insertChunkRows } = this.options;
    const options = { embeddingDimensions, insertChunkRows };
    return this.guard('landSnapshots', () => landSnapshots(this.pool, snapshots, options));
  }

  mergePendingBatches(): Promise<MartRun | null> {
    return this.guard('mergePendingBatches', () => mergePendingBatches(this.pool));
  }

  latestMartRunId(): Promise<number> {
    return this.guard('latestMartRunId', () => latestMartRunId(this.pool));
  }

  async *readMartChanges(afterRunId: number, upToRunId: number, batchSize: number, options?: ReadMartChangesOptions): AsyncIterable<MartChange[]> {
    if (this.closed) throw new WarehouseClosedError();
    try {
      yield* readMartChanges(this.pool, afterRunId, upToRunId, batchSize, options);
    } catch (error) {
      throw toWarehouseError(error, 'readMartChanges');
    }
  }

  /** One row in mobius_rag.sync_runs; a run id already recorded is recorded once. */
  recordSyncRun(run: SyncRunRecord): Promise<void> {
    return this.guard('recordSyncRun', () => recordSyncRun(this.pool, run));
  }

  /** Ends the pool once in-flight queries finish. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async guard<T>(action: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new WarehouseClosedError();
    try {
      return await work();
    } catch (error) {
      throw toWarehouseError(error, action);
    }
  }
}

function positive(name: string, value: number): number {
  if (Number.isSafeInteger(value) && value >= 1) return value;
  throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
}
