import { createServiceWarehouse } from '@mobius/backends';
import { loadPipelineConfig, type DeployEnv } from '@mobius/config';
import type { CliIO } from '../io.ts';

/** True when the warehouse module is BigQuery (WAREHOUSE=bigquery), not the Postgres warehouse. */
export function warehouseIsBigQuery(io: CliIO): boolean {
  return io.env.WAREHOUSE === 'bigquery';
}

/**
 * The warehouse module on BigQuery: datasets and tables are created from the contract's schema by the
 * adapter's `ensureSchema` (idempotent: an existing table is left as it is). There are no migration
 * files, so `--status` and `--dry-run` say what would be ensured.
 */
export async function migrateBigQueryWarehouse(io: CliIO, deployEnv: DeployEnv, mode: 'apply' | 'status' | 'dry-run') {
  // Only the BQ_* settings matter here; the pipeline's Postgres connections are not needed to migrate.
  const pipeline = loadPipelineConfig(io.env, { deployEnv: 'dev' });
  const target = `bigquery project ${pipeline.env.BQ_PROJECT}, datasets ${pipeline.env.BQ_LANDING_DATASET} and ${pipeline.env.BQ_DATASET}`;
  io.out(`warehouse: ${target} (WAREHOUSE=bigquery, --env ${deployEnv})`);
  if (mode !== 'apply') {
    io.out(`warehouse: ${mode === 'status' ? 'schema is ensured, not versioned' : 'would ensure'} the landing and mart tables`);
    return;
  }
  const warehouse = await createServiceWarehouse('mobius', pipeline);
  try {
    await warehouse.ensureSchema();
    io.out('warehouse: datasets and tables ensured');
  } finally {
    await warehouse.close();
  }
}
