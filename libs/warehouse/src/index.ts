import type { BigQueryTuning, SchemaMigrator } from './adapters/bigquery.ts';
import type { SyncRunLog } from './adapters/bigquery/sync-runs.ts';
import type { Warehouse } from './types.ts';

export type {
  LandedBatch,
  MartChange,
  MartRun,
  ReadMartChangesOptions,
  SnapshotHeader,
  SnapshotToLand,
  Warehouse,
} from './types.ts';
export {
  InvalidArgumentError,
  InvalidSnapshotError,
  WAREHOUSE_ERROR_CODES,
  WarehouseClosedError,
  WarehouseError,
  WarehouseSchemaError,
  WarehouseUnavailableError,
  type WarehouseErrorCode,
} from './errors.ts';
export { LANDING_BATCH_NAMESPACE, landingBatchId } from './snapshot.ts';
export type { SyncRunLog, SyncRunRecord } from './adapters/bigquery/sync-runs.ts';
export type { BigQueryTuning, SchemaMigrator } from './adapters/bigquery.ts';
export type { SchemaMigration } from './adapters/bigquery/schema.ts';

/** The local warehouse (`WAREHOUSE=postgres`): a Postgres database with schemas landing_rag and mobius_rag. */
export interface PostgresWarehouseConfig {
  kind: 'postgres';
  /** `WAREHOUSE_DATABASE_URL`. */
  databaseUrl: string;
  /** Length every landed embedding must have (`EMBEDDING_DIMENSIONS`); default 1536. */
  embeddingDimensions?: number;
  /** Shown in pg_stat_activity; default `mobius-warehouse`. */
  applicationName?: string;
  /** Most connections of this instance; default 5. */
  poolMax?: number;
  /** Called when an idle pooled connection fails (the pool drops it). */
  onIdleError?: (error: Error) => void;
}

/**
 * The cloud warehouse (`WAREHOUSE=bigquery`): datasets BQ_LANDING_DATASET and BQ_DATASET in BQ_PROJECT.
 * Tuning knobs and their defaults: BigQueryTuning and BIGQUERY_WAREHOUSE_DEFAULTS in adapters/bigquery.ts.
 */
export interface BigQueryWarehouseConfig {
  kind: 'bigquery';
  /** `BQ_PROJECT`. */
  projectId: string;
  /** `BQ_DATASET`, the mart; default `mobius_rag`. */
  dataset?: string;
  /** `BQ_LANDING_DATASET`; default `landing_rag`. */
  landingDataset?: string;
  /** `BQ_LOCATION`: where datasets are created and jobs run; BigQuery's default when absent. */
  location?: string;
  /** `BQ_API_ENDPOINT`: an endpoint override (test double, emulator); its requests carry no credentials. */
  apiEndpoint?: string;
  /** Length every landed embedding must have (`EMBEDDING_DIMENSIONS`); default 1536. */
  embeddingDimensions?: number;
  /** Tuning overrides (waits, retries, request sizes; defaults in BIGQUERY_WAREHOUSE_DEFAULTS), mostly for tests. */
  tuning?: BigQueryTuning;
}

/** Which warehouse to build. */
export type WarehouseConfig = PostgresWarehouseConfig | BigQueryWarehouseConfig;

/** True for a warehouse that also records the sync rounds' sync_runs (both adapters do). */
export function hasSyncRunLog(warehouse: Warehouse): warehouse is Warehouse & SyncRunLog {
  return typeof (warehouse as Partial<SyncRunLog>).recordSyncRun === 'function';
}

/** True for a warehouse that plans its own schema changes (the BigQuery one; Postgres has migration files). */
export function hasSchemaMigrator(warehouse: Warehouse): warehouse is Warehouse & SchemaMigrator {
  return typeof (warehouse as Partial<SchemaMigrator>).migrateSchema === 'function';
}

/**
 * Builds the warehouse `config.kind` names, loading only that adapter (and its client library). Does
 * not connect or migrate: call `ensureSchema()` where the process owns the schema.
 */
export async function createWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  switch (config.kind) {
    case 'postgres': {
      const { PostgresWarehouse } = await import('./adapters/postgres.ts');
      return new PostgresWarehouse(config);
    }
    case 'bigquery': {
      const { BigQueryWarehouse } = await import('./adapters/bigquery.ts');
      const { kind: _kind, tuning, ...options } = config;
      return new BigQueryWarehouse({ ...options, ...tuning });
    }
  }
}
