// The BigQuery warehouse adapter against a double of BigQuery's REST API on loopback (there is no
// BigQuery emulator on these machines): the real @google-cloud/bigquery client sends its requests,
// and these tests assert what it sent. This file: ensureSchema and landing. The mart side is in
// warehouse-bigquery-mart.test.ts, the SQL in warehouse-bigquery-sql.test.ts.
import { createHash, randomUUID } from 'node:crypto';
import { PUBLISHED_COLUMNS, type PublishedRow } from '@mobius/contracts';
import { createWarehouse, landingBatchId, type Warehouse } from '@mobius/warehouse';
import { publishedRow, publishedRows, snapshotOf, withText } from '@mobius/warehouse/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MART_LOCK } from '../libs/warehouse/src/adapters/bigquery/tables.ts';
import { BigQueryRestDouble, type InsertError } from './support/bigquery-rest-double.ts';

const PROJECT = 'mobius-test';
const FAST = { jobPollMs: 1, jobPollMaxMs: 2, retryBackoffMs: 1, apiRetries: 0 };

let double: BigQueryRestDouble;
let warehouse: Warehouse;
beforeEach(async () => {
  double = await BigQueryRestDouble.start();
  warehouse = await createWarehouse({
    kind: 'bigquery',
    projectId: PROJECT,
    location: 'EU',
    apiEndpoint: double.url,
    embeddingDimensions: 8,
    tuning: { ...FAST, insertAttempts: 3 },
  });
});
afterEach(async () => {
  await warehouse.close();
  await double.close();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const tableCreates = () => double.requestsTo('POST', /\/datasets\/[^/]+\/tables$/).map((request) => request.body);
const created = (dataset: string, table: string) =>
  tableCreates().find((body) => body.tableReference.datasetId === dataset && body.tableReference.tableId === table);

/** The contract's BigQuery type and mode of each published column, from the published-column catalogue (docs/contracts.md, "The published row"). */
const CONTRACT_FIELDS = PUBLISHED_COLUMNS.map((column) =>
  column.bigquery === 'ARRAY<FLOAT64>'
    ? { name: column.name, type: 'FLOAT64', mode: 'REPEATED' }
    : { name: column.name, type: column.bigquery, mode: column.required ? 'REQUIRED' : 'NULLABLE' },
);

describe('bigquery warehouse: ensureSchema', () => {
  it('creates both datasets and every table with the derived schema, partitioning and clustering', async () => {
    await warehouse.ensureSchema();
    const datasets = double.requestsTo('POST', /^\/projects\/mobius-test\/datasets$/).map((request) => request.body);
    expect(datasets.map((body) => [body.datasetReference.datasetId, body.location])).toEqual([
      ['landing_rag', 'EU'],
      ['mobius_rag', 'EU'],
    ]);
    const landing = created('landing_rag', 'landing_rows');
    expect(landing.schema.fields).toHaveLength(32);
    expect(landing.schema.fields.slice(0, 29)).toEqual(CONTRACT_FIELDS);
    expect(landing.schema.fields.slice(29)).toEqual([
      { name: 'batch_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'document_version', type: 'INT64', mode: 'REQUIRED' },
      { name: 'ingested_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
    ]);
    expect(landing.schema.fields).toEqual(
      expect.arrayContaining([
        { name: 'id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'embedding', type: 'FLOAT64', mode: 'REPEATED' },
        { name: 'page_number', type: 'INT64', mode: 'NULLABLE' },
        { name: 'updated_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
      ]),
    );
    expect(landing.timePartitioning).toEqual({ type: 'DAY', field: 'ingested_at' });
    expect(landing.clustering).toEqual({ fields: ['document_id', 'batch_id'] });
    const mart = created('mobius_rag', 'mart_rows');
    expect(mart.schema.fields.slice(0, 29)).toEqual(CONTRACT_FIELDS);
    expect(mart.schema.fields.slice(29).map((field: { name: string }) => field.name)).toEqual([
      'document_version',
      'deleted',
      'mart_run_id',
      'batch_id',
    ]);
    expect([mart.timePartitioning, mart.clustering]).toEqual([undefined, { fields: ['mart_run_id', 'id'] }]);
    expect(created('landing_rag', 'landing_batches')).toMatchObject({
      timePartitioning: { type: 'DAY', field: 'ingested_at' },
      clustering: { fields: ['batch_id'] },
    });
    expect(
      tableCreates()
        .map((body) => `${body.tableReference.datasetId}.${body.tableReference.tableId}`)
        .sort(),
    ).toEqual([
      'landing_rag.landing_batches',
      'landing_rag.landing_rows',
      'mobius_rag.mart_documents',
      'mobius_rag.mart_rows',
      'mobius_rag.mart_runs',
      'mobius_rag.merged_batches',
      'mobius_rag.sync_runs',
    ]);
    expect(double.queries.map((query) => query.sql)).toEqual([
      expect.stringMatching(
        new RegExp(
          '^CREATE TABLE IF NOT EXISTS `mobius-test\\.mobius_rag\\.mart_lock` \\(name STRING NOT NULL, last_run_id INT64 NOT NULL, ' +
            "[\\s\\S]*AS SELECT 'merge' AS name, 0 AS last_run_id",
        ),
      ),
    ]);
    expect(double.requests.every((request) => request.authorization === undefined)).toBe(true);
  });

  it('on a ready warehouse only reads: no dataset, table or lock is created again', async () => {
    await warehouse.ensureSchema();
    double.tables.set(`${PROJECT}.mobius_rag.mart_lock`, { tableReference: { tableId: 'mart_lock' }, schema: { fields: MART_LOCK.fields } });
    const before = double.requests.length;
    await warehouse.ensureSchema();
    const again = double.requests.slice(before);
    // 2 datasets, 8 tables, and the old batch job's 2 tables (looked for, to be reported).
    expect(again.length).toBe(12);
    expect(again.every((request) => request.method === 'GET')).toBe(true);
  });

  it('takes a table another instance created meanwhile (409) as done', async () => {
    double.conflictOnCreate.add('mart_runs');
    await expect(warehouse.ensureSchema()).resolves.toBeUndefined();
    expect(double.requestsTo('POST', /\/tables$/).filter((request) => request.body.tableReference.tableId === 'mart_runs')).toHaveLength(1);
  });
});

/** Tables exist, the lookup of landed batches answers `landed` (batch id -> row count). */
function readyToLand(landed: Record<string, number> = {}): void {
  for (const table of ['landing_rag.landing_rows', 'landing_rag.landing_batches']) {
    double.tables.set(`${PROJECT}.${table}`, {});
  }
  double.onQuery((query) => {
    if (!query.sql.includes('IN UNNEST(@batch_ids)')) return undefined;
    const ids = (query.params.batch_ids?.value ?? []) as string[];
    const rows = ids.filter((id) => id in landed).map((id) => ({ batch_id: id, row_count: landed[id] }));
    return {
      fields: [
        { name: 'batch_id', type: 'STRING' },
        { name: 'row_count', type: 'INT64' },
      ],
      rows,
    };
  });
}

const rowInserts = () => double.insertsInto('landing_rag.landing_rows');
const headerInserts = () => double.insertsInto('landing_rag.landing_batches');
const insertIds = (inserts: { rows: Array<{ insertId: string }> }[]) => inserts.flatMap((insert) => insert.rows.map((row) => row.insertId));

describe('bigquery warehouse: landing', () => {
  it('looks up landed batches with a named ARRAY<STRING> parameter, streams rows, then the headers', async () => {
    readyToLand();
    const [one, two] = [randomUUID(), randomUUID()];
    const rows = publishedRows(one, 3);
    const upper = publishedRow(two, { id: randomUUID().toUpperCase() });
    const landed = await warehouse.landSnapshots([snapshotOf(one, 1, rows), snapshotOf(two.toUpperCase(), 4, [upper])]);
    const [batchOne, batchTwo] = [landingBatchId(one, 1), landingBatchId(two, 4)];
    expect(landed).toEqual([
      { batchId: batchOne, documentId: one, documentVersion: 1, rowCount: 3, alreadyLanded: false },
      { batchId: batchTwo, documentId: two, documentVersion: 4, rowCount: 1, alreadyLanded: false },
    ]);
    const [lookup] = double.queries;
    expect(lookup).toMatchObject({
      parameterMode: 'named',
      useLegacySql: false,
      location: 'EU',
      params: { batch_ids: { type: 'ARRAY<STRING>', value: [batchOne, batchTwo] } },
    });
    expect(double.requestsTo('GET', new RegExp(`/jobs/${lookup?.jobId}$`))).toHaveLength(2);
    const streamed = rowInserts().flatMap((insert) => insert.rows);
    expect(streamed.map((row) => row.insertId)).toEqual([
      ...rows.map((row) => sha256(`${batchOne}:${row.id}`)),
      sha256(`${batchTwo}:${upper.id.toLowerCase()}`),
    ]);
    const first = streamed[0]?.json as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([...PUBLISHED_COLUMNS.map((column) => column.name), 'batch_id', 'document_version', 'ingested_at']);
    expect(first).toMatchObject({ ...rows[0], batch_id: batchOne, document_version: 1 });
    expect(streamed[3]?.json).toMatchObject({ id: upper.id.toLowerCase(), document_id: two, batch_id: batchTwo });
    expect(rowInserts().every((insert) => insert.skipInvalidRows === false)).toBe(true);
    const headers = headerInserts();
    expect(headers).toHaveLength(1);
    expect(headers[0]?.rows.map((row) => row.insertId)).toEqual([sha256(`${batchOne}:batch`), sha256(`${batchTwo}:batch`)]);
    expect(headers[0]?.rows[0]?.json).toMatchObject({
      batch_id: batchOne,
      document_id: one,
      document_version: 1,
      event_type: 'published',
      row_count: 3,
      row_ids: rows.map((row) => row.id),
      ingested_at: first.ingested_at,
    });
    expect(double.requests.at(-1)?.path).toBe(`/projects/${PROJECT}/datasets/landing_rag/tables/landing_batches/insertAll`);
  });

  it('sends the same insert ids when the same snapshot is landed again (a retry after a crash)', async () => {
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 4);
    await warehouse.landSnapshots([snapshotOf(doc, 2, rows, 3)]);
    const firstRows = insertIds(rowInserts());
    const firstHeader = insertIds(headerInserts());
    await warehouse.landSnapshots([snapshotOf(doc, 2, rows, 1)]);
    expect(insertIds(rowInserts())).toEqual([...firstRows, ...firstRows]);
    expect(insertIds(headerInserts())).toEqual([...firstHeader, ...firstHeader]);
    expect(new Set(firstRows).size).toBe(4);
  });

  it('reports a landed snapshot as alreadyLanded and streams nothing for it, nor twice in one call', async () => {
    const [old, fresh] = [randomUUID(), randomUUID()];
    readyToLand({ [landingBatchId(old, 1)]: 7 });
    const rows = publishedRows(fresh, 2);
    const landed = await warehouse.landSnapshots([snapshotOf(old, 1, publishedRows(old, 1)), snapshotOf(fresh, 1, rows), snapshotOf(fresh, 1, rows)]);
    expect(landed.map((batch) => [batch.documentId, batch.rowCount, batch.alreadyLanded])).toEqual([
      [old, 7, true],
      [fresh, 2, false],
      [fresh, 2, true],
    ]);
    expect(rowInserts().flatMap((insert) => insert.rows.map((row) => row.json.id))).toEqual(rows.map((row) => row.id));
    expect(headerInserts().flatMap((insert) => insert.rows.map((row) => row.json.document_id))).toEqual([fresh]);
  });

  it('re-sends exactly the rows a partial failure left out, with their insert ids, then the header', async () => {
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 4);
    const transient = (index: number): InsertError => ({ index, errors: [{ reason: 'backendError', message: 'try again' }] });
    double.onInsert((insert, attempt) => (insert.table === 'landing_rag.landing_rows' && attempt === 1 ? [transient(1), transient(3)] : undefined));
    expect(await warehouse.landSnapshots([snapshotOf(doc, 1, rows, 4)])).toMatchObject([{ rowCount: 4 }]);
    const batch = landingBatchId(doc, 1);
    expect(rowInserts().map((insert) => insert.rows.map((row) => row.insertId))).toEqual([
      rows.map((row) => sha256(`${batch}:${row.id}`)),
      [rows[1], rows[3]].map((row) => sha256(`${batch}:${row?.id}`)),
    ]);
    expect(rowInserts()[1]?.rows.map((row) => row.json)).toEqual([rows[1], rows[3]].map((row) => expect.objectContaining({ id: row?.id })));
    expect(headerInserts()).toHaveLength(1);
  });

  it('surfaces a row BigQuery refuses as non-retryable, naming the row, and writes no header', async () => {
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 3);
    double.onInsert((insert) =>
      insert.table.endsWith('landing_rows')
        ? [
            { index: 0, errors: [{ reason: 'stopped', message: '' }] },
            { index: 2, errors: [{ reason: 'invalid', message: 'Cannot convert value to timestamp' }] },
          ]
        : undefined,
    );
    await expect(warehouse.landSnapshots([snapshotOf(doc, 1, rows, 3)])).rejects.toMatchObject({
      code: 'WAREHOUSE_ROW_REJECTED',
      retryable: false,
      message: expect.stringMatching(new RegExp(`refused a row: row ${rows[2]?.id}: Cannot convert value to timestamp`)),
    });
    expect(rowInserts()).toHaveLength(1);
    expect(headerInserts()).toEqual([]);
  });

  it('never drops a row that keeps failing: a retryable error names it once the attempts are spent', async () => {
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 2);
    double.onInsert((insert) =>
      insert.table.endsWith('landing_rows') ? [{ index: insert.rows.length - 1, errors: [{ reason: 'backendError', message: 'busy' }] }] : undefined,
    );
    await expect(warehouse.landSnapshots([snapshotOf(doc, 1, rows)])).rejects.toMatchObject({
      code: 'WAREHOUSE_UNAVAILABLE',
      retryable: true,
      message: expect.stringMatching(new RegExp(`1 rows still not inserted after 3 attempts: row ${rows[1]?.id} \\(backendError\\)`)),
    });
    expect(rowInserts().map((insert) => insert.rows.map((row) => row.json.id))).toEqual([rows.map((row) => row.id), [rows[1]?.id], [rows[1]?.id]]);
    expect(headerInserts()).toEqual([]);
  });

  it('lands rows with an unusable embedding with their metadata and no vector (an empty REPEATED field)', async () => {
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 5);
    const bad = [null, [1, 2], rows[2]!.embedding!.with(3, Number.NaN), rows[3]!.embedding!.with(0, '0.5' as unknown as number)];
    const spoiled = rows.map((row, i) => (i < bad.length ? { ...row, embedding: bad[i] as number[] | null } : row));
    const [landed] = await warehouse.landSnapshots([snapshotOf(doc, 1, spoiled, 2)]);
    expect(landed).toMatchObject({ rowCount: 5, alreadyLanded: false });
    const streamed = rowInserts().flatMap((insert) => insert.rows.map((row) => row.json));
    expect(streamed.map((json) => json.id)).toEqual(rows.map((row) => row.id));
    expect(streamed.map((json) => json.embedding)).toEqual([[], [], [], [], rows[4]!.embedding]);
    expect(streamed[1]).toMatchObject({ text: rows[1]!.text, document_payer: rows[1]!.document_payer, content_sha: rows[1]!.content_sha });
    expect(headerInserts()[0]?.rows[0]?.json).toMatchObject({ row_count: 5, row_ids: rows.map((row) => row.id) });
  });

  const spoiled: Array<[string, (row: PublishedRow, first: PublishedRow) => PublishedRow, string, RegExp]> = [
    [
      'a row of another document',
      (row) => ({ ...row, document_id: randomUUID() }),
      'WAREHOUSE_ROW_DOCUMENT_MISMATCH',
      /is not the snapshot's document/,
    ],
    ['an id twice', (row, first) => ({ ...row, id: first.id.toUpperCase() }), 'WAREHOUSE_ROW_REJECTED', /appears twice in the snapshot/],
    ['a source_id that is not a uuid', (row) => ({ ...row, source_id: 'chunk-7' }), 'WAREHOUSE_ROW_REJECTED', /source_id is not a uuid/],
  ];
  it.each(spoiled)('refuses %s before streaming its batch, and writes no header', async (_, spoil, code, message) => {
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 4);
    const last = spoil(rows[3] as PublishedRow, rows[0] as PublishedRow);
    await expect(warehouse.landSnapshots([snapshotOf(doc, 1, [...rows.slice(0, 3), last], 2)])).rejects.toMatchObject({
      code,
      retryable: false,
      message: expect.stringMatching(message),
    });
    expect(rowInserts().map((insert) => insert.rows.length)).toEqual([2]);
    expect(headerInserts()).toEqual([]);
  });

  it('splits a large batch into insertAll requests of insertChunkRows rows', async () => {
    await warehouse.close();
    warehouse = await createWarehouse({
      kind: 'bigquery',
      projectId: PROJECT,
      apiEndpoint: double.url,
      embeddingDimensions: 8,
      tuning: { ...FAST, insertChunkRows: 2 },
    });
    readyToLand();
    const doc = randomUUID();
    const rows = publishedRows(doc, 5).map((row, i) => withText(row, `paragraph ${i}`));
    await warehouse.landSnapshots([snapshotOf(doc, 1, rows, 5)]);
    expect(rowInserts().map((insert) => insert.rows.map((row) => row.json.text))).toEqual([
      ['paragraph 0', 'paragraph 1'],
      ['paragraph 2', 'paragraph 3'],
      ['paragraph 4'],
    ]);
  });
});
