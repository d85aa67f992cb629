import { ConfigError, type PipelineConfig } from '@mobius/config';
import type { Warehouse } from '@mobius/warehouse';

/**
 * The warehouse the environment selects (WAREHOUSE, WAREHOUSE_DATABASE_URL, BQ_*). @mobius/warehouse is
 * imported on the first call, after the configuration is checked: a service without a warehouse never
 * loads it.
 */
export async function createServiceWarehouse(
  service: string,
  pipeline: PipelineConfig,
  options: { applicationName?: string } = {},
): Promise<Warehouse> {
  switch (pipeline.env.WAREHOUSE) {
    case 'postgres': {
      const { createWarehouse } = await import('@mobius/warehouse');
      return createWarehouse({
        kind: 'postgres',
        databaseUrl: pipeline.warehouseDatabaseUrl,
        embeddingDimensions: pipeline.env.EMBEDDING_DIMENSIONS,
        applicationName: options.applicationName ?? `mobius-${service}`,
      });
    }
    case 'bigquery': {
      // loadPipelineConfig already refuses WAREHOUSE=bigquery without BQ_PROJECT; a hand-built config may not.
      if (!pipeline.env.BQ_PROJECT) throw new ConfigError(service, 'BQ_PROJECT', 'is required when WAREHOUSE=bigquery');
      const { createWarehouse } = await import('@mobius/warehouse');
      return createWarehouse({
        kind: 'bigquery',
        projectId: pipeline.env.BQ_PROJECT,
        dataset: pipeline.env.BQ_DATASET,
        landingDataset: pipeline.env.BQ_LANDING_DATASET,
        location: pipeline.env.BQ_LOCATION,
        apiEndpoint: pipeline.env.BQ_API_ENDPOINT,
        embeddingDimensions: pipeline.env.EMBEDDING_DIMENSIONS,
      });
    }
  }
}
