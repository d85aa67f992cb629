import { createPool, withTransaction } from '@mobius/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

describe('withTransaction on a pool', () => {
  const database = uniqueName('tx');
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    await createDatabase(database);
    await queryDatabase(database, 'CREATE TABLE item (id int PRIMARY KEY)');
    pool = createPool(testDatabaseUrl(database), { applicationName: 'mobius-test', max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await dropDatabases([database]);
  });

  it('commits when the work resolves and returns its result', async () => {
    const result = await withTransaction(pool, async (client) => {
      await client.query('INSERT INTO item VALUES (1), (2)');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await queryDatabase(database, 'SELECT id FROM item ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rolls back everything when the work throws, and rethrows', async () => {
    const attempt = withTransaction(pool, async (client) => {
      await client.query('INSERT INTO item VALUES (3)');
      throw new Error('handler failed');
    });
    await expect(attempt).rejects.toThrow('handler failed');
    expect(await queryDatabase(database, 'SELECT id FROM item WHERE id = 3')).toEqual([]);
  });

  it('runs at the requested isolation level, read only when asked', async () => {
    const seen = await withTransaction(pool, async (client) => (await client.query('SHOW transaction_isolation')).rows[0].transaction_isolation, {
      isolation: 'REPEATABLE READ',
    });
    expect(seen).toBe('repeatable read');
    const write = withTransaction(pool, (client) => client.query('INSERT INTO item VALUES (4)'), { readOnly: true });
    await expect(write).rejects.toThrow(/read-only transaction/);
  });

  it('returns clients to the pool, so more transactions than connections all complete', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => 100 + i);
    await Promise.all(ids.map((id) => withTransaction(pool, (client) => client.query('INSERT INTO item VALUES ($1)', [id]))));
    const rows = await queryDatabase(database, 'SELECT count(*)::int AS n FROM item WHERE id >= 100');
    expect(rows[0]?.n).toBe(10);
    expect(pool.totalCount).toBeLessThanOrEqual(2);
  });

  it('names itself in pg_stat_activity', async () => {
    const rows = await withTransaction(
      pool,
      async (client) => (await client.query('SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()')).rows,
    );
    expect(rows).toEqual([{ application_name: 'mobius-test' }]);
  });
});
