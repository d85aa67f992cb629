import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import {
  adminQuery,
  createDatabase,
  dropDatabases,
  listTables,
  moduleDatabases,
  queryDatabase,
  testDatabaseUrl,
  uniqueName,
} from './support/databases.ts';

const MODULES = ['rag', 'chat', 'user', 'os', 'warehouse'] as const;

async function databaseExists(name: string): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
}

async function appliedVersions(database: string) {
  return queryDatabase<{ version: string; run_at: Date }>(
    database,
    'SELECT version, run_at FROM mobius_schema_version WHERE version > 0 ORDER BY version',
  );
}

describe('mobius migrate --env dev on empty databases', () => {
  const dbs = moduleDatabases('migrate');
  let first: Awaited<ReturnType<typeof mobius>>;

  beforeAll(async () => {
    first = await mobius(['migrate', '--env', 'dev'], dbs.env);
  }, 120_000);
  afterAll(() => dbs.drop());

  it('creates every module database and applies every migration, one progress line each', async () => {
    expect(problemsIn(first.stderr)).toEqual([]);
    expect(first.code).toBe(0);
    for (const module of MODULES) {
      expect(await databaseExists(dbs.names[module])).toBe(true);
      expect(first.out).toContain(`${module}: created database ${dbs.names[module]}`);
      expect(first.out.filter((line) => line.startsWith(`${module}: applied `)).length).toBeGreaterThan(0);
    }
    // The contract's 8 tables in public; our additions live in schema user_ext (services/user/migrations/002).
    expect((await listTables(dbs.names.user)).filter((name) => !name.includes('.'))).toHaveLength(8);
  });

  it('records each applied migration once, with its checksum', async () => {
    for (const module of MODULES) {
      const rows = await queryDatabase<{ version: string; md5: string }>(
        dbs.names[module],
        'SELECT version, md5 FROM mobius_schema_version WHERE version > 0',
      );
      const applied = first.out.filter((line) => line.startsWith(`${module}: applied `));
      expect(rows).toHaveLength(applied.length);
      for (const row of rows) expect(row.md5).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('is a no-op the second time: nothing applied, nothing recorded again', async () => {
    const before = await appliedVersions(dbs.names.rag);
    const second = await mobius(['migrate', '--env', 'dev'], dbs.env);
    expect(second.code).toBe(0);
    for (const module of MODULES) expect(second.out).toContain(`${module}: already up to date`);
    expect(second.out.some((line) => / applied | created database /.test(line))).toBe(false);
    expect(await appliedVersions(dbs.names.rag)).toEqual(before);
  });

  it('--status lists every migration as applied', async () => {
    const status = await mobius(['migrate', '--env', 'dev', '--module', 'chat', '--status'], dbs.env);
    expect(status.code).toBe(0);
    const rows = status.out.filter((line) => line.startsWith('chat: applied '));
    expect(rows.map((line) => line.split(/\s+/)[2])).toEqual([
      '001.do.dev_clone.sql',
      '002.do.published_rag_metadata.sql',
      '003.do.chat_additive_columns.sql',
      '004.do.pipeline_sink_state.sql',
      '005.do.vector_ledger.sql',
      '006.do.chat_indexes_concurrently.sql',
      '007.do.freshness_samples.sql',
    ]);
  });

  it('prints masked URLs, never a password', async () => {
    const env = { ...dbs.env, DATABASE_URL: testDatabaseUrl(dbs.names.rag).replace('postgres@', 'postgres:hunter2@') };
    const run = await mobius(['migrate', '--env', 'dev', '--module', 'rag'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('hunter2');
    expect(run.stdout).toContain('postgres:***@');
  });
});

describe('mobius migrate --status and --dry-run change nothing', () => {
  const missing = uniqueName('dry');
  const empty = uniqueName('dry');
  beforeAll(() => createDatabase(empty));
  afterAll(() => dropDatabases([missing, empty]));

  it('--status on a database not created yet lists every migration pending and creates nothing', async () => {
    const run = await mobius(['migrate', '--env', 'dev', '--module', 'user', '--status'], {
      USER_DATABASE_URL: testDatabaseUrl(missing),
    });
    expect(run.code).toBe(0);
    expect(run.out).toContain('user: pending  001.do.user_schema.sql (database not created yet)');
    expect(await databaseExists(missing)).toBe(false);
  });

  it('--dry-run on a missing database says it would create it and prints the SQL', async () => {
    const run = await mobius(['migrate', '--env', 'dev', '--module', 'user', '--dry-run'], {
      USER_DATABASE_URL: testDatabaseUrl(missing),
    });
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe(`user: would create database ${missing}`);
    expect(run.stdout).toContain('-- user: would apply 001.do.user_schema.sql');
    expect(run.stdout).toContain('CREATE TABLE IF NOT EXISTS app_user');
    expect(await databaseExists(missing)).toBe(false);
  });

  it('--dry-run on an existing empty database prints the SQL and leaves it empty', async () => {
    const run = await mobius(['migrate', '--env', 'dev', '--module', 'chat', '--dry-run'], {
      CHAT_DATABASE_URL: testDatabaseUrl(empty),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('-- chat: would apply 003.do.chat_additive_columns.sql');
    expect(run.stdout).toContain('published_rag_metadata');
    const tables = await queryDatabase(empty, "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables).toEqual([]);
  });
});
