// The Warehouse port's Postgres adapter against the machine's Postgres: the port's conformance suite
// (one fresh database per test, migrated with migrateDatabase), then what is particular to Postgres.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase } from '@mobius/db';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRow, publishedRows, readChanges, runWarehouseConformance, snapshotOf } from '@mobius/warehouse/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDatabase, createMigratedDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const databases: string[] = [];
afterAll(() => dropDatabases(databases));

/** A new empty database on the test server; `migrated` applies the warehouse migrations to it. */
async function freshDatabase(migrated: boolean): Promise<{ name: string; databaseUrl: string }> {
  const name = uniqueName('wh');
  if (migrated) await createMigratedDatabase(name, 'warehouse');
  else await createDatabase(name);
  databases.push(name);
  return { name, databaseUrl: testDatabaseUrl(name) };
}

runWarehouseConformance('postgres', async ({ embeddingDimensions }) => {
  const { databaseUrl } = await freshDatabase(true);
  const make = () => createWarehouse({ kind: 'postgres', databaseUrl, embeddingDimensions });
  return { warehouse: await make(), another: make };
});

describe('postgres warehouse', () => {
  const opened: Warehouse[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((warehouse) => warehouse.close()));
  });
  async function open(databaseUrl: string, embeddingDimensions?: number): Promise<Warehouse> {
    const warehouse = await createWarehouse({ kind: 'postgres', databaseUrl, embeddingDimensions });
    opened.push(warehouse);
    return warehouse;
  }

  it('ensureSchema migrates an empty database from the package folder, then lands and merges', async () => {
    const { name, databaseUrl } = await freshDatabase(false);
    const warehouse = await open(databaseUrl, 8);
    await warehouse.ensureSchema();
    const doc = randomUUID();
    await warehouse.landSnapshots([snapshotOf(doc, 1, publishedRows(doc, 2))]);
    expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 1, rowsUpserted: 2 });
    const versions = await queryDatabase(name, 'SELECT version FROM mobius_schema_version WHERE version > 0 ORDER BY 1');
    expect(versions.map((row) => Number(row.version))).toEqual([1, 2, 3]);
  });

  it('expects 1536-dimension embeddings unless told otherwise (another length lands without its vector)', async () => {
    const { databaseUrl } = await freshDatabase(true);
    const warehouse = await open(databaseUrl);
    const doc = randomUUID();
    const [short, full] = [publishedRow(doc, {}, 8), publishedRow(doc, {}, 1536)];
    expect(await warehouse.landSnapshots([snapshotOf(doc, 1, [short, full])])).toMatchObject([{ rowCount: 2 }]);
    await warehouse.mergePendingBatches();
    const read = new Map((await readChanges(warehouse, 0, 1)).map((change) => [change.row.id, change.row.embedding]));
    expect([read.get(short.id), read.get(full.id)]).toEqual([null, full.embedding]);
  });

  it('records each run in mart_runs and each merged batch in merged_batches, for operators', async () => {
    const { name, databaseUrl } = await freshDatabase(true);
    const warehouse = await open(databaseUrl, 8);
    const [one, two] = [randomUUID(), randomUUID()];
    const landed = await warehouse.landSnapshots([snapshotOf(one, 1, publishedRows(one, 3)), snapshotOf(two, 1, [])]);
    await warehouse.mergePendingBatches();
    const runs = await queryDatabase(
      name,
      `SELECT run_id::int, batches_merged, documents, rows_upserted, rows_tombstoned,
      finished_at >= started_at AS finished FROM mobius_rag.mart_runs`,
    );
    expect(runs).toEqual([{ run_id: 1, batches_merged: 2, documents: 2, rows_upserted: 3, rows_tombstoned: 0, finished: true }]);
    const merged = await queryDatabase(name, 'SELECT batch_id, mart_run_id::int FROM mobius_rag.merged_batches ORDER BY 1');
    expect(merged).toEqual(landed.map((b) => ({ batch_id: b.batchId, mart_run_id: 1 })).sort((a, b) => (a.batch_id < b.batch_id ? -1 : 1)));
  });

  it('reads timestamps as ISO text even where the database defaults to another DateStyle', async () => {
    const { name, databaseUrl } = await freshDatabase(true);
    await queryDatabase(name, `ALTER DATABASE "${name}" SET DateStyle = 'SQL, DMY'`);
    const warehouse = await open(databaseUrl, 8);
    const doc = randomUUID();
    const [row] = publishedRows(doc, 1);
    await warehouse.landSnapshots([snapshotOf(doc, 1, [row!])]);
    await warehouse.mergePendingBatches();
    const [change] = await readChanges(warehouse, 0, 1);
    expect([change?.row.created_at, change?.row.updated_at]).toEqual([row?.created_at, row?.updated_at]);
  });

  it('stores each embedding as big-endian float32 bytes, 4 per dimension, and returns the nearest float32s', async () => {
    const { name, databaseUrl } = await freshDatabase(true);
    const warehouse = await open(databaseUrl, 4);
    const doc = randomUUID();
    const row = publishedRow(doc, { embedding: [0.1, -2.5, 1 / 3, 1e-50] }, 4);
    await warehouse.landSnapshots([snapshotOf(doc, 1, [row])]);
    await warehouse.mergePendingBatches();
    const [change] = await readChanges(warehouse, 0, 1);
    expect(change?.row.embedding).toEqual([Math.fround(0.1), -2.5, Math.fround(1 / 3), 0]);
    // Postgres's own float4send gives the same bytes: operators can read the column in SQL.
    const stored = await queryDatabase(
      name,
      `
      SELECT t.tbl, octet_length(t.embedding) AS bytes,
             t.embedding = float4send(0.1::float4) || float4send(-2.5::float4) || float4send((1 / 3::float8)::float4)
                           || float4send(0::float4) AS same
        FROM (SELECT 'landing' AS tbl, embedding FROM landing_rag.rag_published_embeddings
              UNION ALL SELECT 'mart', embedding FROM mobius_rag.published_rag_embeddings) t ORDER BY 1`,
    );
    expect(stored).toEqual([
      { tbl: 'landing', bytes: 16, same: true },
      { tbl: 'mart', bytes: 16, same: true },
    ]);
  });

  it("lands a row whose embedding holds a value beyond float32's range without its vector, and the rest as they are", async () => {
    const { databaseUrl } = await freshDatabase(true);
    const warehouse = await open(databaseUrl, 8);
    const doc = randomUUID();
    const rows = publishedRows(doc, 3);
    const huge = rows.map((row, i) => (i === 2 ? { ...row, embedding: row.embedding!.with(5, 1e39) } : row));
    expect(await warehouse.landSnapshots([snapshotOf(doc, 1, huge)])).toMatchObject([{ rowCount: 3, alreadyLanded: false }]);
    await warehouse.mergePendingBatches();
    const read = new Map((await readChanges(warehouse, 0, 1)).map((change) => [change.row.id, change.row]));
    expect(rows.map((row) => read.get(row.id))).toEqual([rows[0], rows[1], { ...rows[2], embedding: null }]);
  });

  it('migration 003 converts the jsonb embeddings of an existing warehouse to float32 bytes, NULL staying NULL', async () => {
    const { name, databaseUrl } = await freshDatabase(false);
    const before = mkdtempSync(join(tmpdir(), 'warehouse-migrations-'));
    try {
      for (const file of ['001.do.warehouse_baseline.sql', '002.do.mart_documents.sql']) {
        cpSync(join('libs/warehouse/migrations', file), join(before, file));
      }
      await migrateDatabase({ databaseUrl, migrationsDir: before });
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
    const [doc, batch] = [randomUUID(), randomUUID()];
    const [kept, empty] = [publishedRow(doc, {}, 4), publishedRow(doc, {}, 4)];
    const values = [0.1, -0.30000000000000004, 1e-50, 12345.678];
    const columns = 'id, document_id, source_type, source_id, embedding, created_at, text, content_sha, updated_at, document_version';
    const row = (r: typeof kept, embedding: string | null) => [
      r.id,
      doc,
      r.source_type,
      r.source_id,
      embedding,
      r.created_at,
      r.text,
      r.content_sha,
      r.updated_at,
    ];
    await queryDatabase(name, 'INSERT INTO mobius_rag.mart_runs (run_id, started_at, finished_at) VALUES (1, now(), now())');
    await queryDatabase(
      name,
      `INSERT INTO landing_rag.landing_batches (batch_id, document_id, document_version, row_count)
      VALUES ($1, $2, 1, 2)`,
      [batch, doc],
    );
    for (const [r, embedding] of [
      [kept, JSON.stringify(values)],
      [empty, null],
    ] as const) {
      await queryDatabase(
        name,
        `INSERT INTO landing_rag.rag_published_embeddings (${columns}, batch_id)
        VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, 1, $10)`,
        [...row(r, embedding), batch],
      );
      await queryDatabase(
        name,
        `INSERT INTO mobius_rag.published_rag_embeddings (${columns}, mart_run_id)
        VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, 1, 1)`,
        row(r, embedding),
      );
    }

    expect((await migrateDatabase({ databaseUrl, migrationsDir: 'libs/warehouse/migrations' })).applied).toEqual(['003.do.embedding_float32.sql']);
    const warehouse = await open(databaseUrl, 4);
    const read = new Map((await readChanges(warehouse, 0, 1)).map((change) => [change.row.id, change.row.embedding]));
    expect(read).toEqual(
      new Map([
        [kept.id, values.map(Math.fround)],
        [empty.id, null],
      ]),
    );
    const landed = await queryDatabase(
      name,
      `SELECT l.id, l.embedding IS NOT DISTINCT FROM m.embedding AS same
      FROM landing_rag.rag_published_embeddings l JOIN mobius_rag.published_rag_embeddings m USING (id) ORDER BY l.id`,
    );
    expect(landed).toEqual([kept.id, empty.id].sort().map((id) => ({ id, same: true })));
  });

  it('names a missing schema as a non-retryable error that says to migrate', async () => {
    const { databaseUrl } = await freshDatabase(false);
    const warehouse = await open(databaseUrl, 8);
    await expect(warehouse.mergePendingBatches()).rejects.toMatchObject({
      code: 'WAREHOUSE_SCHEMA_MISSING',
      retryable: false,
      message: expect.stringMatching(/mobius migrate --module warehouse/),
    });
  });

  it('reports an unreachable server as retryable, and a closed warehouse as closed', async () => {
    const warehouse = await open('postgresql://postgres@127.0.0.1:1/mobius_warehouse', 8);
    await expect(warehouse.latestMartRunId()).rejects.toMatchObject({ code: 'WAREHOUSE_UNAVAILABLE', retryable: true });
    await warehouse.close();
    await expect(warehouse.mergePendingBatches()).rejects.toMatchObject({ code: 'WAREHOUSE_CLOSED', retryable: false });
  });
});
