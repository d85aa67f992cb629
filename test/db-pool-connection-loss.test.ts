import { createPool } from '@mobius/db';
import { afterAll, expect, it } from 'vitest';
import { adminQuery, TEST_POSTGRES } from './support/databases.ts';

// Regression (chaos suite, pg-restart): a pooled client held outside a query (the reconciler's session
// lock during a pass, the outbox relay's transaction while it publishes) lost its connection when
// Postgres restarted, emitted 'error' with no listener, and the rag and reconciler processes crashed.
const pool = createPool(TEST_POSTGRES, { applicationName: 'mobius-pool-connection-loss' });
afterAll(() => pool.end());

it('a checked-out client whose connection dies does not crash the process; the pool recovers', async () => {
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  try {
    const client = await pool.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', record);
  }
});
