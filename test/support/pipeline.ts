import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAT_PUBLISHED_ROWS_SQL, RAG_PUBLISHED_ROWS_SQL } from '@mobius/test-support';
import { mobius } from './cli.ts';
import { createMigratedDatabase, moduleDatabases, queryDatabase, TEST_POSTGRES } from './databases.ts';
import { deleteStreams } from './nats.ts';
import { startServiceProcess, stopServiceProcess, type ServiceProcess } from './processes.ts';
import { TEST_SERVICE_TOKEN } from './service-token.ts';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The pipeline's consumers, in the order they are started. */
export const CONSUMERS = ['ingestor', 'mart-builder', 'chat-sync', 'vertex-sync'] as const;

export interface PipelineOptions {
  /**
   * `memory` (default): each vertex-sync holds its own in-process index. `local`: a `vector-index`
   * process (the local vector index server, on its own data directory) is started first, and every
   * service gets VECTOR_INDEX=local and its VECTOR_INDEX_URL, so several vertex-sync share one index.
   */
  vectorIndex?: 'memory' | 'local';
  /**
   * Runs before the databases are migrated, e.g. to create a database the way an existing app leaves
   * it, so that `mobius migrate` adopts it.
   */
  beforeMigrate?: (dbs: ReturnType<typeof moduleDatabases>) => Promise<void>;
}

/**
 * The environment every service process of a test pipeline gets: its module databases (rag read through
 * POSTGRES_*, as the pipeline reads it), NATS under its own TOPIC_PREFIX, 64-dimension embeddings,
 * the in-process index and the run's service token (so the guarded APIs run with real auth, as
 * deployed; helpers send TEST_SERVICE_TOKEN), then `extraEnv` over it.
 */
export function pipelineEnvironment(
  dbs: ReturnType<typeof moduleDatabases>,
  topicPrefix: string,
  extraEnv: Record<string, string> = {},
): Record<string, string> {
  const server = new URL(TEST_POSTGRES);
  return {
    DATABASE_URL: dbs.env.DATABASE_URL!,
    POSTGRES_HOST: server.hostname,
    POSTGRES_PORT: server.port || '5432',
    POSTGRES_DB: dbs.names.rag,
    POSTGRES_USER: decodeURIComponent(server.username) || 'postgres',
    CHAT_DATABASE_URL: dbs.env.CHAT_DATABASE_URL!,
    WAREHOUSE_DATABASE_URL: dbs.env.WAREHOUSE_DATABASE_URL!,
    BUS: 'nats',
    NATS_URL,
    TOPIC_PREFIX: topicPrefix,
    EMBEDDING_DIMENSIONS: '64',
    VECTOR_INDEX: 'memory',
    MOBIUS_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    ...extraEnv,
  };
}

/**
 * One isolated pipeline for a test file: its own rag, chat and warehouse databases (migrated), its
 * own TOPIC_PREFIX on the real NATS, optionally its own vector index server, and the environment
 * every service process gets.
 */
export async function createPipeline(tag: string, extraEnv: Record<string, string> = {}, options: PipelineOptions = {}) {
  const dbs = moduleDatabases(tag);
  /** What `mobius migrate` printed per module (only with beforeMigrate: else the databases are template copies). */
  const migrations: Record<string, string[]> = {};
  if (options.beforeMigrate) {
    await options.beforeMigrate(dbs);
    for (const module of ['rag', 'chat', 'warehouse'] as const) {
      const run = await mobius(['migrate', '--env', 'dev', '--module', module], dbs.env);
      if (run.code !== 0) throw new Error(`migrating ${module} failed: ${run.stderr}`);
      migrations[module] = run.out;
    }
  } else {
    for (const module of ['rag', 'chat', 'warehouse'] as const) await createMigratedDatabase(dbs.names[module], module);
  }
  const topicPrefix = `t${randomBytes(3).toString('hex')}_`;
  const env = pipelineEnvironment(dbs, topicPrefix, extraEnv);
  const running: ServiceProcess[] = [];
  let vectorIndexDir: string | undefined;
  if (options.vectorIndex === 'local') {
    vectorIndexDir = mkdtempSync(join(tmpdir(), `mobius-${tag}-vector-index-`));
    const server = await startServiceProcess('vector-index', {
      VECTOR_INDEX_DATA_DIR: vectorIndexDir,
      EMBEDDING_DIMENSIONS: env.EMBEDDING_DIMENSIONS!,
      MOBIUS_SERVICE_TOKEN: env.MOBIUS_SERVICE_TOKEN!,
      ...(env.CPU_PROFILE_DIR ? { CPU_PROFILE_DIR: env.CPU_PROFILE_DIR } : {}),
    });
    running.push(server);
    Object.assign(env, { VECTOR_INDEX: 'local', VECTOR_INDEX_URL: server.url });
  }
  return {
    dbs,
    env,
    migrations,
    topicPrefix,
    running,
    /** Starts one more instance of a service. */
    async start(name: string, overrides: Record<string, string> = {}): Promise<ServiceProcess> {
      const service = await startServiceProcess(name, { ...env, ...overrides });
      running.push(service);
      return service;
    },
    async stopAll(): Promise<void> {
      await Promise.all(running.map((s) => stopServiceProcess(s)));
    },
    async destroy(): Promise<void> {
      await Promise.all(running.map((s) => stopServiceProcess(s, 3_000)));
      await deleteStreams(NATS_URL, topicPrefix);
      await dbs.drop();
      if (vectorIndexDir) rmSync(vectorIndexDir, { recursive: true, force: true });
    },
  };
}

export type Pipeline = Awaited<ReturnType<typeof createPipeline>>;

/** RAG's current published rows (the 28 Chat columns), by id. */
export function ragPublishedRows(ragDatabase: string) {
  return queryDatabase(ragDatabase, RAG_PUBLISHED_ROWS_SQL);
}

/** Chat's published_rag_metadata rows (the 28 columns), by id. */
export function chatPublishedRows(chatDatabase: string) {
  return queryDatabase(chatDatabase, CHAT_PUBLISHED_ROWS_SQL);
}
