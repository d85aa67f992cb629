import type pg from 'pg';

/**
 * The canary's document id (docs/status.md): the newest document of that filename, or null. The one
 * lookup the canary probe needs beyond the HTTP API it publishes through.
 */
export async function findDocumentIdByFilename(pool: Pick<pg.Pool, 'query'>, filename: string): Promise<string | null> {
  const { rows } = await pool.query<{ id: string }>('SELECT id::text AS id FROM documents WHERE filename = $1 ORDER BY created_at DESC, id LIMIT 1', [
    filename,
  ]);
  return rows[0]?.id ?? null;
}
