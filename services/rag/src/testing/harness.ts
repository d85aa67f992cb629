/**
 * Builds the rag service on a real database for tests (test/rag-*.test.ts): the app, its pool and
 * repository, with the local embedder and a silent logger. The caller creates and migrates the database.
 */
import type { AccessPolicy } from '@mobius/auth';
import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { createLogger, createMetrics } from '@mobius/service';
import type pg from 'pg';
import { buildApp, type RagApp } from '../app.ts';
import { createRagRepository } from '../repository/index.ts';
import type { RagRepository } from '../repository/types.ts';

export interface RagTestService {
  app: RagApp;
  pool: pg.Pool;
  repository: RagRepository;
  /** Closes the app and the pool. */
  close(): Promise<void>;
}

export function createRagTestService(options: {
  databaseUrl: string;
  dimensions: number;
  bodyLimitBytes?: number;
  /** Who may call the API; default AUTH=none (these tests are about the API, test/security about its guard). */
  access?: AccessPolicy;
}): RagTestService {
  const pool = createPool(options.databaseUrl, { applicationName: 'mobius-rag-test' });
  const repository = createRagRepository(pool);
  const app = buildApp({
    repository,
    embedder: createEmbedder({ provider: 'local', dimensions: options.dimensions }),
    access: options.access ?? { mode: 'none' },
    logger: createLogger('rag-test', 'silent'),
    metrics: createMetrics('rag-test'),
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
  });
  return {
    app,
    pool,
    repository,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}
