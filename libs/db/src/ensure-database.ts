import { connectClient, describeDatabase, PG_ERROR } from './connection.ts';

/**
 * Creates the database named by `url` when it does not exist, connecting to the server's `postgres`
 * maintenance database with the same credentials. Returns true when it created it. Safe when two
 * runners race: the loser sees `duplicate_database` and returns false.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { database } = describeDatabase(url);
  const client = await connectClient(url, 'mobius-migrate', 'postgres');
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    return true;
  } catch (error) {
    // A concurrent runner created it first: duplicate_database, or a unique violation on the catalog.
    const code = (error as { code?: string }).code;
    if (code === PG_ERROR.duplicateDatabase || code === PG_ERROR.uniqueViolation) return false;
    throw error;
  } finally {
    await client.end();
  }
}
