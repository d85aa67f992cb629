import { shutdownTelemetry } from '@mobius/telemetry';
import type { FastifyInstance } from 'fastify';
import type { Logger } from './logger.ts';

/** Cloud Run gives 10 s after SIGTERM; we finish well inside it. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

export interface RunServiceOptions {
  name: string;
  app: FastifyInstance;
  port: number;
  host: string;
  logger: Logger;
  /** Named in the one start-up line: databases (masked), bus, topic prefix, vector index ... */
  facts?: Record<string, string | number | boolean | undefined>;
  /**
   * Runs after the HTTP server has closed (no request in flight any more): stops consumers (stop
   * pulling, finish or give back in-flight work), then closes backends.
   */
  shutdown: () => Promise<void>;
}

/**
 * The one line a service logs at start: `rag listening on http://0.0.0.0:8080 (database postgresql://u:***@h/rag,
 * bus nats, topicPrefix dev-, vectorIndex memory)`; the facts also go in the line's JSON fields. Facts
 * left undefined are left out.
 */
export function startupLine(name: string, address: string, facts: RunServiceOptions['facts'] = {}): string {
  const named = Object.entries(facts)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key} ${String(value)}`);
  return `${name} listening on ${address}${named.length > 0 ? ` (${named.join(', ')})` : ''}`;
}

/**
 * Listens, then on SIGTERM or SIGINT: closes the server (in-flight requests finish), runs `shutdown`, flushes
 * the spans still buffered (`shutdownTelemetry`, bounded well inside the deadline) and exits 0; if that takes
 * longer than the deadline it exits 1 (unacked messages are redelivered elsewhere).
 * Returns the address it listens on.
 */
export async function runService(options: RunServiceOptions): Promise<string> {
  const { app, logger } = options;
  const address = await app.listen({ port: options.port, host: options.host });
  logger.info({ address, ...options.facts }, startupLine(options.name, address, options.facts));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${options.name} shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`${options.name} did not stop within ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      await app.close();
      await options.shutdown();
      await shutdownTelemetry();
      logger.info(`${options.name} stopped`);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, `${options.name} failed to stop cleanly`);
      await shutdownTelemetry();
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return address;
}
