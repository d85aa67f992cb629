import type { AccessPolicy } from '@mobius/auth';
import { createLogger, createMetrics, type Logger } from '@mobius/service';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { VECTOR_INDEX_SERVER_DEFAULTS } from './config.ts';
import type { IndexRegistry } from './index/registry.ts';
import { openRegistry, type RegistryTuning } from './service.ts';

export interface EmbeddedServerOptions extends RegistryTuning {
  dataDir: string;
  dimensions?: number;
  /** The one index and endpoint served; default VECTOR_INDEX_SERVER_DEFAULTS' (what VECTOR_INDEX=local addresses). */
  indexId?: string;
  indexEndpointId?: string;
  /** Who may call it; default `{mode: 'none'}` (it listens on loopback, for tests and the bench). */
  access?: AccessPolicy;
  logger?: Logger;
}

export interface EmbeddedServer {
  /** `http://127.0.0.1:<port>`: what VECTOR_INDEX_URL would hold. */
  url: string;
  app: FastifyInstance;
  registry: IndexRegistry;
  /** Stops listening and saves every changed index. */
  close(): Promise<void>;
}

/**
 * The local vector index server in this process, listening on a free loopback port: for tests and the
 * bench (a container runs `mobius start vector-index`, service.ts's createService), on the same
 * registry and app, with the tuning (RegistryTuning) and access policy given directly.
 */
export async function startVectorIndexServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const logger = options.logger ?? createLogger('vector-index', 'silent');
  const registry = await openRegistry(
    {
      dataDir: options.dataDir,
      dimensions: options.dimensions,
      indexId: options.indexId ?? VECTOR_INDEX_SERVER_DEFAULTS.indexId,
      indexEndpointId: options.indexEndpointId ?? VECTOR_INDEX_SERVER_DEFAULTS.indexEndpointId,
    },
    logger,
    options,
  );
  const app = buildApp({ registry, access: options.access ?? { mode: 'none' }, logger, metrics: createMetrics('vector-index') });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app, registry, close: () => app.close() };
}
