import { basename } from 'node:path';
import type pg from 'pg';
import { connectClient, describeDatabase } from '../connection.ts';
import { concurrentIndexesOf, findInvalidIndexes, runsOutsideTransaction } from './outside-transaction.ts';
import { createPostgratorSession, SCHEMA_TABLE } from './postgrator-session.ts';
import { replacedChecksumsOf } from './replaced-checksums.ts';

/** One migration as `mobius migrate --status` lists it. */
export interface MigrationStatusEntry {
  version: number;
  file: string;
  /** `tampered`: applied, but the file changed since; `missing`: recorded, but no file has that version. */
  state: 'applied' | 'pending' | 'tampered' | 'missing';
  appliedAt: Date | undefined;
  /**
   * What else an operator should know: a pending migration that runs outside a transaction, an INVALID
   * index an interrupted concurrent build left (the next migrate rebuilds it), an applied migration
   * whose file replaces the text it applied (the next migrate updates the record).
   */
  note?: string;
}

interface AppliedRow {
  version: string;
  name: string | null;
  md5: string | null;
  run_at: Date | null;
}

/** What a pending no-transaction migration will do that a plain one does not. */
async function outsideTransactionNote(client: pg.ClientBase, sql: string): Promise<string> {
  const invalid = await findInvalidIndexes(client, concurrentIndexesOf(sql));
  const rebuild = invalid.map((index) => `; index ${index} is INVALID (an interrupted concurrent build): migrate drops and rebuilds it`);
  return `runs outside a transaction, building indexes concurrently${rebuild.join('')}`;
}

/** Lists applied and pending migrations of one database, changing nothing. */
export async function migrationStatus(databaseUrl: string, migrationsDir: string): Promise<MigrationStatusEntry[]> {
  const client = await connectClient(databaseUrl, 'mobius-migrate');
  try {
    const { postgrator } = await createPostgratorSession(client, migrationsDir, describeDatabase(databaseUrl).database);
    const files = (await postgrator.getMigrations()).filter((m) => m.action === 'do');
    const exists = await client.query('SELECT to_regclass($1) AS table', [`public.${SCHEMA_TABLE}`]);
    const rows =
      exists.rows[0]?.table === null
        ? []
        : (await client.query<AppliedRow>(`SELECT version, name, md5, run_at FROM ${SCHEMA_TABLE} WHERE version > 0`)).rows;
    const applied = new Map(rows.map((row) => [Number(row.version), row]));
    const entries: MigrationStatusEntry[] = [];
    for (const file of files) {
      const row = applied.get(file.version);
      const sql = await file.getSql();
      const replaced = Boolean(row?.md5 && row.md5 !== file.md5 && replacedChecksumsOf(sql).includes(row.md5));
      const state = !row ? 'pending' : row.md5 && row.md5 !== file.md5 && !replaced ? 'tampered' : 'applied';
      const entry: MigrationStatusEntry = { version: file.version, file: basename(file.filename), state, appliedAt: row?.run_at ?? undefined };
      if (replaced) entry.note = 'the file replaces the text applied here; migrate updates the record, nothing runs';
      if (!row && runsOutsideTransaction(sql)) entry.note = await outsideTransactionNote(client, sql);
      entries.push(entry);
    }
    for (const [version, row] of applied) {
      if (files.some((file) => file.version === version)) continue;
      entries.push({ version, file: `${row.name ?? version}`, state: 'missing', appliedAt: row.run_at ?? undefined });
    }
    return entries.sort((a, b) => a.version - b.version);
  } finally {
    await client.end();
  }
}
