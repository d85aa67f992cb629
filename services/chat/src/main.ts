/**
 * mobius-chat (`mobius start chat`): importing this module starts the service. The only file that
 * reads the environment: chat's database (CHAT_RAG_DATABASE_URL > RAG_DATABASE_URL >
 * CHAT_DATABASE_URL), JWT_SECRET (required), AUTH_CHECK_USER_ACTIVE / USER_DATABASE_URL (revocation),
 * EMBEDDING_PROVIDER / EMBEDDING_DIMENSIONS, VECTOR_INDEX /
 * VECTOR_INDEX_URL / VERTEX_*, PORT (default 8002), HOST, LOG_LEVEL. Serves until SIGTERM, then
 * closes the index and the pool. A bad or missing variable stops it at start with the variable named.
 */
import { cachedUserDirectory, createTokenService, postgresUserDirectory } from '@mobius/auth';
import { createServiceVectorIndex } from '@mobius/backends';
import { createPool } from '@mobius/db';
import { createEmbedder } from '@mobius/embedder';
import { createLogger, createMetrics, runService } from '@mobius/service';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { loadChatServiceConfig } from './config.ts';
import { createPublishedChunkReader } from './search/repository.ts';

const SERVICE = 'chat';
/** AUTH_CHECK_USER_ACTIVE's pool is tiny: one indexed read per user per minute (cached). */
const USER_POOL_MAX = 2;

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  await startTelemetry({ service: SERVICE, env }); // first: tracing of pg and http is set up before any connection
  const config = loadChatServiceConfig(env);
  const logger = createLogger(SERVICE, config.runtime.logLevel);
  logger.info({ database: config.database.source, vectorIndex: config.vectorIndex.env.VECTOR_INDEX }, 'chat configured');
  if (config.vectorIndex.env.VECTOR_INDEX === 'memory') {
    logger.warn('VECTOR_INDEX=memory: this process has its own empty index, so searches find nothing (use local or vertex)');
  }
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
  const index = tracePort(await createServiceVectorIndex(SERVICE, config.vectorIndex), 'vector-index');
  const app = buildApp({
    chunks: createPublishedChunkReader(pool),
    index,
    embedder: createEmbedder(config.embedding),
    tokens: createTokenService({ secret: config.jwtSecret }),
    ...(userPool ? { activeUsers: cachedUserDirectory(postgresUserDirectory(userPool)) } : {}),
    logger,
    metrics: createMetrics(SERVICE),
  });
  await runService({
    name: SERVICE,
    app,
    port: config.runtime.port,
    host: config.runtime.host,
    logger,
    shutdown: async () => {
      await index.close();
      await pool.end();
      await userPool?.end();
    },
  });
}

try {
  await main(process.env);
} catch (error) {
  createLogger(SERVICE).fatal({ err: error }, `${SERVICE} failed to start`);
  process.exit(1);
}
