import type pg from 'pg';
import { ALL_EMBEDDINGS_COUNT_SQL, SOURCE_TABLES, TABLE_COPIES, type EmbeddingColumn, type TableCopy } from './tables.ts';

/** Every default of the clone in one place. */
export const CLONE_DEFAULTS = {
  /** Source rows read and written per batch (one target transaction each). 500 embeddings of 1536 floats are ~8 MB. */
  batchSize: 500,
} as const;

/** After each batch, and once more when a table is done. */
export interface CloneProgress {
  table: TableCopy['table'];
  /** Source rows copied so far (read and upserted). */
  copied: number;
  /** Source rows to copy, counted in the same snapshot. */
  total: number;
  /** Target rows inserted, updated or replaced so far; a rerun on unchanged data writes 0. */
  written: number;
  done: boolean;
}

export interface CloneOptions {
  /** The rag database; read in one REPEATABLE READ READ ONLY transaction (one consistent snapshot). */
  source: pg.Client;
  /** Chat's database, migrated (001 dev-clone tables). */
  target: pg.Client;
  batchSize?: number;
  onProgress: (progress: CloneProgress) => void;
}

export interface CloneResult {
  tables: Array<{ table: TableCopy['table']; copied: number; written: number }>;
  /** rag embeddings not copied: those of facts (chat's chunk_embeddings reference chunks only). */
  skippedEmbeddings: number;
}

/** The clone cannot run: a database lacks a table, or a value cannot be converted. */
export class CloneError extends Error {
  readonly code = 'CLONE_FAILED';
  readonly retryable = false;
}

async function missingTables(client: pg.Client, tables: readonly string[]): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass('public.' || quote_ident(name)) IS NULL`,
    [tables],
  );
  return result.rows.map((row) => row.name);
}

/** Checks both schemas and reads the type of chat's embedding column. */
async function inspectSchemas(source: pg.Client, target: pg.Client): Promise<EmbeddingColumn> {
  const sourceMissing = await missingTables(source, SOURCE_TABLES);
  if (sourceMissing.length > 0) {
    throw new CloneError(`the rag source database has no ${sourceMissing.join(', ')} table: is RAG_SOURCE_DATABASE_URL a rag database?`);
  }
  const targetMissing = await missingTables(
    target,
    TABLE_COPIES.map((copy) => copy.table),
  );
  if (targetMissing.length > 0) {
    throw new CloneError(`chat's database has no ${targetMissing.join(', ')} table: run \`mobius migrate --module chat\` first`);
  }
  const column = await target.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = to_regclass('public.chunk_embeddings') AND attname = 'embedding' AND NOT attisdropped`,
  );
  const type = column.rows[0]?.type ?? 'real[]';
  return type.startsWith('vector') ? { kind: 'vector', type } : { kind: 'real[]' };
}

const countOf = async (client: pg.Client, sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);

/** Writes one page in one target transaction; returns the rows written. */
async function writeBatch(target: pg.Client, copy: TableCopy, upsertSql: string, rows: Record<string, unknown>[]): Promise<number> {
  const params = copy.columns.map((column) => rows.map((row) => row[column] ?? null));
  await target.query('BEGIN');
  try {
    const moved = copy.prepareSql ? ((await target.query(copy.prepareSql, params.slice(0, 2))).rowCount ?? 0) : 0;
    const upserted = (await target.query(upsertSql, params)).rowCount ?? 0;
    await target.query('COMMIT');
    return moved + upserted;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function copyTable(options: Required<Omit<CloneOptions, 'onProgress'>> & CloneOptions, copy: TableCopy, embedding: EmbeddingColumn) {
  const { source, target, batchSize } = options;
  const total = await countOf(source, copy.countSql);
  const upsertSql = copy.upsertSql(embedding);
  let lastId: string | null = null;
  let copied = 0;
  let written = 0;
  for (;;) {
    const page = await source.query<Record<string, unknown>>(copy.pageSql, [lastId, batchSize]);
    if (page.rows.length === 0) break;
    written += await writeBatch(target, copy, upsertSql, page.rows);
    copied += page.rows.length;
    lastId = page.rows[page.rows.length - 1]!.id as string;
    if (page.rows.length === batchSize) options.onProgress({ table: copy.table, copied, total, written, done: false });
    if (page.rows.length < batchSize) break;
  }
  options.onProgress({ table: copy.table, copied, total, written, done: true });
  return { table: copy.table, copied, written };
}

/**
 * Copies rag's documents, hierarchical chunks, their embeddings and extracted facts into chat's 001
 * tables, keeping every id. Reads one consistent snapshot of rag in keyset batches by id; writes each
 * batch in its own transaction with `INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE IS DISTINCT FROM`,
 * so it is idempotent (a second run writes nothing), and an interrupted run is finished by the next.
 * Rows deleted from rag are not deleted from chat. Throws CloneError when a schema is missing.
 */
export async function cloneRagIntoChat(options: CloneOptions): Promise<CloneResult> {
  const batchSize = options.batchSize ?? CLONE_DEFAULTS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new CloneError(`batch size must be a positive integer, got ${batchSize}`);
  const embedding = await inspectSchemas(options.source, options.target);
  await options.source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const tables = [];
    for (const copy of TABLE_COPIES) tables.push(await copyTable({ ...options, batchSize }, copy, embedding));
    const copiedEmbeddings = tables.find((t) => t.table === 'chunk_embeddings')!.copied;
    const skippedEmbeddings = (await countOf(options.source, ALL_EMBEDDINGS_COUNT_SQL)) - copiedEmbeddings;
    return { tables, skippedEmbeddings };
  } finally {
    await options.source.query('ROLLBACK').catch(() => undefined);
  }
}
