import { createServiceBus, createServiceWarehouse } from '@mobius/backends';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics, createServiceAccess, runService, type Logger } from '@mobius/service';
import { startTelemetry, tracePort } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { CONSOLE_DEFAULTS, loadConsoleConfig, type ConsoleConfig } from './config.ts';
import { consoleSources } from './sources/from-backends.ts';

/**
 * The entry `mobius start console` imports: importing this module starts the service. It reads the
 * environment once (POSTGRES_* for RAG, CHAT_DATABASE_URL, WAREHOUSE and its variables, BUS and
 * TOPIC_PREFIX, CONSOLE_AUTH and the guard's (AUTH, MOBIUS_SERVICE_TOKEN, JWT_SECRET,
 * AUTH_ALLOWED_EMAILS, AUTH_ALLOWED_ROLES, USER_DATABASE_URL, AUTH_OIDC_*), CONSOLE_REFRESH_SECONDS,
 * CONSOLE_SAMPLE_INTERVAL_SECONDS, PORT, HOST, LOG_LEVEL) and serves until SIGTERM. It only reads: no consumer, nothing published.
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  await startTelemetry({ service: 'console', env });
  const config = loadConsoleConfig(env);
  const logger = createLogger('console', config.runtime.logLevel);
  const { app, close } = await buildDeps(config, logger);
  await runService({ name: 'console', app, port: config.runtime.port, host: config.runtime.host, logger, shutdown: close });
}

async function buildDeps(config: ConsoleConfig, logger: Logger) {
  const { pipeline } = config;
  const onIdleError = (error: Error) => logger.warn({ err: error }, 'idle database connection failed');
  const rag = createPool(pipeline.ragDatabaseUrl, { applicationName: 'mobius-console', onIdleError });
  const chat = createPool(pipeline.chatDatabaseUrl, { applicationName: 'mobius-console', onIdleError });
  const warehouse = tracePort(await createServiceWarehouse('console', pipeline, { applicationName: 'mobius-console' }), 'warehouse');
  // BUS=memory would be a bus of its own, empty: say there is none rather than show zeros.
  const bus = pipeline.env.BUS === 'memory' ? undefined : await createServiceBus('console', pipeline.env, logger);
  const busNote = bus ? undefined : CONSOLE_DEFAULTS.noBusNote;
  const access = createServiceAccess(config.auth, { applicationName: 'mobius-console-auth', logger });
  const app = buildApp({
    ...consoleSources({ ...(bus ? { bus } : {}), ...(busNote ? { busNote } : {}), rag, chat, warehouse }),
    access: access.policy,
    refreshSeconds: config.refreshSeconds,
    sampleIntervalMs: config.sampleIntervalMs,
    readiness: [
      { name: 'rag-db', check: async () => void (await rag.query('SELECT 1')) },
      { name: 'chat-db', check: async () => void (await chat.query('SELECT 1')) },
      ...(bus ? [{ name: 'bus', check: () => bus.ping() }] : []),
    ],
    logger,
    metrics: createMetrics('console'),
  });
  const close = async () => {
    await bus?.close();
    await warehouse.close();
    await Promise.all([rag.end(), chat.end(), access.close()]);
  };
  return { app, close };
}

try {
  await main(process.env);
} catch (error) {
  createLogger('console').fatal({ err: error }, 'console failed to start');
  process.exit(1);
}
