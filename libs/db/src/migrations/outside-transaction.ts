import type pg from 'pg';
import { splitSqlStatements } from './sql-statements.ts';

/**
 * A migration whose header (the comment lines before its first statement) holds this line runs
 * outside a transaction, one statement at a time: what `CREATE INDEX CONCURRENTLY` needs, so that
 * building an index on a table with rows never makes its writers wait.
 *
 * The contract of such a migration: every statement is safe to run again (IF NOT EXISTS), because a
 * failure or a crash leaves the statements before it done and the migration unrecorded, and the next
 * run starts it over. An index a failed concurrent build left INVALID is dropped (concurrently) and
 * built again by that next run: `CREATE INDEX CONCURRENTLY IF NOT EXISTS` alone would keep it.
 */
export const NO_TRANSACTION_MARKER = '-- mobius:no-transaction';

/** Whether the migration's header asks to run outside a transaction. */
export function runsOutsideTransaction(sql: string): boolean {
  for (const line of sql.split('\n')) {
    const text = line.trim();
    if (text === NO_TRANSACTION_MARKER) return true;
    if (text !== '' && !text.startsWith('--')) return false;
  }
  return false;
}

const CONCURRENT_INDEX = /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)/i;

/** The index a `CREATE INDEX CONCURRENTLY name ...` statement builds (unquoted), or undefined. */
export function concurrentIndexName(statement: string): string | undefined {
  const name = CONCURRENT_INDEX.exec(statement)?.[1];
  if (!name) return undefined;
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toLowerCase();
}

/** The indexes the migration builds concurrently, in order. */
export function concurrentIndexesOf(sql: string): string[] {
  return splitSqlStatements(sql).flatMap((statement) => concurrentIndexName(statement) ?? []);
}

/** Which of `names` exist in the connection's schema as INVALID indexes (a failed concurrent build). */
export async function findInvalidIndexes(client: pg.ClientBase, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const result = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[]) AND NOT i.indisvalid
      ORDER BY 1`,
    [names],
  );
  return result.rows.map((row) => row.name);
}

/**
 * Runs the migration's statements one by one, each in its own implicit transaction. Before a
 * `CREATE INDEX CONCURRENTLY`, an INVALID index of that name is dropped concurrently (and reported).
 */
export async function runOutsideTransaction(client: pg.ClientBase, sql: string, onInvalidIndex: (index: string) => void): Promise<void> {
  for (const statement of splitSqlStatements(sql)) {
    const index = concurrentIndexName(statement);
    if (index && (await findInvalidIndexes(client, [index])).length > 0) {
      onInvalidIndex(index);
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS "${index.replaceAll('"', '""')}"`);
    }
    await client.query(statement);
  }
}
