import { ConfigError } from '@mobius/config';
import { startTelemetry, type InstrumentationName } from '@mobius/telemetry';
import type { FastifyInstance } from 'fastify';
import { createLogger, type Logger } from './logger.ts';
import { runService } from './run-service.ts';

/**
 * One service as its composition root built it (docs/architecture.md, "Composition roots"): the app is
 * not listening yet. Everything the service created for itself (pools, its own bus, consumers, relays)
 * is closed by an `onClose` hook registered on `app` when it was created; fastify runs those hooks in
 * reverse order, so what was built last (a consumer) stops before what it uses (the pool).
 * Background work (consumers, relays, timers) starts in an `onReady` hook, so it runs once the app is
 * ready, in `main.ts` and in `mobius dev` alike.
 */
export interface ServiceInstance {
  name: string;
  app: FastifyInstance;
  logger: Logger;
  /** What the start-up line names: databases (masked), bus and topic prefix, vector index ... */
  facts: Record<string, string | number | boolean | undefined>;
  /** Listens (which starts the background work) and returns the address. */
  start(listen: { port: number; host: string }): Promise<string>;
  /** Closes the app: in-flight requests finish, then the onClose hooks stop and close what the service owns. */
  stop(): Promise<void>;
}

/** Builds a ServiceInstance over an app whose resources are already tied to its onClose hooks. */
export function serviceInstance(name: string, app: FastifyInstance, logger: Logger, facts: ServiceInstance['facts'] = {}): ServiceInstance {
  return {
    name,
    app,
    logger,
    facts,
    async start(listen) {
      return app.listen({ port: listen.port, host: listen.host });
    },
    async stop() {
      await app.close();
    },
  };
}

/** Ties `close` to the app's end: it runs once the app has closed (hooks run last-registered first). */
export function closeWithApp(app: FastifyInstance, close: () => Promise<unknown> | unknown): void {
  app.addHook('onClose', async () => {
    await close();
  });
}

/**
 * Background work tied to the app: `start` runs once the app is ready (in `main.ts` and `mobius dev`
 * alike), `stop` when it closes. Register it after closeWithApp of what it uses: fastify runs onClose
 * hooks last-registered first, so the work stops (a consumer drains) before those close.
 */
export function startWithApp<T>(app: FastifyInstance, start: () => Promise<T> | T, stop: (started: T) => Promise<unknown> | unknown): void {
  let started: { value: T } | undefined;
  app.addHook('onReady', async () => {
    started = { value: await start() };
  });
  closeWithApp(app, async () => {
    if (started) await stop(started.value);
    started = undefined;
  });
}

/** The settings every service loader returns (libs/config `loadRuntimeConfig`). */
export interface RuntimeSettings {
  port: number;
  host: string;
  logLevel: string;
}

/** Writes a configuration error as one plain line naming the variable (no stack), then exits 1. */
export function exitOnConfigError(name: string, error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  }
  createLogger(name).fatal({ err: error }, `${name} failed to start`);
  process.exit(1);
}

/**
 * The whole of every service's `main.ts`: telemetry first (pg and http are traced from the first
 * connection), then the config (a ConfigError is one plain line on stderr and exit 1), then the
 * composition root, then listen with one start-up line, and SIGTERM handling (run-service.ts).
 */
export async function runServiceMain<C extends { runtime: RuntimeSettings }>(
  name: string,
  load: (env: NodeJS.ProcessEnv) => C,
  create: (config: C) => Promise<ServiceInstance>,
  /** Which libraries tracing instruments; default http and pg (a service without Postgres names only http). */
  options: { instrumentations?: readonly InstrumentationName[] } = {},
): Promise<void> {
  try {
    await startTelemetry({ service: name, env: process.env, ...(options.instrumentations ? { instrumentations: options.instrumentations } : {}) });
    const config = load(process.env);
    const instance = await create(config);
    await runService({
      name,
      app: instance.app,
      port: config.runtime.port,
      host: config.runtime.host,
      logger: instance.logger,
      facts: instance.facts,
      shutdown: async () => undefined,
    });
  } catch (error) {
    exitOnConfigError(name, error);
  }
}
