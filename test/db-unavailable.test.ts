// An unreachable database answers 503 with a stable code (DB_UNREACHABLE) and retry-after, not 500:
// the one error handler of @mobius/service (httpProblemOf) maps the driver's failures, whichever way
// they come: refused (nothing listens), a connect timeout (a server that never answers), or the
// server dropping the connection mid-query (pg_terminate_backend: 57P01). On the real Postgres.
import { createPool } from '@mobius/db';
import { buildServiceApp, createLogger, createMetrics } from '@mobius/service';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRagTestService } from '../services/rag/src/testing/harness.ts';
import { waitFor } from './support/processes.ts';
import { adminQuery, createDatabase, dropDatabases, testDatabaseUrl, uniqueName } from './support/databases.ts';

const database = uniqueName('db_unavailable');
const APPLICATION = `mobius-db-unavailable-${database}`;

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server that accepts and never says a word, as a Postgres behind a black hole. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A service app with one route that runs `sql` on `pool`. */
function appOn(pool: pg.Pool) {
  const app = buildServiceApp({
    logger: createLogger('db-unavailable-test', 'silent'),
    metrics: createMetrics('db-unavailable-test'),
    readiness: [],
  });
  app.get('/rows', async () => ({ rows: (await pool.query<{ one: number }>('SELECT 1 AS one')).rows }));
  app.get('/slow', async () => ({ rows: (await pool.query('SELECT pg_sleep(30)')).rows }));
  return app;
}

function expect503(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string }) {
  expect(response.statusCode).toBe(503);
  expect(response.json()).toEqual({ error: { code: 'DB_UNREACHABLE', message: expect.stringContaining('retry later') } });
  expect(response.headers['retry-after']).toBe('1');
}

beforeAll(() => createDatabase(database));
afterAll(() => dropDatabases([database]));

describe('an unreachable database answers 503 DB_UNREACHABLE', () => {
  it('on a rag route when nothing listens on the database port (ECONNREFUSED)', async () => {
    const rag = createRagTestService({ databaseUrl: `postgresql://postgres@127.0.0.1:${await closedPort()}/mobius_rag`, dimensions: 8 });
    try {
      const response = await rag.app.inject({ method: 'GET', url: '/documents' });
      expect503(response);
      expect(response.body).not.toContain('ECONNREFUSED');
    } finally {
      await rag.close();
    }
  });

  it('when the server accepts but never answers (pg connect timeout)', async () => {
    const silent = await silentServer();
    const pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${silent.port}/x`, connectionTimeoutMillis: 300 });
    const app = appOn(pool);
    try {
      expect503(await app.inject({ method: 'GET', url: '/rows' }));
    } finally {
      await app.close();
      await pool.end();
      await silent.close();
    }
  });

  it('when the server ends the connection mid-query (pg_terminate_backend, 57P01), and recovers after', async () => {
    const pool = createPool(testDatabaseUrl(database), { applicationName: APPLICATION });
    const app = appOn(pool);
    try {
      expect((await app.inject({ method: 'GET', url: '/rows' })).json()).toEqual({ rows: [{ one: 1 }] });
      const slow = app.inject({ method: 'GET', url: '/slow' });
      await waitFor('the slow query to run', async () => {
        const { rows } = await adminQuery("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'SELECT pg_sleep%'", [
          APPLICATION,
        ]);
        if (rows.length === 0) throw new Error('not yet');
        return rows;
      });
      await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [APPLICATION]);
      expect503(await slow);
      const after = await app.inject({ method: 'GET', url: '/rows' });
      expect(after.statusCode).toBe(200);
    } finally {
      await app.close();
      await pool.end();
    }
  });

  it('but a statement the database refuses stays a 500 INTERNAL (the database is up)', async () => {
    const pool = createPool(testDatabaseUrl(database), { applicationName: APPLICATION });
    const app = appOn(pool);
    app.get('/broken', async () => (await pool.query('SELECT * FROM no_such_table')).rows);
    try {
      const response = await app.inject({ method: 'GET', url: '/broken' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    } finally {
      await app.close();
      await pool.end();
    }
  });
});
