// Adopting production BigQuery as the old batch job (mobius-dbt) left it (docs/bigquery-adoption.md):
// its landing `landing_rag.rag_published_embeddings` and dbt mart `mobius_rag.published_rag_embeddings`
// (the 29 contract columns, not partitioned or clustered like ours) and its `mobius_rag.sync_runs`, all
// with rows, on the loopback BigQuery REST double. Then: the dry run prints the plan and changes
// nothing, migrate applies it, the old job's writes still work, our first streamed landing succeeds,
// and a mart run applied by both sinks becomes ONE sync_runs row with both counts.
import { randomUUID } from 'node:crypto';
import { applyMartRuns as applyToChat, createChatStore } from '@mobius/chat-sync';
import { createPool } from '@mobius/db';
import { createLogger } from '@mobius/service';
import { recordSyncRound, syncRoundId } from '@mobius/sink-state';
import { createVectorIndex } from '@mobius/vector-index';
import { applyMartRuns as applyToVertex, createSinkStore } from '@mobius/vertex-sync';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRows, snapshotOf } from '@mobius/warehouse/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_FIELDS, SYNC_RUNS } from '../libs/warehouse/src/adapters/bigquery/tables.ts';
import { BigQueryRestDouble } from './support/bigquery-rest-double.ts';
import { mobius, problemsIn } from './support/cli.ts';
import { createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const PROJECT = 'mobius-prod';
const DIMENSIONS = 8;
const FAST = { jobPollMs: 1, jobPollMaxMs: 2, retryBackoffMs: 1, apiRetries: 0 };
const OLD_LANDING = `${PROJECT}.landing_rag.rag_published_embeddings`;
const OLD_MART = `${PROJECT}.mobius_rag.published_rag_embeddings`;
const SYNC_RUNS_TABLE = `${PROJECT}.mobius_rag.sync_runs`;

/** The old job's CREATE TABLE: the 29 columns, INT64 spelled INTEGER as its load job does, no partitioning. */
const OLD_JOB_FIELDS = PUBLISHED_FIELDS.map((field) => ({ ...field, type: field.type === 'INT64' ? 'INTEGER' : field.type }));
const table = (key: string, fields: readonly object[]) => {
  const [projectId, datasetId, tableId] = key.split('.');
  return { tableReference: { projectId, datasetId, tableId }, schema: { fields: fields.map((field) => ({ ...field })) }, etag: 'old' };
};

/** A row as the old job's sync wrote it (insert_rows_json). */
const oldSyncRun = () => ({
  run_id: randomUUID(),
  started_at: '2025-01-01T00:00:00Z',
  finished_at: '2025-01-01T00:10:00Z',
  mart_rows_read: 3,
  postgres_rows_written: 3,
  vector_rows_upserted: 2,
  status: 'success',
  error_message: null,
});

/** A landing row as the old job loads it: the 29 columns, nothing of ours. */
const oldLandingRow = () => {
  const [row] = publishedRows(randomUUID(), 1);
  return { ...row, embedding: Array.from({ length: DIMENSIONS }, () => 0.5) };
};

/** What the old job's BigQuery client sends for insert_rows_json. */
async function oldJobInsert(double: BigQueryRestDouble, key: string, rows: object[]) {
  const [project, dataset, tableId] = key.split('.');
  const response = await fetch(`${double.url}/bigquery/v2/projects/${project}/datasets/${dataset}/tables/${tableId}/insertAll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rows: rows.map((json) => ({ insertId: randomUUID(), json })) }),
  });
  return (await response.json()) as { insertErrors?: unknown[] };
}

function seedOldJob(double: BigQueryRestDouble, syncRunsFields: readonly object[] = SYNC_RUNS.fields) {
  double.datasets.set(`${PROJECT}.landing_rag`, { datasetReference: { projectId: PROJECT, datasetId: 'landing_rag' } });
  double.datasets.set(`${PROJECT}.mobius_rag`, { datasetReference: { projectId: PROJECT, datasetId: 'mobius_rag' } });
  double.tables.set(OLD_LANDING, table(OLD_LANDING, OLD_JOB_FIELDS));
  double.tables.set(OLD_MART, table(OLD_MART, OLD_JOB_FIELDS));
  double.tables.set(SYNC_RUNS_TABLE, table(SYNC_RUNS_TABLE, syncRunsFields));
}

const cliEnv = (double: BigQueryRestDouble) => ({ WAREHOUSE: 'bigquery', BQ_PROJECT: PROJECT, BQ_API_ENDPOINT: double.url });
const writes = (double: BigQueryRestDouble, from: number) => double.requests.slice(from).filter((request) => request.method !== 'GET');

describe("adopting the old batch job's BigQuery tables", () => {
  let double: BigQueryRestDouble;
  beforeAll(async () => {
    double = await BigQueryRestDouble.start();
    seedOldJob(double);
    expect(await oldJobInsert(double, OLD_LANDING, [oldLandingRow(), oldLandingRow()])).not.toHaveProperty('insertErrors');
    expect(await oldJobInsert(double, SYNC_RUNS_TABLE, [oldSyncRun()])).not.toHaveProperty('insertErrors');
  });
  afterAll(() => double?.close());

  it('--dry-run prints the plan and changes nothing', async () => {
    const before = double.requests.length;
    const tables = structuredClone([...double.tables]);
    const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse', '--dry-run'], cliEnv(double));
    expect(problemsIn(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toEqual(
      expect.arrayContaining([
        'warehouse: would create table landing_rag.landing_rows (32 columns)',
        'warehouse: would create table mobius_rag.mart_rows (33 columns)',
        'warehouse: would keep mobius_rag.sync_runs: compatible',
        'warehouse: mobius_rag.sync_runs: not partitioned by day on started_at as ours would be (left as it is; reads scan more)',
        "warehouse: would leave landing_rag.rag_published_embeddings: the old batch job's table (29 columns); never read or written",
        "warehouse: would leave mobius_rag.published_rag_embeddings: the old batch job's table (29 columns); never read or written",
      ]),
    );
    expect(run.out.some((line) => /create dataset/.test(line))).toBe(false);
    expect(run.out.at(-1)).toBe('warehouse: dry run, nothing changed');
    expect(writes(double, before)).toEqual([]);
    expect([...double.tables]).toEqual(tables);
  });

  it("migrate creates our tables beside the old job's and leaves the old ones exactly as they were", async () => {
    const old = structuredClone([OLD_LANDING, OLD_MART, SYNC_RUNS_TABLE].map((key) => double.tables.get(key)));
    const before = double.requests.length;
    const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse'], cliEnv(double));
    expect(run.code).toBe(0);
    expect(run.out.at(-1)).toBe('warehouse: datasets and tables ensured');
    const created = writes(double, before).filter((request) => request.method === 'POST' && request.path.endsWith('/tables'));
    expect(created.map((request) => request.body.tableReference.tableId).sort()).toEqual([
      'landing_batches',
      'landing_rows',
      'mart_documents',
      'mart_rows',
      'mart_runs',
      'merged_batches',
    ]);
    expect(writes(double, before).filter((request) => request.method === 'PATCH')).toEqual([]);
    expect([OLD_LANDING, OLD_MART, SYNC_RUNS_TABLE].map((key) => double.tables.get(key))).toEqual(old);
  });

  it('the old job keeps writing its landing rows and sync_runs rows as before', async () => {
    expect(await oldJobInsert(double, OLD_LANDING, [oldLandingRow()])).not.toHaveProperty('insertErrors');
    expect(await oldJobInsert(double, SYNC_RUNS_TABLE, [oldSyncRun()])).not.toHaveProperty('insertErrors');
    expect(double.rowsOf(OLD_LANDING)).toHaveLength(3);
    expect(double.rowsOf(SYNC_RUNS_TABLE)).toHaveLength(2);
  });

  it('our first streamed landing after adoption succeeds, into our own table only', async () => {
    const warehouse = await createWarehouse({
      kind: 'bigquery',
      projectId: PROJECT,
      apiEndpoint: double.url,
      embeddingDimensions: DIMENSIONS,
      tuning: FAST,
    });
    try {
      const documentId = randomUUID();
      const [landed] = await warehouse.landSnapshots([snapshotOf(documentId, 1, publishedRows(documentId, 3))]);
      expect(landed).toMatchObject({ documentId, rowCount: 3, alreadyLanded: false });
      expect(double.rowsOf(`${PROJECT}.landing_rag.landing_rows`).map((row) => row.document_id)).toEqual([documentId, documentId, documentId]);
      expect(double.rowsOf(`${PROJECT}.landing_rag.landing_batches`)).toHaveLength(1);
      expect(double.rowsOf(OLD_LANDING)).toHaveLength(3);
    } finally {
      await warehouse.close();
    }
  });
});

describe('migrate on tables it cannot adopt, and on an earlier layout of ours', () => {
  it('a column of another type is an error naming table and column, and nothing is written', async () => {
    const double = await BigQueryRestDouble.start();
    try {
      seedOldJob(
        double,
        SYNC_RUNS.fields.map((field) => (field.name === 'mart_rows_read' ? { ...field, type: 'STRING' } : field)),
      );
      const before = double.requests.length;
      const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse'], cliEnv(double));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('mobius_rag.sync_runs.mart_rows_read is STRING NULLABLE, expected INT64 NULLABLE');
      expect(writes(double, before)).toEqual([]);
    } finally {
      await double.close();
    }
  });

  it('adds a missing column as NULLABLE and relaxes a REQUIRED column we may leave empty (as BigQuery allows)', async () => {
    const double = await BigQueryRestDouble.start();
    try {
      seedOldJob(
        double,
        SYNC_RUNS.fields
          .filter((field) => field.name !== 'error_message')
          .map((field) => (field.name === 'finished_at' ? { ...field, mode: 'REQUIRED' } : field)),
      );
      const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse'], cliEnv(double));
      expect(problemsIn(run.stderr)).toEqual([]);
      expect(run.out).toEqual(
        expect.arrayContaining([
          'warehouse: add to mobius_rag.sync_runs: error_message STRING NULLABLE',
          'warehouse: relax in mobius_rag.sync_runs to NULLABLE: finished_at',
        ]),
      );
      const fields = double.tables.get(SYNC_RUNS_TABLE).schema.fields;
      expect(fields.find((field: { name: string }) => field.name === 'finished_at').mode).toBe('NULLABLE');
      expect(fields.at(-1)).toEqual({ name: 'error_message', type: 'STRING', mode: 'NULLABLE' });
    } finally {
      await double.close();
    }
  });

  it('the double refuses, as BigQuery does, a patch that adds a REQUIRED column or tightens a mode', async () => {
    const double = await BigQueryRestDouble.start();
    try {
      seedOldJob(double);
      const patch = (fields: object[]) =>
        fetch(`${double.url}/bigquery/v2/projects/${PROJECT}/datasets/mobius_rag/tables/sync_runs`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ schema: { fields } }),
        });
      const added = await patch([...SYNC_RUNS.fields, { name: 'sink', type: 'STRING', mode: 'REQUIRED' }]);
      expect(added.status).toBe(400);
      expect(await added.text()).toContain('Cannot add required fields');
      const tightened = SYNC_RUNS.fields.map((field) => ({ ...field, mode: 'REQUIRED' }));
      expect((await patch(tightened)).status).toBe(400);
      expect((await patch(SYNC_RUNS.fields.map((field) => ({ ...field, mode: 'NULLABLE' })))).status).toBe(200);
    } finally {
      await double.close();
    }
  });
});

describe("sync_runs in BigQuery: one row per sync round with both sinks' counts", () => {
  const names = { chat: uniqueName('adopt_bq_chat'), warehouse: uniqueName('adopt_bq_wh') };
  let double: BigQueryRestDouble;
  let pool: pg.Pool;
  let local: Warehouse;
  let bigquery: Warehouse;
  beforeAll(async () => {
    double = await BigQueryRestDouble.start();
    seedOldJob(double);
    await createMigratedDatabase(names.chat, 'chat');
    await createMigratedDatabase(names.warehouse, 'warehouse');
    pool = createPool(testDatabaseUrl(names.chat), { applicationName: 'adopt-bigquery-test', max: 4 });
    local = await createWarehouse({ kind: 'postgres', databaseUrl: testDatabaseUrl(names.warehouse), embeddingDimensions: DIMENSIONS });
    bigquery = await createWarehouse({
      kind: 'bigquery',
      projectId: PROJECT,
      apiEndpoint: double.url,
      embeddingDimensions: DIMENSIONS,
      tuning: FAST,
    });
  });
  afterAll(async () => {
    await local?.close();
    await bigquery?.close();
    await pool?.end();
    await double?.close();
    await dropDatabases(Object.values(names));
  });

  it('a mart run applied by chat-sync and vertex-sync becomes one BigQuery row; nothing until both applied it', async () => {
    const logger = createLogger('adopt-bigquery-test', 'silent');
    const index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
    const documentId = randomUUID();
    await local.landSnapshots([snapshotOf(documentId, 1, publishedRows(documentId, 4))]);
    expect(await local.mergePendingBatches()).toMatchObject({ runId: 1 });
    const log = bigquery as Warehouse & Parameters<typeof recordSyncRound>[1];

    await applyToChat({ warehouse: local, store: createChatStore(pool), logger });
    expect(await recordSyncRound(pool, log)).toBeNull();
    expect(double.rowsOf(SYNC_RUNS_TABLE)).toEqual([]);

    await applyToVertex({ warehouse: local, store: createSinkStore(pool), index, dimensions: DIMENSIONS, logger });
    const round = await recordSyncRound(pool, log);
    expect(round).toMatchObject({ fromMartRunId: 0, toMartRunId: 1, martRowsRead: 4, postgresRowsWritten: 4, vectorRowsUpserted: 4 });
    expect(await recordSyncRound(pool, log)).toBeNull();

    const rows = double.rowsOf(SYNC_RUNS_TABLE);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      run_id: syncRoundId(0, 1),
      mart_rows_read: 4,
      postgres_rows_written: 4,
      vector_rows_upserted: 4,
      status: 'success',
      error_message: null,
    });
    expect(Date.parse(String(rows[0]?.finished_at))).toBeGreaterThanOrEqual(Date.parse(String(rows[0]?.started_at)));
    const chatRows = await queryDatabase(names.chat, 'SELECT sink FROM sync_runs ORDER BY sink');
    expect(chatRows.map((row) => row.sink)).toEqual(['chat-sync', 'vertex-sync']);
    await index.close();
  });
});
