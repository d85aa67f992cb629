import { PUBLISHED_COLUMNS, type PublishedColumn } from '@mobius/contracts';

/**
 * Every table the BigQuery warehouse owns, defined once: ensureSchema creates them from these
 * definitions and every SQL statement names them through `tableRef`. The 29 published columns come
 * from PUBLISHED_COLUMNS (the contract catalogue the Postgres migrations follow too); the pipeline's
 * own columns mirror the Postgres warehouse's tables of the same names (migrations 001 and 002), with
 * BigQuery types. Nothing here is a hand-copied second schema of the published row.
 */

/** A column as tables.insert takes it (`INT64`, `FLOAT64` and `BOOL` are the API's aliases). */
export interface BigQueryField {
  name: string;
  type: 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP';
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
}

export interface TableDefinition {
  /** The dataset holding it: `landing` is BQ_LANDING_DATASET, `mart` is BQ_DATASET. */
  dataset: 'landing' | 'mart';
  name: string;
  description: string;
  fields: readonly BigQueryField[];
  /** Daily partitions on this TIMESTAMP column (a column, not ingestion time: see LANDING_ROWS). */
  partitionDay?: string;
  /** Clustering columns, most selective reads first (at most 4). */
  clusterBy?: readonly string[];
}

/** Where the tables live: `BQ_PROJECT`, `BQ_LANDING_DATASET`, `BQ_DATASET`. */
export interface Datasets {
  projectId: string;
  landing: string;
  mart: string;
}

/** A published column as a BigQuery field: the contract's type, REQUIRED where the contract says so. */
export function publishedField(column: PublishedColumn): BigQueryField {
  if (column.bigquery === 'ARRAY<FLOAT64>') return { name: column.name, type: 'FLOAT64', mode: 'REPEATED' };
  return { name: column.name, type: column.bigquery, mode: column.required ? 'REQUIRED' : 'NULLABLE' };
}

/** The 29 published columns as BigQuery fields, in contract order. */
export const PUBLISHED_FIELDS: readonly BigQueryField[] = PUBLISHED_COLUMNS.map(publishedField);

const required = (name: string, type: BigQueryField['type']): BigQueryField => ({ name, type, mode: 'REQUIRED' });
const nullable = (name: string, type: BigQueryField['type']): BigQueryField => ({ name, type, mode: 'NULLABLE' });

/**
 * One row per landed document snapshot: the commit marker of its rows. It is streamed only after all
 * its rows were acknowledged, and lists their ids, so a merge takes exactly the rows of the snapshot
 * (rows streamed by a failed attempt are never read) and can tell when they are all visible.
 */
export const LANDING_BATCHES: TableDefinition = {
  dataset: 'landing',
  name: 'landing_batches',
  description: 'One row per landed document snapshot (streamed after its rows); row_ids lists the snapshot.',
  fields: [
    required('batch_id', 'STRING'),
    required('document_id', 'STRING'),
    required('document_version', 'INT64'),
    nullable('publish_event_id', 'STRING'),
    required('event_type', 'STRING'),
    required('row_count', 'INT64'),
    { name: 'row_ids', type: 'STRING', mode: 'REPEATED' },
    required('ingested_at', 'TIMESTAMP'),
  ],
  partitionDay: 'ingested_at',
  clusterBy: ['batch_id'],
};

/**
 * Append-only landing of every snapshot's rows, streamed. Our own table beside the old batch job's
 * `rag_published_embeddings` (which that job truncates and reloads on every run; see
 * docs/bigquery-adoption.md and OLD_JOB_TABLES). Partitioned by the ingestion day on the
 * `ingested_at` column the lander sets (the same value for a snapshot's rows and its header), not on
 * _PARTITIONTIME: rows still in the streaming buffer have a NULL _PARTITIONTIME, so a filter on it
 * would skip exactly the rows a merge needs. Clustered by document, then batch.
 */
export const LANDING_ROWS: TableDefinition = {
  dataset: 'landing',
  name: 'landing_rows',
  description: 'Append-only landing: the rows of every document snapshot, as streamed.',
  fields: [...PUBLISHED_FIELDS, required('batch_id', 'STRING'), required('document_version', 'INT64'), required('ingested_at', 'TIMESTAMP')],
  partitionDay: 'ingested_at',
  clusterBy: ['document_id', 'batch_id'],
};

/** Mart runs, serialized and numbered in commit order. */
export const MART_RUNS: TableDefinition = {
  dataset: 'mart',
  name: 'mart_runs',
  description: 'One row per committed mart run, numbered 1, 2, 3 ... in commit order.',
  fields: [
    required('run_id', 'INT64'),
    required('started_at', 'TIMESTAMP'),
    nullable('finished_at', 'TIMESTAMP'),
    required('batches_merged', 'INT64'),
    required('documents', 'INT64'),
    required('rows_upserted', 'INT64'),
    required('rows_tombstoned', 'INT64'),
  ],
  clusterBy: ['run_id'],
};

