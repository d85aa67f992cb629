import { requireCredential, type AccessPolicy } from '@mobius/auth';
import { buildServiceApp, type Logger, type ServiceMetrics } from '@mobius/service';
import type { FastifyInstance } from 'fastify';
import { VECTOR_INDEX_SERVER_DEFAULTS } from './config.ts';
import type { IndexRegistry } from './index/registry.ts';
import { invalidArgument } from './errors.ts';
import { googleErrorHandler, googleRefusal } from './routes/google-errors.ts';
import { registerIndexEndpointRoutes } from './routes/index-endpoints.ts';
import { registerIndexRoutes } from './routes/indexes.ts';
import { registerLocalExtensionRoutes } from './routes/local-extensions.ts';

/** The server's one typed dependency object; main.ts builds it, tests build their own. */
export interface VectorIndexServerDeps {
  registry: IndexRegistry;
  /** Who may call the Vertex routes and the extensions (docs/security.md); /healthz, /readyz, /metrics stay open. */
  access: AccessPolicy;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Largest request body; default VECTOR_INDEX_SERVER_DEFAULTS.bodyLimitBytes. */
  bodyLimitBytes?: number;
}

/**
 * The local vector index server: /healthz, /readyz, /metrics, and the Vertex AI Vector Search REST
 * calls the platform's Vertex adapter makes (routes/indexes.ts, routes/index-endpoints.ts), answering
 * errors in Google's format, plus its `/mobius/v1/` extension (routes/local-extensions.ts), all behind
 * `deps.access`. It serves one index behind one endpoint (the registry's). Closing the app saves it.
 */
export function buildApp(deps: VectorIndexServerDeps): FastifyInstance {
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [],
    bodyLimitBytes: deps.bodyLimitBytes ?? VECTOR_INDEX_SERVER_DEFAULTS.bodyLimitBytes,
  });
  void app.register(async (scope) => {
    scope.setErrorHandler(googleErrorHandler);
    // Every Vertex route and extension needs a credential (the service token the Vertex adapter sends).
    scope.addHook('onRequest', requireCredential(deps.access, { refusalBody: googleRefusal }));
    // Upsert bodies are mostly numbers (~20 KB per 1536-dim datapoint). Fastify's default parser scans
    // every body with regular expressions for `__proto__`/`constructor` keys, which cost a third of the
    // time spent per datapoint in the profile; the routes read named fields only and never merge a body
    // into another object, so plain JSON.parse is safe here.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        done(invalidArgument(`the request body is not valid JSON: ${(error as Error).message}`), undefined);
      }
    });
    registerIndexRoutes(scope, deps.registry);
    registerIndexEndpointRoutes(scope, deps.registry);
    registerLocalExtensionRoutes(scope, deps.registry);
  });
  app.addHook('onClose', async () => {
    await deps.registry.close();
  });
  return app;
}
