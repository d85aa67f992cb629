import type pg from 'pg';

/**
 * Source columns the publish reads that a database the existing RAG app created may lack
 * (docs/contracts.md, "The RAG database"): its `documents` has no `reviewed_at` / `reviewed_by`, and its
 * `hierarchical_chunks` may have no `chunk_d_tags` / `chunk_p_tags` / `chunk_j_tags`. Our migrations
 * leave the existing app's tables as they are, so the publish selects NULL where a column is missing:
 * exactly what those published columns hold on such a database.
 */
const OPTIONAL_SOURCE_COLUMNS = {
  'documents.reviewed_at': 'NULL::timestamp',
  'documents.reviewed_by': 'NULL::varchar',
  'hierarchical_chunks.chunk_d_tags': 'NULL::jsonb',
  'hierarchical_chunks.chunk_p_tags': 'NULL::jsonb',
  'hierarchical_chunks.chunk_j_tags': 'NULL::jsonb',
} as const;

export type OptionalSourceColumn = keyof typeof OPTIONAL_SOURCE_COLUMNS;

/** How the publish selects each optional column: the column itself, or NULL of its type. */
export type OptionalColumnSql = Record<OptionalSourceColumn, string>;

const ALIASES: Record<string, string> = { documents: 'd', hierarchical_chunks: 'hc' };

/** Reads which optional columns exist in the connection's schema and returns their SELECT expressions. */
async function probe(client: pg.ClientBase): Promise<OptionalColumnSql> {
  const names = Object.keys(OPTIONAL_SOURCE_COLUMNS) as OptionalSourceColumn[];
  const result = await client.query<{ name: string }>(
    `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name || '.' || column_name = ANY($1::text[])`,
    [names],
  );
  const present = new Set(result.rows.map((row) => row.name));
  const sql = {} as OptionalColumnSql;
  for (const name of names) {
    const [table = '', column = ''] = name.split('.');
    sql[name] = present.has(name) ? `${ALIASES[table]}.${column}` : OPTIONAL_SOURCE_COLUMNS[name];
  }
  return sql;
}

/** Gives the optional columns' SELECT expressions, reading the catalog through `client` the first time. */
export type OptionalColumns = (client: pg.ClientBase) => Promise<OptionalColumnSql>;

/**
 * The optional columns of one database, read once on first use, on the caller's connection (a
 * publish holds one already; the pool may have no other to give). Schema changes of the existing app
 * are picked up at the next start. A failed read is not cached, so the next publish asks again.
 */
export function optionalColumnsCache(): OptionalColumns {
  let cached: Promise<OptionalColumnSql> | undefined;
  return (client) => {
    cached ??= probe(client).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
