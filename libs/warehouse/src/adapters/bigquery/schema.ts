import type { BigQuery, TableMetadata } from '@google-cloud/bigquery';
import { httpStatusOf } from './bigquery-errors.ts';
import { type JobOptions, runQuery } from './jobs.ts';
import { createLockTableQuery } from './sql.ts';
import { type Datasets, datasetOf, MART_LOCK, type TableDefinition, WAREHOUSE_TABLES } from './tables.ts';

export interface SchemaContext {
  client: BigQuery;
  datasets: Datasets;
  jobs: JobOptions;
  /** Where new datasets are created (`BQ_LOCATION`); BigQuery's default when absent. */
  location?: string;
}

/** What tables.insert receives for `table`: its explicit schema, daily partitioning and clustering. */
export function tableResource(table: TableDefinition): TableMetadata {
  return {
    description: table.description,
    schema: { fields: table.fields.map((field) => ({ ...field })) },
    ...(table.partitionDay ? { timePartitioning: { type: 'DAY', field: table.partitionDay } } : {}),
    ...(table.clusterBy ? { clustering: { fields: [...table.clusterBy] } } : {}),
  };
}

/** Runs `create`, treating 409 (another instance created it meanwhile) as done. */
async function createUnlessCreated(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (httpStatusOf(error) !== 409) throw error;
  }
}

async function ensureDataset(context: SchemaContext, datasetId: string): Promise<void> {
  const dataset = context.client.dataset(datasetId);
  const [exists] = await dataset.exists();
  if (exists) return;
  await createUnlessCreated(() => dataset.create(context.location ? { location: context.location } : {}));
}

async function ensureTable(context: SchemaContext, table: TableDefinition): Promise<void> {
  const dataset = context.client.dataset(datasetOf(context.datasets, table));
  const [exists] = await dataset.table(table.name).exists();
  if (exists) return;
  if (table === MART_LOCK) {
    // Created by DDL together with its one row (IF NOT EXISTS: concurrent callers make one of each).
    await runQuery(context.client, createLockTableQuery(context.datasets), {
      ...context.jobs, purpose: 'create_lock', readRows: false,
    });
    return;
  }
  await createUnlessCreated(() => dataset.createTable(table.name, tableResource(table)));
}

/**
 * Creates the two datasets and every table of tables.ts that is missing; what exists is left as it is
 * (only read: one GET per dataset and table). Safe to run from many instances at once.
 */
export async function ensureSchema(context: SchemaContext): Promise<void> {
  for (const datasetId of new Set([context.datasets.landing, context.datasets.mart])) {
    await ensureDataset(context, datasetId);
  }
  for (const table of WAREHOUSE_TABLES) await ensureTable(context, table);
}
