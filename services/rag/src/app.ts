import { requireCredential, type AccessPolicy } from '@mobius/auth';
import type { Embedder } from '@mobius/embedder';
import { buildServiceApp, type Logger, type ServiceMetrics } from '@mobius/service';
import { RAG_DEFAULTS } from './config.ts';
import { ragRoutes } from './handlers/index.ts';
import { RAG_ROUTE_DOCS } from './handlers/route-docs.ts';
import type { RagRepository } from './repository/types.ts';

/** The rag HTTP app (a fastify instance, typed through @mobius/service, which owns the fastify dependency). */
export type RagApp = ReturnType<typeof buildServiceApp>;

/** One typed dependency object for the rag service; main.ts builds it, tests build their own. */
export interface RagAppDeps {
  repository: RagRepository;
  embedder: Embedder;
  /** Who may call the API routes (docs/security.md); /healthz, /readyz, /metrics stay open. */
  access: AccessPolicy;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Largest accepted request body; larger ones get 413. */
  bodyLimitBytes?: number;
}

/** The query string as plain strings: a repeated parameter counts by its last value. */
function queryOf(query: unknown): Record<string, string | undefined> {
  const entries = Object.entries((query ?? {}) as Record<string, string | string[]>);
  return Object.fromEntries(entries.map(([name, value]) => [name, Array.isArray(value) ? value.at(-1) : value]));
}

/**
 * The rag HTTP API (docs/api/rag.md) on the shared service app (`/healthz`, `/readyz`,
 * `/metrics`, the one error handler), every API route behind `deps.access` (checked on `onRequest`,
 * before the body is read). Ready when Postgres answers; the bus is not checked: publishing
 * goes through the outbox, so the API keeps working while the bus is down. No I/O until a request.
 */
export function buildApp(deps: RagAppDeps): RagApp {
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [{ name: 'postgres', check: () => deps.repository.ping() }],
    bodyLimitBytes: deps.bodyLimitBytes ?? RAG_DEFAULTS.bodyLimitBytes,
  });
  const routes = ragRoutes({
    documents: deps.repository.documents,
    publishing: deps.repository.publishing,
    embedder: deps.embedder,
  });
  const authenticate = requireCredential(deps.access);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      onRequest: authenticate,
      // What /docs says about the route (documentation only: nothing is validated from it).
      config: { openapi: { tags: ['documents'], security: [{ bearer: [] }], ...RAG_ROUTE_DOCS[`${route.method} ${route.url}`] } },
      handler: async (request, reply) => {
        const params = (request.params ?? {}) as Record<string, string | undefined>;
        const query = queryOf(request.query);
        const response = await route.handle({ params, query, body: request.body });
        return reply.status(response.status).send(response.body);
      },
    });
  }
  return app;
}
