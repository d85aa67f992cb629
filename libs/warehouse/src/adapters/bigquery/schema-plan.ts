import type { BigQuery, TableField, TableMetadata } from '@google-cloud/bigquery';
import { WarehouseSchemaError } from '../../errors.ts';
import { httpStatusOf } from './bigquery-errors.ts';
import { type BigQueryField, type Datasets, datasetOf, OLD_JOB_TABLES, type TableDefinition, WAREHOUSE_TABLES } from './tables.ts';

/**
 * What `mobius migrate --module warehouse` (and ensureSchema) would do to a BigQuery project, worked out
 * by reading only (one GET per dataset and table). Changes are additive: create a missing dataset or
 * table, add a missing column as NULLABLE (BigQuery refuses to add a REQUIRED one), relax a REQUIRED
 * column we may leave empty. Nothing is ever dropped or retyped: a column whose type or repetition
 * differs from ours makes planning throw a WarehouseSchemaError naming every such table and column.
 * Partitioning and clustering of an existing table are reported, never changed.
 */

/** One table's step. `fields` of an update is the whole patched schema (tables.patch replaces it). */
export type TableStep =
  | { action: 'create'; table: TableDefinition }
  | { action: 'update'; table: TableDefinition; added: BigQueryField[]; relaxed: string[]; fields: TableField[]; notes: string[] }
  | { action: 'keep'; table: TableDefinition; notes: string[] };

export interface SchemaPlan {
  /** Datasets to create. */
  datasets: string[];
  tables: TableStep[];
  /** Lines about the old batch job's tables, which are left alone. */
  oldJob: string[];
}

/** The API's legacy type names, as tables.get may answer them. */
const TYPE_ALIASES: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL' };
const typeOf = (field: TableField): string => TYPE_ALIASES[String(field.type)] ?? String(field.type);
const modeOf = (field: TableField): string => field.mode ?? 'NULLABLE';

/** A missing table or dataset is `undefined`; any other failure propagates. */
async function metadataOf(get: () => Promise<[unknown, ...unknown[]]>): Promise<TableMetadata | undefined> {
  try {
    const [metadata] = await get();
    return metadata as TableMetadata;
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}

const describeField = (field: TableField) => `${typeOf(field)} ${modeOf(field)}`;

/** Layout differences we cannot change on an existing table, said once. */
function layoutNotes(table: TableDefinition, existing: TableMetadata): string[] {
  const notes: string[] = [];
  const partition = existing.timePartitioning?.field;
  if (table.partitionDay && partition !== table.partitionDay) {
    notes.push(`not partitioned by day on ${table.partitionDay} as ours would be (left as it is; reads scan more)`);
  }
  const clustering = existing.clustering?.fields ?? [];
  if (table.clusterBy && clustering.join(',') !== table.clusterBy.join(',')) {
    notes.push(`clustered by ${clustering.length > 0 ? clustering.join(', ') : 'nothing'}, ours by ${table.clusterBy.join(', ')} (left as it is)`);
  }
  return notes;
}

/** Compares an existing table with ours: the step, or the incompatible columns in `problems`. */
export function compareTable(table: TableDefinition, where: string, existing: TableMetadata, problems: string[]): TableStep {
  const present = new Map((existing.schema?.fields ?? []).map((field) => [String(field.name), field]));
  const wanted = new Map(table.fields.map((field) => [field.name, field]));
  const added: BigQueryField[] = [];
  const relaxed: string[] = [];
  for (const field of table.fields) {
    const found = present.get(field.name);
    if (!found) {
      added.push(field.mode === 'REQUIRED' ? { ...field, mode: 'NULLABLE' } : field);
    } else if (typeOf(found) !== field.type || (modeOf(found) === 'REPEATED') !== (field.mode === 'REPEATED')) {
      problems.push(`${where}.${field.name} is ${describeField(found)}, expected ${field.type} ${field.mode}`);
    } else if (modeOf(found) === 'REQUIRED' && field.mode === 'NULLABLE') {
      relaxed.push(field.name);
    }
  }
  // A REQUIRED column that is not ours would refuse every row we stream: relaxing it is allowed.
  for (const [name, field] of present) if (!wanted.has(name) && modeOf(field) === 'REQUIRED') relaxed.push(name);
  const notes = layoutNotes(table, existing);
  if (added.length === 0 && relaxed.length === 0) return { action: 'keep', table, notes };
  const fields: TableField[] = [...present.values()].map((field) => (relaxed.includes(String(field.name)) ? { ...field, mode: 'NULLABLE' } : field));
  fields.push(...added.map((field) => ({ ...field })));
  return { action: 'update', table, added, relaxed, fields, notes };
}

/** Reads the project and plans; throws WarehouseSchemaError (nothing written) for incompatible columns. */
export async function planSchema(client: BigQuery, datasets: Datasets): Promise<SchemaPlan> {
  const plan: SchemaPlan = { datasets: [], tables: [], oldJob: [] };
  const missingDatasets = new Set<string>();
  for (const datasetId of new Set([datasets.landing, datasets.mart])) {
    const found = await metadataOf(() => client.dataset(datasetId).getMetadata());
    if (!found) missingDatasets.add(datasetId);
  }
  plan.datasets = [...missingDatasets];
  const problems: string[] = [];
  for (const table of WAREHOUSE_TABLES) {
    const datasetId = datasetOf(datasets, table);
    const existing = missingDatasets.has(datasetId) ? undefined : await metadataOf(() => client.dataset(datasetId).table(table.name).getMetadata());
    plan.tables.push(existing ? compareTable(table, `${datasetId}.${table.name}`, existing, problems) : { action: 'create', table });
  }
  if (problems.length > 0) {
    throw new WarehouseSchemaError(`incompatible BigQuery columns (nothing was changed; migrate never retypes a column): ${problems.join('; ')}`);
  }
  for (const old of OLD_JOB_TABLES) {
    const datasetId = datasetOf(datasets, { dataset: old.dataset } as TableDefinition);
    if (missingDatasets.has(datasetId)) continue;
    const existing = await metadataOf(() => client.dataset(datasetId).table(old.name).getMetadata());
    if (existing) {
      plan.oldJob.push(
        `leave ${datasetId}.${old.name}: the old batch job's table (${existing.schema?.fields?.length ?? 0} columns); never read or written`,
      );
    }
  }
  return plan;
}

const columnsOf = (fields: readonly BigQueryField[]) => fields.map((f) => `${f.name} ${f.type} ${f.mode}`).join(', ');

/** The plan as the lines `mobius migrate` prints, in the order they are applied. */
export function describePlan(plan: SchemaPlan, datasets: Datasets): string[] {
  const lines = plan.datasets.map((dataset) => `create dataset ${dataset}`);
  for (const step of plan.tables) {
    const name = `${datasetOf(datasets, step.table)}.${step.table.name}`;
    if (step.action === 'create') {
      lines.push(`create table ${name} (${step.table.fields.length} columns)`);
      continue;
    }
    if (step.action === 'update') {
      if (step.added.length > 0) lines.push(`add to ${name}: ${columnsOf(step.added)}`);
      if (step.relaxed.length > 0) lines.push(`relax in ${name} to NULLABLE: ${step.relaxed.join(', ')}`);
    } else {
      lines.push(`keep ${name}: compatible`);
    }
    lines.push(...step.notes.map((note) => `  ${name}: ${note}`));
  }
  return [...lines, ...plan.oldJob];
}
