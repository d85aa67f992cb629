import { maskUrl, type WarehouseSettings } from '@mobius/config';
import type { Warehouse } from '@mobius/warehouse';

/**
 * The warehouse the settings select (loadPipelineConfig's `warehouse`, already checked): maps them onto
 * the port's factory, nothing more. @mobius/warehouse is imported on the first call: a service without
 * a warehouse never loads it.
 */
export async function createServiceWarehouse(
  service: string,
  pipeline: { warehouse: WarehouseSettings; embeddingDimensions: number },
  options: { applicationName?: string } = {},
): Promise<Warehouse> {
  const { warehouse: settings, embeddingDimensions } = pipeline;
  const { createWarehouse } = await import('@mobius/warehouse');
  if (settings.kind === 'postgres') {
    return createWarehouse({
      kind: 'postgres',
      databaseUrl: settings.databaseUrl,
      embeddingDimensions,
      applicationName: options.applicationName ?? `mobius-${service}`,
    });
  }
  return createWarehouse({
    kind: 'bigquery',
    projectId: settings.projectId,
    dataset: settings.dataset,
    landingDataset: settings.landingDataset,
    location: settings.location,
    apiEndpoint: settings.apiEndpoint,
    embeddingDimensions,
  });
}

/** The warehouse as a service's start-up line names it: the masked database URL, or BigQuery's project. */
export function describeWarehouse(settings: WarehouseSettings): string {
  return settings.kind === 'postgres' ? maskUrl(settings.databaseUrl) : `bigquery ${settings.projectId}`;
}
