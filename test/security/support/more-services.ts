// The services the security suite probes besides rag, chat and the vector index server, built in
// process on real Postgres as their main.ts wires them: vertex-sync (its guarded index views), the
// console (behind the shared guard) and the user service (mobius-user's API, FastAPI-style errors).
import type { AccessPolicy } from '@mobius/auth';
import { createBus } from '@mobius/bus';
import { createPool, migrateDatabase } from '@mobius/db';
import { createLogger, createMetrics } from '@mobius/service';
import type { PipelineStatus } from '@mobius/status';
import { createVectorIndex } from '@mobius/vector-index';
import { buildApp as buildVertexSync, createSinkStore } from '@mobius/vertex-sync';
import { createWarehouse } from '@mobius/warehouse';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildConsole } from '../../../services/console/src/app.ts';
import { createUserTestService, type UserTestService } from '../../../services/user/src/testing/harness.ts';
import { createDatabase, testDatabaseUrl } from '../../support/databases.ts';

export interface ProbedApp {
  app: FastifyInstance;
  close(): Promise<void>;
}

/** vertex-sync on a Chat database (its state), a migrated Postgres warehouse, a memory bus and index. */
export async function vertexSyncApp(options: {
  chatDatabase: string;
  warehouseDatabase: string;
  dimensions: number;
  access: AccessPolicy;
}): Promise<ProbedApp> {
  await createDatabase(options.warehouseDatabase);
  await migrateDatabase({ databaseUrl: testDatabaseUrl(options.warehouseDatabase), migrationsDir: 'libs/warehouse/migrations' });
  const warehouse = await createWarehouse({
    kind: 'postgres',
    databaseUrl: testDatabaseUrl(options.warehouseDatabase),
    embeddingDimensions: options.dimensions,
  });
  const pool = createPool(testDatabaseUrl(options.chatDatabase), { applicationName: 'security-vertex-sync', max: 2 });
  const bus = await createBus({ kind: 'memory', topicPrefix: '' });
  const index = await createVectorIndex({ kind: 'memory', dimensions: options.dimensions });
  const app = buildVertexSync({
    store: createSinkStore(pool),
    warehouse,
    index,
    dimensions: options.dimensions,
    bus,
    logger: createLogger('security-vertex-sync', 'silent'),
    metrics: createMetrics('security-vertex-sync'),
    access: options.access,
  });
  return {
    app,
    async close() {
      await app.close();
      await bus.close();
      await index.close();
      await warehouse.close();
      await pool.end();
    },
  };
}

const STATUS: PipelineStatus = {
  generated_at: '2026-12-07T10:00:00.000Z',
  subscriptions: [],
  outbox: { unrelayed: 0, oldest_unrelayed_seconds: null, quarantined: 0 },
  sinks: [],
  drift: null,
  freshness: [],
};

/** The console behind `access`, on fixed sources (what it shows is not what is probed). */
export function consoleApp(access: AccessPolicy): ProbedApp {
  const app = buildConsole({
    status: async () => STATUS,
    syncRuns: async () => [],
    deadLetters: async () => [],
    freshnessHistory: async () => [],
    access,
    refreshSeconds: 5,
    sampleIntervalMs: 60_000,
    readiness: [],
    logger: createLogger('security-console', 'silent'),
    metrics: createMetrics('security-console'),
  });
  return { app, close: () => app.close() };
}

/**
 * The user service on a migrated user database, with rate limits lifted (the probes send many
 * requests from one address; the limits have their own tests) and a registered user whose access
 * token gets past the Bearer routes.
 */
export async function userApp(options: { database: string; secret: string }): Promise<ProbedApp & { service: UserTestService; accessToken: string }> {
  await createDatabase(options.database);
  await migrateDatabase({ databaseUrl: testDatabaseUrl(options.database), migrationsDir: 'services/user/migrations' });
  const unlimited = 1_000_000;
  const service = createUserTestService({
    databaseUrl: testDatabaseUrl(options.database),
    secret: options.secret,
    rateLimits: {
      loginPerEmail: unlimited,
      loginPerIp: unlimited,
      registerPerIp: unlimited,
      registerGlobal: unlimited,
      googlePerIp: unlimited,
      resetPerIp: unlimited,
      resetPerEmail: unlimited,
      tokenInfoPerIp: unlimited,
      checkEmailPerIp: unlimited,
    },
  });
  const registered = await service.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: 'probe-user@example.com', password: 'probe-password-123', display_name: 'Probe' },
  });
  if (registered.statusCode !== 200) throw new Error(`registering the probe user failed: ${registered.statusCode} ${registered.body}`);
  return { app: service.app, service, accessToken: (registered.json() as { access_token: string }).access_token, close: () => service.close() };
}
