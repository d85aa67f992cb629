import { ConfigError, type PipelineConfig } from '@mobius/config';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';

/** The warehouse the environment selects (WAREHOUSE, WAREHOUSE_DATABASE_URL, BQ_*). */
export async function createServiceWarehouse(
  service: string,
  pipeline: PipelineConfig,
  options: { applicationName?: string } = {},
): Promise<Warehouse> {
  switch (pipeline.env.WAREHOUSE) {
    case 'postgres':
      return createWarehouse({
        kind: 'postgres',
        databaseUrl: pipeline.warehouseDatabaseUrl,
        embeddingDimensions: pipeline.env.EMBEDDING_DIMENSIONS,
        applicationName: options.applicationName ?? `mobius-${service}`,
      });
    case 'bigquery':
      throw new ConfigError(service, 'WAREHOUSE', 'bigquery is not available yet (use postgres)');
  }
}