/**
 * The merge's claim row (`name` = 'merge'): every merge transaction updates it first, so two merges
 * conflict at once and BigQuery cancels one (there is no advisory lock). Created with its row.
 */
export const MART_LOCK: TableDefinition = {
  dataset: 'mart',
  name: 'mart_lock',
  description: "The merge's claim row: each merge transaction updates it, so concurrent merges conflict.",
  fields: [required('name', 'STRING'), required('last_run_id', 'INT64'), nullable('claimed_at', 'TIMESTAMP'), nullable('claimed_by', 'STRING')],
};

/** The landing batches already merged (the rest are found by anti-join). */
export const MERGED_BATCHES: TableDefinition = {
  dataset: 'mart',
  name: 'merged_batches',
  description: 'Landing batches recorded as merged, with the run that merged them.',
  fields: [
    required('batch_id', 'STRING'),
    required('mart_run_id', 'INT64'),
    required('document_id', 'STRING'),
    required('document_version', 'INT64'),
    required('ingested_at', 'TIMESTAMP'),
    required('merged_at', 'TIMESTAMP'),
  ],
  clusterBy: ['batch_id'],
};

/** Per document, the snapshot the mart holds: the version guard, also after an unpublish. */
export const MART_DOCUMENTS: TableDefinition = {
  dataset: 'mart',
  name: 'mart_documents',
  description: 'Per document, the version of the snapshot the mart holds (the version guard).',
  fields: [
    required('document_id', 'STRING'),
    required('document_version', 'INT64'),
    nullable('batch_id', 'STRING'),
    required('mart_run_id', 'INT64'),
  ],
  clusterBy: ['document_id'],
};

/**
 * The mart: per document the rows of its latest snapshot, plus tombstones. Our own table beside the
 * old batch job's `published_rag_embeddings` (whose reader syncs every row it holds, so it must never
 * see a tombstone). Clustered for the sinks'
 * reads, which page through a run range in (mart_run_id, id) order.
 */
export const MART_ROWS: TableDefinition = {
  dataset: 'mart',
  name: 'mart_rows',
  description: 'The mart: per document the rows of its latest snapshot; deleted rows are tombstones.',
  fields: [
    ...PUBLISHED_FIELDS,
    required('document_version', 'INT64'),
    required('deleted', 'BOOL'),
    required('mart_run_id', 'INT64'),
    nullable('batch_id', 'STRING'),
  ],
  clusterBy: ['mart_run_id', 'id'],
};

/**
 * Sync audit with the columns of chat's sync_runs (docs/contracts.md, "Chat's database"): one row per sync round
 * (libs/sink-state/src/sync-rounds.ts). The old batch job created this very table with these columns
 * (not partitioned) and keeps appending its rows to it; we adopt it as it is.
 */
export const SYNC_RUNS: TableDefinition = {
  dataset: 'mart',
  name: 'sync_runs',
  description: "Sync audit, the same columns as chat's sync_runs.",
  fields: [
    required('run_id', 'STRING'),
    required('started_at', 'TIMESTAMP'),
    nullable('finished_at', 'TIMESTAMP'),
    nullable('mart_rows_read', 'INT64'),
    nullable('postgres_rows_written', 'INT64'),
    nullable('vector_rows_upserted', 'INT64'),
    required('status', 'STRING'),
    nullable('error_message', 'STRING'),
  ],
  partitionDay: 'started_at',
};

/** Every table, in creation order. MART_LOCK is created by a DDL job with its row (see schema.ts). */
export const WAREHOUSE_TABLES: readonly TableDefinition[] = [
  LANDING_BATCHES,
  LANDING_ROWS,
  MART_RUNS,
  MERGED_BATCHES,
  MART_DOCUMENTS,
  MART_ROWS,
  SYNC_RUNS,
  MART_LOCK,
];

/**
 * The old batch job's (mobius-dbt) tables of the contract names, which it keeps writing while both run:
 * the landing it truncates and reloads with its 29-column schema on every run, and the dbt mart its
 * sync reads in full. The adapter never reads or writes them; migrate reports them and leaves them.
 */
export const OLD_JOB_TABLES: ReadonlyArray<{ dataset: 'landing' | 'mart'; name: string }> = [
  { dataset: 'landing', name: 'rag_published_embeddings' },
  { dataset: 'mart', name: 'published_rag_embeddings' },
];

/** The dataset id of `table`. */
export function datasetOf(datasets: Datasets, table: TableDefinition): string {
  return table.dataset === 'landing' ? datasets.landing : datasets.mart;
}

/** `` `project.dataset.table` ``: the table's name in SQL. */
export function tableRef(datasets: Datasets, table: TableDefinition): string {
  return `\`${datasets.projectId}.${datasetOf(datasets, table)}.${table.name}\``;
}

/** A backquoted column name (`text` and friends are keywords to some parsers). */
export const ident = (name: string): string => `\`${name}\``;
