import { createServiceWarehouse } from '@mobius/backends';
import { loadPipelineConfig, type DeployEnv } from '@mobius/config';
import { hasSchemaMigrator } from '@mobius/warehouse';
import type { CliIO } from '../io.ts';

/** True when the warehouse module is BigQuery (WAREHOUSE=bigquery), not the Postgres warehouse. */
export function warehouseIsBigQuery(io: CliIO): boolean {
  return io.env.WAREHOUSE === 'bigquery';
}

/**
 * The warehouse module on BigQuery: the adapter plans from what exists (reading only) and applies
 * additively: missing datasets and tables are created, missing columns added as NULLABLE, REQUIRED
 * columns we may leave empty relaxed; nothing is dropped or retyped, and the old batch job's tables are
 * left alone (docs/bigquery-adoption.md). `--dry-run` prints the plan and changes nothing; an
 * incompatible column fails with the table and column named, before anything is written. There are
 * no migration files, so `--status` says so without calling BigQuery.
 */
export async function migrateBigQueryWarehouse(io: CliIO, deployEnv: DeployEnv, mode: 'apply' | 'status' | 'dry-run') {
  // Only the BQ_* settings matter here; the pipeline's Postgres connections are not needed to migrate.
  const pipeline = loadPipelineConfig(io.env, { deployEnv: 'dev' });
  const { warehouse: settings } = pipeline;
  if (settings.kind !== 'bigquery') throw new Error('the warehouse is not BigQuery (WAREHOUSE=bigquery)');
  const target = `bigquery project ${settings.projectId}, datasets ${settings.landingDataset} and ${settings.dataset}`;
  io.out(`warehouse: ${target} (WAREHOUSE=bigquery, --env ${deployEnv})`);
  if (mode === 'status') {
    io.out('warehouse: schema is ensured, not versioned (--dry-run prints the plan)');
    return;
  }
  const warehouse = await createServiceWarehouse('mobius', pipeline);
  try {
    if (!hasSchemaMigrator(warehouse)) throw new Error('the BigQuery warehouse cannot plan its schema');
    const migration = await warehouse.migrateSchema({ dryRun: mode === 'dry-run' });
    const verb = migration.applied ? '' : 'would ';
    for (const line of migration.lines) io.out(`warehouse: ${line.startsWith(' ') ? line.trim() : verb + line}`);
    io.out(migration.applied ? 'warehouse: datasets and tables ensured' : 'warehouse: dry run, nothing changed');
  } finally {
    await warehouse.close();
  }
}
