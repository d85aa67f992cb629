import { CHAT_COLUMNS, PUBLISHED_COLUMNS, type PublishedColumn, type PublishedRow } from './published-row.ts';

/**
 * Row hashes for reconciliation (docs/reconcile.md): one SQL expression per hash, computed by the
 * database that holds the row, so a check of an in-sync corpus moves 32 hex characters per row and
 * never the row itself. The same expression runs on RAG (`timestamp` columns), on Chat (`timestamptz`
 * columns, read back in UTC) and on parameters bound as arrays (the vector ledger), so equal values
 * hash equal wherever they live.
 *
 * Canonical form: each column as text (uuids lowercase, timestamps `YYYY-MM-DD HH24:MI:SS.US` in
 * UTC, integers in decimal), `quote_nullable` so NULL and '' differ and no separator is ambiguous,
 * joined with `,`, then md5.
 */

/** How a row source stores its timestamps: RAG and the ledger's parameters without zone, Chat with. */
export type TimestampStorage = 'timestamp' | 'timestamptz';

/**
 * The columns whose change means the row's datapoint changed: its id, its crowding tag, its five
 * restrict tokens, and what identifies its embedding. The embedding itself is not hashed (hashing
 * 1536 floats per row would make every check read every embedding); a chunk gets a new id when it is
 * re-embedded (docs/contracts.md, "The published row"), and `model`, `created_at` (when the embedding was made) and
 * `content_sha` (the embedded text) change with it. A vector rewritten in place under the same id,
 * model, creation time and text is the one change the vector check cannot see.
 */
export const VECTOR_HASH_COLUMNS: readonly (keyof PublishedRow)[] = [
  'id',
  'document_id',
  'source_type',
  'document_payer',
  'document_state',
  'document_program',
  'document_authority_level',
  'model',
  'created_at',
  'content_sha',
];

const quoteIdent = (name: string) => `"${name}"`;

function canonicalText(column: PublishedColumn, ref: string, storage: TimestampStorage): string {
  switch (column.kind) {
    case 'uuid':
      return `lower(${ref}::text)`;
    case 'timestamp': {
      const utc = storage === 'timestamptz' ? `(${ref} AT TIME ZONE 'UTC')` : ref;
      return `to_char(${utc}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    }
    default:
      return `${ref}::text`;
  }
}

function hashOf(columns: readonly PublishedColumn[], alias: string, storage: TimestampStorage): string {
  const prefix = alias ? `${alias}.` : '';
  const parts = columns.map((c) => `quote_nullable(${canonicalText(c, `${prefix}${quoteIdent(c.name)}`, storage)})`);
  return `md5(concat_ws(',', ${parts.join(', ')}))`;
}

/** The SQL hash of a row's 28 Chat columns (everything but the embedding), columns qualified by `alias`. */
export function chatRowHashSql(alias: string, storage: TimestampStorage): string {
  return hashOf(CHAT_COLUMNS, alias, storage);
}

/** The columns of VECTOR_HASH_COLUMNS, in that order. */
export const VECTOR_HASH_CATALOGUE: readonly PublishedColumn[] = VECTOR_HASH_COLUMNS.map((name) => PUBLISHED_COLUMNS.find((c) => c.name === name)!);

/** The SQL hash of a row's datapoint-defining columns (VECTOR_HASH_COLUMNS), qualified by `alias`. */
export function vectorRowHashSql(alias: string, storage: TimestampStorage): string {
  return hashOf(VECTOR_HASH_CATALOGUE, alias, storage);
}
