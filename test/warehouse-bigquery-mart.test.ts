// The BigQuery warehouse's mart side against the REST double (test/support/bigquery-rest-double.ts):
// the merge script job (polling, conflicts, errors), keyset reading of changes, sync_runs, and the
// WAREHOUSE=bigquery wiring of @mobius/backends.
import { randomUUID } from 'node:crypto';
import { createServiceWarehouse } from '@mobius/backends';
import { loadPipelineConfig } from '@mobius/config';
import { PUBLISHED_COLUMNS, type PublishedRow } from '@mobius/contracts';
import { createWarehouse, hasSyncRunLog, type MartChange, type Warehouse } from '@mobius/warehouse';
import { publishedRow, publishedRows, readPages } from '@mobius/warehouse/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BigQueryRestDouble, type ScriptedField, type ScriptedResult } from './support/bigquery-rest-double.ts';

const PROJECT = 'mobius-test';
const FAST = { jobPollMs: 1, jobPollMaxMs: 2, retryBackoffMs: 1, apiRetries: 0, mergeConflictBackoffMs: 1, mergeConflictBackoffMaxMs: 2 };

let double: BigQueryRestDouble;
let warehouse: Warehouse;
beforeEach(async () => {
  double = await BigQueryRestDouble.start();
  warehouse = await createWarehouse({
    kind: 'bigquery',
    projectId: PROJECT,
    apiEndpoint: double.url,
    embeddingDimensions: 8,
    tuning: { ...FAST, mergeConflictAttempts: 3 },
  });
});
afterEach(async () => {
  await warehouse.close();
  await double.close();
});

const int = (name: string): ScriptedField => ({ name, type: 'INT64' });
const RUN_FIELDS = ['run_id', 'batches_merged', 'documents', 'rows_upserted', 'rows_tombstoned'].map(int);
const isMerge = (sql: string) => sql.startsWith('DECLARE');
const isLatest = (sql: string) => sql.includes('COALESCE(MAX(r.run_id), 0) AS run_id');
const CONFLICT = {
  reason: 'invalidQuery',
  message: 'Transaction is aborted due to concurrent update against table mobius-test:mobius_rag.mart_lock.',
};

/** Answers merge script jobs with `results`, one per job in order (the last one repeats). */
function scriptMerges(...results: ScriptedResult[]): void {
  let next = 0;
  double.onQuery((query) => (isMerge(query.sql) ? results[Math.min(next++, results.length - 1)] : undefined));
}

const mergeRow = (run: Partial<Record<string, number | null>>): ScriptedResult => ({
  fields: RUN_FIELDS,
  rows: [{ run_id: null, batches_merged: 0, documents: 0, rows_upserted: 0, rows_tombstoned: 0, ...run }],
});

