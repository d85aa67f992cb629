import { randomBytes } from 'node:crypto';
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

export async function dropDatabases(names: string[]): Promise<void> {
  for (const name of names) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
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
