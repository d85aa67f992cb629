import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { dropDatabases, listTables, uniqueName } from './support/databases.ts';

// Cloud Run mounts Cloud SQL as a Unix socket at /cloudsql/<connection name>. Here the machine's own
// Postgres socket is linked into such a folder, so the os rule is exercised over a real socket.
const SERVER_SOCKET = '/var/run/postgresql/.s.PGSQL.5432';

describe('os in cloud mode with CLOUDSQL_CONNECTION_NAME', () => {
  const database = uniqueName('socket');
  afterAll(() => dropDatabases([database]));

  it('connects over <socket dir>/<name>, ignoring host and port, with an encoded password', async () => {
    const socketRoot = mkdtempSync(join(tmpdir(), 'cloudsql-'));
    const connectionName = 'mobius-prod:us-central1:os-db';
    mkdirSync(join(socketRoot, connectionName));
    symlinkSync(SERVER_SOCKET, join(socketRoot, connectionName, '.s.PGSQL.5432'));

    const run = await mobius(['migrate', '--env', 'dev', '--module', 'os'], {
      DATABASE_MODE: 'cloud',
      CLOUDSQL_CONNECTION_NAME: connectionName,
      CLOUDSQL_SOCKET_DIR: socketRoot,
      POSTGRES_HOST_CLOUD: 'unresolvable.invalid',
      POSTGRES_PORT_CLOUD: '1',
      POSTGRES_DB_CLOUD: database,
      POSTGRES_USER_CLOUD: 'postgres',
      POSTGRES_PASSWORD_CLOUD: 'p@ss/w:rd#?&',
    });
    expect(problemsIn(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out[0]).toContain(`os: postgresql://postgres:***@/${database}?host=`);
    expect(run.out[0]).toContain('(CLOUDSQL_CONNECTION_NAME, --env dev)');
    expect(run.stdout).not.toContain('p@ss');
    expect(await listTables(database)).toHaveLength(68);
  });
});