describe('bigquery warehouse: merge', () => {
  it('runs one transactional script job, polls jobs.get until DONE, and returns its run', async () => {
    scriptMerges({ ...mergeRow({ run_id: 4, batches_merged: 2, documents: 1, rows_upserted: 3, rows_tombstoned: 1 }), runningPolls: 2 });
    expect(await warehouse.mergePendingBatches()).toEqual({ runId: 4, batchesMerged: 2, documents: 1, rowsUpserted: 3, rowsTombstoned: 1 });
    const [job] = double.queries;
    expect(job?.jobId).toMatch(/^mobius_merge_/);
    expect(job?.sql).toMatch(/^DECLARE v_started_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP\(\);\n/);
    expect(job?.sql).toMatch(
      new RegExp(
        'BEGIN TRANSACTION;\nCREATE TEMP TABLE candidates AS[\\s\\S]*' +
          'UPDATE `mobius-test\\.mobius_rag\\.mart_lock`[\\s\\S]*COMMIT TRANSACTION;\nSELECT v_run_id AS run_id',
      ),
    );
    expect(job?.params).toEqual({
      dedup_window_minutes: { type: 'INT64', value: 60 },
      claimant: { type: 'STRING', value: expect.any(String) },
    });
    const calls = double.requests.map((request) => `${request.method} ${request.path}`);
    expect(calls).toEqual([
      `POST /projects/${PROJECT}/jobs`,
      ...Array(3).fill(`GET /projects/${PROJECT}/jobs/${job?.jobId}`),
      `GET /projects/${PROJECT}/queries/${job?.jobId}`,
    ]);
  });

  it('returns null when the script merged nothing', async () => {
    scriptMerges(mergeRow({ run_id: null }));
    expect(await warehouse.mergePendingBatches()).toBeNull();
  });

  it('runs the script again when BigQuery cancelled its transaction for a concurrent merge', async () => {
    scriptMerges({ error: CONFLICT }, mergeRow({ run_id: 7, batches_merged: 1 }));
    expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 7, batchesMerged: 1 });
    const jobs = double.queries;
    expect(jobs).toHaveLength(2);
    expect(jobs[1]?.sql).toBe(jobs[0]?.sql);
    expect(jobs[1]?.jobId).not.toBe(jobs[0]?.jobId);
  });

  it('reports conflicts that outlast mergeConflictAttempts as retryable', async () => {
    scriptMerges({ error: CONFLICT });
    await expect(warehouse.mergePendingBatches()).rejects.toMatchObject({
      code: 'WAREHOUSE_UNAVAILABLE',
      retryable: true,
      message: expect.stringMatching(/concurrent update/),
    });
    expect(double.queries).toHaveLength(3);
  });

  const failures: Array<[string, { reason: string; message: string }]> = [
    ['a missing table', { reason: 'notFound', message: 'Not found: Table mobius-test:mobius_rag.mart_runs was not found in location US' }],
    ['a lost lock row', { reason: 'invalidQuery', message: 'mobius-warehouse: mart_lock has no merge row, run ensureSchema' }],
    ['a refused statement', { reason: 'invalidQuery', message: 'Unrecognized name: documents at [61:3]' }],
  ];
  it.each(failures)('reports %s as a non-retryable schema error, without retrying', async (_, error) => {
    scriptMerges({ error });
    await expect(warehouse.mergePendingBatches()).rejects.toMatchObject({
      code: 'WAREHOUSE_SCHEMA_MISSING',
      retryable: false,
      message: expect.stringContaining(error.message),
    });
    expect(double.queries).toHaveLength(1);
  });

  it('serializes the merges of one instance: the second job starts after the first finished', async () => {
    scriptMerges({ ...mergeRow({ run_id: 1, batches_merged: 1 }), runningPolls: 3 }, mergeRow({ run_id: null }));
    const [first, second] = await Promise.all([warehouse.mergePendingBatches(), warehouse.mergePendingBatches()]);
    expect([first?.runId, second]).toEqual([1, null]);
    const calls = double.requests.map((request) => `${request.method} ${request.path.split('/')[3]}`);
    expect(calls.lastIndexOf('POST jobs')).toBeGreaterThan(calls.indexOf('GET queries'));
  });
});

/** The fields of a changes page as BigQuery describes the SELECT (timestamps were formatted to STRING). */
const CHANGE_FIELDS: ScriptedField[] = [
  ...PUBLISHED_COLUMNS.map((column): ScriptedField => {
    if (column.kind === 'vector') return { name: column.name, type: 'FLOAT', mode: 'REPEATED' };
    return { name: column.name, type: column.kind === 'integer' ? 'INTEGER' : 'STRING', mode: 'NULLABLE' };
  }),
  { name: 'deleted', type: 'BOOLEAN' },
  int('document_version'),
  int('mart_run_id'),
];

interface Stored {
  row: PublishedRow;
  runId: number;
  deleted: boolean;
}

/** Answers latest-run and changes-page jobs from `mart`, evaluating the page's parameters as the SQL would. */
function scriptMart(mart: Stored[], latest: number, pageRows = 2): void {
  const sorted = [...mart].sort((a, b) => a.runId - b.runId || (a.row.id < b.row.id ? -1 : 1));
  double.onQuery((query) => {
    if (isLatest(query.sql)) return { fields: [int('run_id')], rows: [{ run_id: latest }] };
    if (!query.sql.includes('@cursor_run_id')) return undefined;
    const p = Object.fromEntries(Object.entries(query.params).map(([name, param]) => [name, String(param.value)]));
    const [after, upTo, runId, size] = [p.after_run_id, p.up_to_run_id, p.cursor_run_id, p.page_size].map(Number) as number[];
    const page = sorted
      .filter((s) => s.runId > after! && s.runId <= upTo! && (s.runId > runId! || (s.runId === runId && s.row.id > String(p.cursor_id))))
      .slice(0, size);
    const rows = page.map((s) => ({ ...s.row, deleted: s.deleted, document_version: 1, mart_run_id: s.runId }));
    // Only the selected columns come back, as BigQuery would answer the SELECT.
    if (selectsEmbedding(query.sql)) return { fields: CHANGE_FIELDS, rows, pageRows };
    const fields = CHANGE_FIELDS.filter((field) => field.name !== 'embedding');
    return { fields, rows: rows.map(({ embedding: _embedding, ...rest }) => rest), pageRows };
  });
}

