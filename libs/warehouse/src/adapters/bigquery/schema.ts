import type { BigQuery, TableMetadata } from '@google-cloud/bigquery';
import { httpStatusOf } from './bigquery-errors.ts';
import { type JobOptions, runQuery } from './jobs.ts';
import { describePlan, planSchema, type TableStep } from './schema-plan.ts';
import { createLockTableQuery } from './sql.ts';
import { type Datasets, datasetOf, MART_LOCK, type TableDefinition } from './tables.ts';

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

/** Creates a dataset the plan found missing (409: another instance was quicker). */
async function createDataset(context: SchemaContext, datasetId: string): Promise<void> {
  const dataset = context.client.dataset(datasetId);
  await createUnlessCreated(() => dataset.create(context.location ? { location: context.location } : {}));
}

async function createTable(context: SchemaContext, table: TableDefinition): Promise<void> {
  const dataset = context.client.dataset(datasetOf(context.datasets, table));
  if (table === MART_LOCK) {
    // Created by DDL together with its one row (IF NOT EXISTS: concurrent callers make one of each).
    await runQuery(context.client, createLockTableQuery(context.datasets), {
      ...context.jobs,
      purpose: 'create_lock',
      readRows: false,
    });
    return;
  }
  await createUnlessCreated(() => dataset.createTable(table.name, tableResource(table)));
}

/** Applies one table's step: create it, or patch its schema (added NULLABLE columns, relaxed modes). */
async function applyTableStep(context: SchemaContext, step: TableStep): Promise<void> {
  if (step.action === 'create') return createTable(context, step.table);
  if (step.action === 'keep') return;
  const table = context.client.dataset(datasetOf(context.datasets, step.table)).table(step.table.name);
  await table.setMetadata({ schema: { fields: step.fields } });
}

export interface SchemaMigration {
  /** What was (or, in a dry run, would be) done, one line each (schema-plan.ts describePlan). */
  lines: string[];
  /** False for a dry run. */
  applied: boolean;
}

/**
 * Plans (reading only) and, unless `dryRun`, applies: creates the missing datasets and tables, adds
 * missing columns as NULLABLE and relaxes REQUIRED columns we may leave empty on the tables that exist
 * (an earlier layout of ours, or `sync_runs` as the old batch job created it). Never drops or retypes:
 * an incompatible column throws WarehouseSchemaError before anything is written. Leaves the old job's
 * own tables alone. Safe to run from many instances at once (the same patch twice is a no-op).
 */
export async function migrateSchema(context: SchemaContext, options: { dryRun: boolean }): Promise<SchemaMigration> {
  const plan = await planSchema(context.client, context.datasets);
  const lines = describePlan(plan, context.datasets);
  if (options.dryRun) return { lines, applied: false };
  for (const datasetId of plan.datasets) await createDataset(context, datasetId);
  for (const step of plan.tables) await applyTableStep(context, step);
  return { lines, applied: true };
}

/** migrateSchema, applied. */
export async function ensureSchema(context: SchemaContext): Promise<void> {
  await migrateSchema(context, { dryRun: false });
}
