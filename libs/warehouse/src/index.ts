import type { Warehouse } from './types.ts';

export type { LandedBatch, MartChange, MartRun, SnapshotHeader, SnapshotToLand, Warehouse } from './types.ts';
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

/** Which warehouse to build. A BigQuery variant joins this union with its adapter. */
export type WarehouseConfig = PostgresWarehouseConfig;

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
  }
}
