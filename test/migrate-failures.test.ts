import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, migrationStatus, MigrationFailedError, MigrationTamperedError } from '@mobius/db';
import { afterAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { adminQuery, createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from './support/databases.ts';

const created: string[] = [];
afterAll(() => dropDatabases(created));

async function freshDatabase(tag: string): Promise<string> {
  const name = uniqueName(tag);
  created.push(name);
  await createDatabase(name);
  return name;
}

/** A private copy of a module's migrations that a test may edit. */
function copyMigrations(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mobius-migrations-'));
  cpSync(from, dir, { recursive: true });
  return dir;
}

async function tableExists(database: string, table: string): Promise<boolean> {
  const rows = await queryDatabase(database, 'SELECT to_regclass($1) AS t', [table]);
  return rows[0]?.t !== null;
}

describe('a migration edited after it was applied', () => {
  it('is refused, naming the file, and nothing newer is applied', async () => {
    const database = await freshDatabase('tamper');
    const dir = copyMigrations('services/user/migrations');
    const databaseUrl = testDatabaseUrl(database);
    await migrateDatabase({ databaseUrl, migrationsDir: dir });

    appendFileSync(join(dir, '001.do.user_schema.sql'), '\n-- a quiet edit\n');
    writeFileSync(join(dir, '999.do.later.sql'), 'CREATE TABLE later_table (id int);');
    const attempt = migrateDatabase({ databaseUrl, migrationsDir: dir });
    await expect(attempt).rejects.toThrow(MigrationTamperedError);
    await expect(attempt).rejects.toThrow('migration 001.do.user_schema.sql was edited after it was applied');
    expect(await tableExists(database, 'later_table')).toBe(false);

    const status = await migrationStatus(databaseUrl, dir);
    expect(status.map((entry) => [entry.file, entry.state])).toEqual([
      ['001.do.user_schema.sql', 'tampered'],
      ['002.do.user_ext.sql', 'applied'],
      ['003.do.user_lifecycle.sql', 'applied'],
      ['999.do.later.sql', 'pending'],
    ]);
  });
});

describe('a migration that fails', () => {
  it('rolls back with its record; earlier migrations stay applied; the error names the file', async () => {
    const database = await freshDatabase('fail');
    const dir = mkdtempSync(join(tmpdir(), 'mobius-migrations-'));
    writeFileSync(join(dir, '001.do.first.sql'), 'CREATE TABLE first_table (id int);');
    writeFileSync(join(dir, '002.do.broken.sql'), 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;');
    const databaseUrl = testDatabaseUrl(database);

    const attempt = migrateDatabase({ databaseUrl, migrationsDir: dir });
    await expect(attempt).rejects.toThrow(MigrationFailedError);
    await expect(attempt).rejects.toThrow(/migration 002\.do\.broken\.sql failed and was rolled back: division by zero/);
    expect(await tableExists(database, 'first_table')).toBe(true);
    expect(await tableExists(database, 'half_done')).toBe(false);
    const recorded = await queryDatabase(database, 'SELECT version FROM mobius_schema_version WHERE version > 0');
    expect(recorded.map((row) => Number(row.version))).toEqual([1]);

    writeFileSync(join(dir, '002.do.broken.sql'), 'CREATE TABLE half_done (id int);');
    const fixed = await migrateDatabase({ databaseUrl, migrationsDir: dir });
    expect(fixed.applied).toEqual(['002.do.broken.sql']);
  });
});

describe('mobius migrate --env prod', () => {
  it('refuses without URLs, naming the variable, before touching anything', async () => {
    const run = await mobius(['migrate', '--env', 'prod'], {});
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]);
    expect(problemsIn(run.stderr)).toEqual([
      'mobius: error: CONFIG_INVALID: rag config: DATABASE_URL is required with --env prod (no local default in production)',
    ]);
  });

  it('names the missing variable of a later module even when the first ones are set', async () => {
    const run = await mobius(['migrate', '--env', 'prod'], {
      DATABASE_URL: testDatabaseUrl('x'),
      CHAT_DATABASE_URL: testDatabaseUrl('y'),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('user config: USER_DATABASE_URL is required');
  });

  it('never creates a database', async () => {
    const missing = uniqueName('prod');
    created.push(missing);
    const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse'], {
      WAREHOUSE_DATABASE_URL: testDatabaseUrl(missing),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`DB_MISSING: database does not exist: ${missing} on 127.0.0.1:5432`);
    expect((await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [missing])).rowCount).toBe(0);
  });
});

describe('an unreachable database', () => {
  it('fails with one line that shows the host and masks the password', async () => {
    const run = await mobius(['migrate', '--env', 'dev', '--module', 'rag'], {
      DATABASE_URL: 'postgresql://app:hunter2@127.0.0.1:1/mobius_rag',
    });
    expect(run.code).toBe(1);
    expect(problemsIn(run.stderr)).toHaveLength(1);
    expect(problemsIn(run.stderr)[0]).toMatch(/^mobius: error: DB_UNREACHABLE: cannot reach database mobius_rag at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });
});

describe('the installed mobius command', () => {
  it('exits non-zero with a one-line error, and zero on success', async () => {
    const failed = spawnSync(process.execPath, ['bin/mobius.js', 'migrate', '--env', 'prod'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim().split('\n')).toEqual([
      'mobius: error: CONFIG_INVALID: rag config: DATABASE_URL is required with --env prod (no local default in production)',
    ]);

    const database = uniqueName('bin');
    created.push(database);
    const ok = spawnSync(process.execPath, ['bin/mobius.js', 'migrate', '--env', 'dev', '--module', 'user'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, USER_DATABASE_URL: testDatabaseUrl(database) },
    });
    expect(problemsIn(ok.stderr)).toEqual([]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('user: up to date (3 applied)');
  });

  it('rejects an unknown module with the valid choices', async () => {
    const run = await mobius(['migrate', '--module', 'billing'], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("argument 'billing' is invalid. Allowed choices are rag, chat, user, os, warehouse");
  });
});
