// The Warehouse port's Postgres adapter against the machine's Postgres: the port's conformance suite
// (one fresh database per test, migrated with migrateDatabase), then what is particular to Postgres.
import { randomUUID } from 'node:crypto';
import { migrateDatabase } from '@mobius/db';
import { createWarehouse, type Warehouse } from '@mobius/warehouse';
import { publishedRows, readChanges, runWarehouseConformance, snapshotOf } from '@mobius/warehouse/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const databases: string[] = [];
afterAll(() => dropDatabases(databases));

/** A new empty database on the test server; `migrated` applies the warehouse migrations to it. */
async function freshDatabase(migrated: boolean): Promise<{ name: string; databaseUrl: string }> {
  const name = uniqueName('wh');
  await createDatabase(name);
  databases.push(name);
  const databaseUrl = testDatabaseUrl(name);
  if (migrated) await migrateDatabase({ databaseUrl, migrationsDir: 'libs/warehouse/migrations' });
  return { name, databaseUrl };
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
    expect(versions.map((row) => Number(row.version))).toEqual([1, 2]);
  });

  it('expects 1536-dimension embeddings unless told otherwise', async () => {
    const { databaseUrl } = await freshDatabase(true);
    const warehouse = await open(databaseUrl);
    const doc = randomUUID();
    await expect(warehouse.landSnapshots([snapshotOf(doc, 1, publishedRows(doc, 1, 8))])).rejects.toMatchObject({
      code: 'WAREHOUSE_EMBEDDING_DIMENSION', retryable: false, message: expect.stringMatching(/expected 1536/),
    });
    expect(await warehouse.landSnapshots([snapshotOf(doc, 1, publishedRows(doc, 1, 1536))])).toMatchObject([{ rowCount: 1 }]);
  });

  it('records each run in mart_runs and each merged batch in merged_batches, for operators', async () => {
    const { name, databaseUrl } = await freshDatabase(true);
    const warehouse = await open(databaseUrl, 8);
    const [one, two] = [randomUUID(), randomUUID()];
    const landed = await warehouse.landSnapshots([snapshotOf(one, 1, publishedRows(one, 3)), snapshotOf(two, 1, [])]);
    await warehouse.mergePendingBatches();
    const runs = await queryDatabase(name, `SELECT run_id::int, batches_merged, documents, rows_upserted, rows_tombstoned,
      finished_at >= started_at AS finished FROM mobius_rag.mart_runs`);
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

  it('names a missing schema as a non-retryable error that says to migrate', async () => {
    const { databaseUrl } = await freshDatabase(false);
    const warehouse = await open(databaseUrl, 8);
    await expect(warehouse.mergePendingBatches()).rejects.toMatchObject({
      code: 'WAREHOUSE_SCHEMA_MISSING', retryable: false, message: expect.stringMatching(/mobius migrate --module warehouse/),
    });
  });

  it('reports an unreachable server as retryable, and a closed warehouse as closed', async () => {
    const warehouse = await open('postgresql://postgres@127.0.0.1:1/mobius_warehouse', 8);
    await expect(warehouse.latestMartRunId()).rejects.toMatchObject({ code: 'WAREHOUSE_UNAVAILABLE', retryable: true });
    await warehouse.close();
    await expect(warehouse.mergePendingBatches()).rejects.toMatchObject({ code: 'WAREHOUSE_CLOSED', retryable: false });
  });
});
