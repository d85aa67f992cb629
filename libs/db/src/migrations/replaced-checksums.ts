import type pg from 'pg';
import { SCHEMA_TABLE } from './postgrator-session.ts';

/**
 * A header line `-- mobius:replaces-checksum <md5>` says: this file replaces an earlier text of the
 * same migration, whose checksum was <md5>, and a database that applied that earlier text needs
 * nothing more from this one (the change moved work to a later migration, e.g. an index that has to
 * be built concurrently). Such a database's record is moved to the new checksum instead of failing as
 * tampered. Any other edit of an applied migration still fails.
 */
const REPLACES_CHECKSUM = /^--\s*mobius:replaces-checksum\s+([0-9a-f]{32})\s*$/;

/** The earlier checksums a migration's header declares it replaces. */
export function replacedChecksumsOf(sql: string): string[] {
  const checksums: string[] = [];
  for (const line of sql.split('\n')) {
    const text = line.trim();
    const match = REPLACES_CHECKSUM.exec(text);
    if (match) checksums.push(match[1]!);
    else if (text !== '' && !text.startsWith('--')) break;
  }
  return checksums;
}

/** A migration as the runner knows it: its version, current checksum and SQL. */
export interface ChecksummedMigration {
  version: number;
  md5?: string;
  sql: string;
}

/**
 * Moves the record of every applied migration whose recorded checksum is one its file declares it
 * replaces to the file's checksum. Returns the versions it moved. Writes: a dry run calls it inside a
 * transaction it rolls back.
 */
export async function acceptReplacedChecksums(client: pg.ClientBase, migrations: ChecksummedMigration[]): Promise<number[]> {
  const exists = await client.query('SELECT to_regclass($1) AS table', [`public.${SCHEMA_TABLE}`]);
  if (exists.rows[0]?.table === null) return [];
  const moved: number[] = [];
  for (const migration of migrations) {
    const replaced = replacedChecksumsOf(migration.sql);
    if (replaced.length === 0 || !migration.md5) continue;
    const result = await client.query(`UPDATE ${SCHEMA_TABLE} SET md5 = $1 WHERE version = $2 AND md5 = ANY($3::text[])`, [
      migration.md5,
      migration.version,
      replaced,
    ]);
    if ((result.rowCount ?? 0) > 0) moved.push(migration.version);
  }
  return moved;
}