const selectsEmbedding = (sql: string) => sql.includes('m.`embedding`');

describe('bigquery warehouse: reading mart changes', () => {
  it('pages the range by keyset through query parameters, following getQueryResults pages', async () => {
    const doc = randomUUID();
    const rows = [...publishedRows(doc, 6), publishedRow(doc, { model: null, document_reviewed_at: '2026-02-28 00:00:00.5' })];
    const mart = rows.map((row, i) => ({ row, runId: i < 4 ? 1 : 2, deleted: i === 5 }));
    scriptMart(mart, 2);
    const pages = await readPages(warehouse, 0, 2, 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    const byKey = (a: MartChange, b: MartChange) => a.martRunId - b.martRunId || (a.row.id < b.row.id ? -1 : 1);
    const expected = mart.map((s) => ({ row: s.row, deleted: s.deleted, documentVersion: 1, martRunId: s.runId })).sort(byKey);
    expect(pages.flat()).toEqual(expected);
    const pageJobs = double.queries.filter((query) => query.sql.includes('@cursor_run_id'));
    expect(pageJobs.map((job) => [job.params.cursor_run_id?.value, job.params.cursor_id?.value])).toEqual([
      [0, ''],
      [expected[2]?.martRunId, expected[2]?.row.id],
      [expected[5]?.martRunId, expected[5]?.row.id],
    ]);
    expect(pageJobs[0]?.params).toEqual({
      after_run_id: { type: 'INT64', value: 0 },
      up_to_run_id: { type: 'INT64', value: 2 },
      cursor_run_id: { type: 'INT64', value: 0 },
      cursor_id: { type: 'STRING', value: '' },
      page_size: { type: 'INT64', value: 3 },
    });
    const resultPages = double.requestsTo('GET', new RegExp(`/queries/${pageJobs[0]?.jobId}$`));
    expect(resultPages.map((request) => [request.query.pageToken, request.query.maxResults])).toEqual([
      [undefined, '1000'],
      ['2', '1000'],
    ]);
  });

  it('returns an embedding stored empty (how BigQuery holds an unusable one) as null', async () => {
    const doc = randomUUID();
    const [kept, emptied] = publishedRows(doc, 2);
    scriptMart(
      [
        { row: kept!, runId: 1, deleted: false },
        { row: { ...emptied!, embedding: [] }, runId: 1, deleted: false },
      ],
      1,
    );
    const read = new Map((await readPages(warehouse, 0, 1, 10)).flat().map((change) => [change.row.id, change.row]));
    expect(read.get(kept!.id)).toEqual(kept);
    expect(read.get(emptied!.id)).toEqual({ ...emptied, embedding: null });
  });

  it('leaves the embedding out of the page query when asked, and returns the rows without it', async () => {
    const doc = randomUUID();
    const mart = publishedRows(doc, 3).map((row) => ({ row, runId: 1, deleted: false }));
    scriptMart(mart, 1);
    const byId = (a: MartChange, b: MartChange) => (a.row.id < b.row.id ? -1 : 1);
    const full = mart.map((s) => ({ row: s.row, deleted: false, documentVersion: 1, martRunId: 1 })).sort(byId);
    expect((await readPages(warehouse, 0, 1, 10)).flat()).toEqual(full);
    expect((await readPages(warehouse, 0, 1, 10, { embedding: false })).flat()).toEqual(
      full.map((change) => ({ ...change, row: { ...change.row, embedding: null } })),
    );
    const pageJobs = double.queries.filter((query) => query.sql.includes('@cursor_run_id'));
    expect(pageJobs.map((job) => selectsEmbedding(job.sql))).toEqual([true, false]);
  });

  it('clamps upTo to the latest committed run, and asks nothing more when the range is empty', async () => {
    scriptMart([], 3);
    await readPages(warehouse, 0, 100, 10);
    expect(double.queries.find((query) => query.sql.includes('@cursor_run_id'))?.params.up_to_run_id?.value).toBe(3);
    const before = double.queries.length;
    expect(await readPages(warehouse, 3, 100, 10)).toEqual([]);
    expect(double.queries.slice(before).map((query) => isLatest(query.sql))).toEqual([true]);
  });

  it('refuses a batch size below 1 before sending anything', async () => {
    await expect(readPages(warehouse, 0, 1, 0)).rejects.toMatchObject({ code: 'WAREHOUSE_ARGUMENT_INVALID', retryable: false });
    expect(double.requests).toEqual([]);
  });

  it('latestMartRunId reads max(run_id) of mart_runs, 0 before the first run', async () => {
    double.onQuery((query) => (isLatest(query.sql) ? { fields: [int('run_id')], rows: [{ run_id: 0 }] } : undefined));
    expect(await warehouse.latestMartRunId()).toBe(0);
    expect(double.queries[0]?.sql).toBe('SELECT COALESCE(MAX(r.run_id), 0) AS run_id FROM `mobius-test.mobius_rag.mart_runs` r');
  });
});

describe('bigquery warehouse: operations', () => {
  it('streams a sync_runs row whose insert id makes a repeat of the same run harmless', async () => {
    double.tables.set(`${PROJECT}.mobius_rag.sync_runs`, {});
    if (!hasSyncRunLog(warehouse)) throw new Error('the BigQuery warehouse keeps sync_runs');
    const run = {
      runId: randomUUID(),
      startedAt: new Date('2026-03-01T10:00:00Z'),
      finishedAt: new Date('2026-03-01T10:00:02Z'),
      martRowsRead: 12,
      postgresRowsWritten: 10,
      vectorRowsUpserted: null,
      status: 'success' as const,
      errorMessage: null,
    };
    await warehouse.recordSyncRun(run);
    await warehouse.recordSyncRun(run);
    const inserts = double.insertsInto('mobius_rag.sync_runs').flatMap((insert) => insert.rows);
    expect(inserts[0]?.json).toEqual({
      run_id: run.runId,
      started_at: '2026-03-01T10:00:00.000Z',
      finished_at: '2026-03-01T10:00:02.000Z',
      mart_rows_read: 12,
      postgres_rows_written: 10,
      vector_rows_upserted: null,
      status: 'success',
      error_message: null,
    });
    expect(inserts[1]?.insertId).toBe(inserts[0]?.insertId);
  });

  it('reports an unreachable endpoint as retryable and a closed warehouse as closed', async () => {
    const offline = await createWarehouse({ kind: 'bigquery', projectId: PROJECT, apiEndpoint: 'http://127.0.0.1:1', tuning: FAST });
    await expect(offline.latestMartRunId()).rejects.toMatchObject({ code: 'WAREHOUSE_UNAVAILABLE', retryable: true });
    await offline.close();
    await expect(offline.mergePendingBatches()).rejects.toMatchObject({ code: 'WAREHOUSE_CLOSED', retryable: false });
  });

  it('WAREHOUSE=bigquery builds the adapter from BQ_* variables', async () => {
    const pipeline = loadPipelineConfig({
      WAREHOUSE: 'bigquery',
      BQ_PROJECT: PROJECT,
      BQ_DATASET: 'mart_x',
      BQ_LANDING_DATASET: 'landing_x',
      BQ_LOCATION: 'europe-west1',
      BQ_API_ENDPOINT: double.url,
    });
    const configured = await createServiceWarehouse('mart-builder', pipeline);
    double.onQuery(() => ({ fields: [int('run_id')], rows: [{ run_id: 5 }] }));
    expect(await configured.latestMartRunId()).toBe(5);
    await configured.close();
    expect(double.queries[0]).toMatchObject({ location: 'europe-west1', sql: expect.stringContaining('`mobius-test.mart_x.mart_runs`') });
    expect(() => loadPipelineConfig({ WAREHOUSE: 'bigquery', BQ_PROJECT: PROJECT, BQ_API_ENDPOINT: 'not a url' })).toThrow(/BQ_API_ENDPOINT/);
    expect(() => loadPipelineConfig({ WAREHOUSE: 'bigquery', BQ_PROJECT: PROJECT, BQ_DATASET: 'mart-x' })).toThrow(
      /BQ_DATASET is not a valid BigQuery dataset id/,
    );
  });
});
