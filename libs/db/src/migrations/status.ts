import { basename } from 'node:path';
import { connectClient, describeDatabase } from '../connection.ts';
import { createPostgratorSession, SCHEMA_TABLE } from './postgrator-session.ts';

/** One migration as `mobius migrate --status` lists it. */
export interface MigrationStatusEntry {
  version: number;
  file: string;
  /** `tampered`: applied, but the file changed since; `missing`: recorded, but no file has that version. */
  state: 'applied' | 'pending' | 'tampered' | 'missing';
  appliedAt: Date | undefined;
}

interface AppliedRow {
  version: string;
  name: string | null;
  md5: string | null;
  run_at: Date | null;
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
        : (await client.query<AppliedRow>(`SELECT version, name, md5, run_at FROM ${SCHEMA_TABLE} WHERE version > 0`))
            .rows;
    const applied = new Map(rows.map((row) => [Number(row.version), row]));
    const entries: MigrationStatusEntry[] = files.map((file) => {
      const row = applied.get(file.version);
      const state = !row ? 'pending' : row.md5 && row.md5 !== file.md5 ? 'tampered' : 'applied';
      return { version: file.version, file: basename(file.filename), state, appliedAt: row?.run_at ?? undefined };
    });
    for (const [version, row] of applied) {
      if (files.some((file) => file.version === version)) continue;
      entries.push({ version, file: `${row.name ?? version}`, state: 'missing', appliedAt: row.run_at ?? undefined });
    }
    return entries.sort((a, b) => a.version - b.version);
  } finally {
    await client.end();
  }
}
