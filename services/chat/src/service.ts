import { cachedUserDirectory, createTokenService, postgresUserDirectory } from '@mobius/auth';
import { createServiceVectorIndex } from '@mobius/backends';
import { maskUrl } from '@mobius/config';
import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { closeWithApp, createLogger, createMetrics, serviceInstance, type Logger, type ServiceInstance } from '@mobius/service';
import { tracePort } from '@mobius/telemetry';
import type { VectorIndex } from '@mobius/vector-index';
import { buildApp } from './app.ts';
import type { ChatServiceConfig } from './config.ts';
import { createPublishedChunkReader } from './search/repository.ts';

const SERVICE = 'chat';
/** AUTH_CHECK_USER_ACTIVE's pool is tiny: one indexed read per user per minute (cached). */
const USER_POOL_MAX = 2;

/** What `mobius dev` shares with chat: the one vector index vertex-sync writes, and a logger. Never closed here. */
export interface ChatShared {
  index?: VectorIndex;
  logger?: Logger;
}

/**
 * chat's composition root (docs/architecture.md, "Composition roots"), for `mobius start chat` and
 * `mobius dev` alike: search over Chat's database and the vector index. Its pools and (unless shared)
 * its index close with the app. No background work.
 */
export async function createService(config: ChatServiceConfig, shared: ChatShared = {}): Promise<ServiceInstance> {
  const logger = shared.logger ?? createLogger(SERVICE, config.runtime.logLevel);
  const indexKind = config.vectorIndex.vectorIndex.kind;
  if (!shared.index && indexKind === 'memory') {
    logger.warn('VECTOR_INDEX=memory: this process has its own empty index, so searches find nothing (use local or vertex)');
  }
  const index = shared.index ?? tracePort(await createServiceVectorIndex(SERVICE, config.vectorIndex), 'vector-index');
  const pool = createPool(config.database.databaseUrl, {
    applicationName: `mobius-${SERVICE}`,
    onIdleError: (error) => logger.warn({ err: error }, 'idle Chat database connection failed'),
  });
  const userPool = config.activeUsers
    ? createPool(config.activeUsers.userDatabaseUrl, {
        applicationName: `mobius-${SERVICE}-users`,
        max: USER_POOL_MAX,
        onIdleError: (error) => logger.warn({ err: error }, 'idle user database connection failed'),
      })
    : undefined;
  const app = buildApp({
    chunks: createPublishedChunkReader(pool),
    index,
    embedder: createEmbedder(config.embedding),
    tokens: createTokenService({ secret: config.jwtSecret }),
    ...(userPool && config.activeUsers
      ? { activeUsers: cachedUserDirectory(postgresUserDirectory(userPool), { ttlMs: config.activeUsers.cacheTtlMs }) }
      : {}),
    logger,
    metrics: createMetrics(SERVICE),
  });
  if (userPool) closeWithApp(app, () => userPool.end());
  closeWithApp(app, () => pool.end());
  if (!shared.index) closeWithApp(app, () => index.close());

  return serviceInstance(SERVICE, app, logger, {
    database: maskUrl(config.database.databaseUrl),
    databaseFrom: config.database.source,
    ...(config.activeUsers ? { userDatabase: maskUrl(config.activeUsers.userDatabaseUrl) } : {}),
    vectorIndex: shared.index ? 'shared' : indexKind,
    ...(!shared.index && config.vectorIndex.vectorIndex.kind === 'local' ? { vectorIndexUrl: config.vectorIndex.vectorIndex.url } : {}),
  });
}
