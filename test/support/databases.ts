import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateDatabase } from '@mobius/db';
import pg from 'pg';

/** The machine's Postgres (trust auth). Overridable for other setups. */
export const TEST_POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A URL to `database` on the test server. */
export function testDatabaseUrl(database: string): string {
  const url = new URL(TEST_POSTGRES);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A name no other test file or run uses: `mt_<tag>_<random>`. */
export function uniqueName(tag: string): string {
  return `mt_${tag}_${randomBytes(4).toString('hex')}`;
}

/** Runs one statement on the server's maintenance database. */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function createDatabase(name: string): Promise<void> {
  await adminQuery(`CREATE DATABASE "${name}"`);
}

/** How many databases are dropped at once: each drop waits for a checkpoint, which drops running together share. */
const DROP_CONCURRENCY = 8;

export async function dropDatabases(names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += DROP_CONCURRENCY) {
    await Promise.all(names.slice(i, i + DROP_CONCURRENCY).map((name) => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Each module's migrations (as libs/cli/src/module-migrations.ts): what a template of that module is migrated with. */
export const MODULE_MIGRATIONS = {
  rag: join(REPO_ROOT, 'services/rag/migrations'),
  chat: join(REPO_ROOT, 'services/chat/migrations'),
  user: join(REPO_ROOT, 'services/user/migrations'),
  os: join(REPO_ROOT, 'libs/os-db/migrations'),
  warehouse: join(REPO_ROOT, 'libs/warehouse/migrations'),
} as const;
export type TemplateModule = keyof typeof MODULE_MIGRATIONS;

/** Above any lock key the code under test takes: one advisory lock for building templates, server-wide. */
const TEMPLATE_LOCK_KEY = 7_357_001;

/**
 * The template database of `module`: `mt_template_<module>_<hash of its migration files>`. The hash
 * names the migrations it was made with, so a template is reused across test runs until a migration
 * changes (then a new one is made beside it).
 */
export function templateName(module: TemplateModule): string {
  const dir = MODULE_MIGRATIONS[module];
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort())
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(dir, file)))
      .update('\0');
  return `mt_template_${module}_${hash.digest('hex').slice(0, 12)}`;
}

const ensured = new Map<TemplateModule, Promise<string>>();

/**
 * Makes sure `module`'s template exists (migrated once, under a server-wide advisory lock so parallel
 * workers and runs do not race), and returns its name. A template is built under another name and
 * renamed when complete, then closed to connections (a clone needs its template unused).
 */
export function ensureTemplate(module: TemplateModule): Promise<string> {
  let done = ensured.get(module);
  if (!done) {
    done = buildTemplate(module);
    ensured.set(module, done);
    done.catch(() => ensured.delete(module));
  }
  return done;
}

async function buildTemplate(module: TemplateModule): Promise<string> {
  const name = templateName(module);
  const client = new pg.Client({ connectionString: TEST_POSTGRES });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      await migrateDatabase({ databaseUrl: testDatabaseUrl(building), migrationsDir: MODULE_MIGRATIONS[module] });
      // The migration's pool has ended, but its sessions may take a moment to quit (a rename needs none).
      for (let attempt = 0; ; attempt++) {
        try {
          await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt >= 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    }
    return name;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/**
 * Creates database `name` already migrated with `module`'s migrations: a copy of the module's template
 * (CREATE DATABASE ... TEMPLATE), instead of running every migration again. Tests of the migrations
 * themselves (migrate*.test.ts, adoption) keep migrating.
 */
export async function createMigratedDatabase(name: string, module: TemplateModule): Promise<void> {
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${await ensureTemplate(module)}"`);
}

/** Runs `sql` on database `name` and returns the rows. */
export async function queryDatabase<T extends pg.QueryResultRow = pg.QueryResultRow>(
  name: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(name) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * One fresh (not yet created) database name per module, and the environment that points each
 * module's variable at it. `mobius migrate --env dev` creates them; `drop()` removes them.
 */
export function moduleDatabases(tag: string) {
  const base = uniqueName(tag);
  const names = {
    rag: `${base}_rag`,
    chat: `${base}_chat`,
    user: `${base}_user`,
    os: `${base}_os`,
    warehouse: `${base}_wh`,
  };
  const server = new URL(TEST_POSTGRES);
  const env: Record<string, string> = {
    DATABASE_URL: testDatabaseUrl(names.rag),
    CHAT_DATABASE_URL: testDatabaseUrl(names.chat),
    USER_DATABASE_URL: testDatabaseUrl(names.user),
    POSTGRES_HOST_LOCAL: server.hostname,
    POSTGRES_PORT_LOCAL: server.port || '5432',
    POSTGRES_DB_LOCAL: names.os,
    POSTGRES_USER_LOCAL: decodeURIComponent(server.username) || 'postgres',
    WAREHOUSE_DATABASE_URL: testDatabaseUrl(names.warehouse),
  };
  return { names, env, drop: () => dropDatabases(Object.values(names)) };
}

/** Tables per schema (excluding the migration record), sorted. */
export async function listTables(database: string): Promise<string[]> {
  const rows = await queryDatabase<{ name: string }>(
    database,
    `SELECT CASE WHEN table_schema = 'public' THEN table_name ELSE table_schema || '.' || table_name END AS name
       FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> 'mobius_schema_version'
        AND table_type = 'BASE TABLE'
      ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** Column name -> { type, nullable, default } of one table. */
export async function describeTable(database: string, table: string, schema = 'public') {
  const rows = await queryDatabase<{
    column_name: string;
    data_type: string;
    udt_name: string;
    character_maximum_length: number | null;
    is_nullable: 'YES' | 'NO';
    column_default: string | null;
  }>(
    database,
    `SELECT column_name, data_type, udt_name, character_maximum_length, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return new Map(
    rows.map((row) => [
      row.column_name,
      {
        type: row.character_maximum_length ? `${row.udt_name}(${row.character_maximum_length})` : row.udt_name,
        nullable: row.is_nullable === 'YES',
        default: row.column_default,
      },
    ]),
  );
}
