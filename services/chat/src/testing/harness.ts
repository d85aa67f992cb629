/**
 * Builds the chat service on a real database for tests (test/chat-search*.test.ts): the app on a
 * memory vector index and the local embedder, with a silent logger, plus helpers that publish rows the
 * way the pipeline does (Chat row through SQL, datapoint through the index). The caller creates and
 * migrates the database.
 */
import { createTokenService, type TokenService, type UserDirectory } from '@mobius/auth';
import { CHAT_COLUMN_NAMES, type PublishedRow } from '@mobius/contracts';
import { createPool } from '@mobius/db';
import { createEmbedder, type Embedder } from '@mobius/embedder';
import { createLogger, createMetrics } from '@mobius/service';
import { createVectorIndex, toDatapoint, type VectorIndex } from '@mobius/vector-index';
import type pg from 'pg';
import { buildApp, type ChatApp } from '../app.ts';
import { createPublishedChunkReader } from '../search/repository.ts';

export interface ChatTestService {
  app: ChatApp;
  pool: pg.Pool;
  index: VectorIndex;
  /** The same local embedder rag uses, at the test's dimension. */
  embedder: Embedder;
  /** Mints tokens with the app's secret. */
  tokens: TokenService;
  /** Inserts the rows into `published_rag_metadata` (every Chat column). */
  insertRows(rows: PublishedRow[]): Promise<void>;
  /** Upserts the rows' datapoints (`toDatapoint`, the pipeline's mapping) into the index. */
  indexRows(rows: PublishedRow[]): Promise<void>;
  /** Closes the app, the index and the pool. */
  close(): Promise<void>;
}

export async function createChatTestService(options: {
  databaseUrl: string;
  dimensions: number;
  secret: string;
  /** AUTH_CHECK_USER_ACTIVE's directory; absent: not checked (chat's default). */
  activeUsers?: UserDirectory;
}): Promise<ChatTestService> {
  const pool = createPool(options.databaseUrl, { applicationName: 'mobius-chat-test', max: 3 });
  const index = await createVectorIndex({ kind: 'memory', dimensions: options.dimensions });
  const embedder = createEmbedder({ provider: 'local', dimensions: options.dimensions });
  const tokens = createTokenService({ secret: options.secret });
  const logger = createLogger('chat-test', 'silent');
  const app = buildApp({
    chunks: createPublishedChunkReader(pool),
    index,
    embedder,
    tokens,
    ...(options.activeUsers ? { activeUsers: options.activeUsers } : {}),
    logger,
    metrics: createMetrics('chat-test'),
  });
  const columns = CHAT_COLUMN_NAMES.join(', ');
  return {
    app,
    pool,
    index,
    embedder,
    tokens,
    async insertRows(rows) {
      for (const row of rows) {
        const placeholders = CHAT_COLUMN_NAMES.map((name, i) => (name.endsWith('_at') ? `$${i + 1}::timestamp AT TIME ZONE 'UTC'` : `$${i + 1}`));
        await pool.query(
          `INSERT INTO published_rag_metadata (${columns}) VALUES (${placeholders.join(', ')})`,
          CHAT_COLUMN_NAMES.map((name) => row[name]),
        );
      }
    },
    async indexRows(rows) {
      await index.upsertDatapoints(rows.map((row) => toDatapoint(row, { dimensions: options.dimensions })));
    },
    async close() {
      await app.close();
      await index.close();
      await pool.end();
    },
  };
}
