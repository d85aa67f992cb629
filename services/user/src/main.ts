/**
 * mobius-user: reads its config from the environment (the only file that does; a missing
 * JWT_SECRET stops it here), builds its dependencies and serves the user API until SIGTERM.
 */
import { createTokenService } from '@mobius/auth';
import { createPool } from '@mobius/db';
import { createLogger, createMetrics, runService } from '@mobius/service';
import { startTelemetry } from '@mobius/telemetry';
import { buildApp } from './app.ts';
import { loadUserServiceConfig } from './config.ts';
import { createUserRepository } from './repository/index.ts';
import { userAppDeps } from './wiring.ts';

const SERVICE = 'user';
await startTelemetry({ service: SERVICE, env: process.env }); // first: tracing of pg and http is set up before any connection

const config = loadUserServiceConfig(process.env);
const logger = createLogger(SERVICE, config.runtime.logLevel);
const pool = createPool(config.user.databaseUrl, {
  applicationName: `mobius-${SERVICE}`,
  onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
});
const tokens = createTokenService({
  secret: config.user.jwtSecret,
  accessTokenMinutes: config.user.accessTokenMinutes,
  refreshTokenDays: config.user.refreshTokenDays,
});
const app = buildApp(userAppDeps(config, { repository: createUserRepository(pool), tokens, logger, metrics: createMetrics(SERVICE) }));

await runService({
  name: SERVICE,
  app,
  port: config.runtime.port,
  host: config.runtime.host,
  logger,
  shutdown: async () => {
    await pool.end();
  },
});
