import { principalOf, requireAccessToken, type AccessTokenVerifier, type UserDirectory } from '@mobius/auth';
import type { Embedder } from '@mobius/embedder';
import { buildServiceApp, type Logger, type ServiceMetrics } from '@mobius/service';
import type { VectorIndex } from '@mobius/vector-index';
import { CHAT_DEFAULTS } from './config.ts';
import { CHAT_ROUTE_DOCS } from './handlers/route-docs.ts';
import { searchRoute } from './handlers/search.ts';
import type { Route } from './handlers/types.ts';
import type { PublishedChunkReader } from './search/types.ts';

/** The chat HTTP app (a fastify instance, typed through @mobius/service, which owns the fastify dependency). */
export type ChatApp = ReturnType<typeof buildServiceApp>;

/** One typed dependency object for the chat service; main.ts builds it, tests build their own. */
export interface ChatAppDeps {
  /** Chat's published rows (`published_rag_metadata`). */
  chunks: PublishedChunkReader;
  index: VectorIndex;
  /** Rag's embedder: same provider and dimension, so query and chunk vectors are comparable. */
  embedder: Embedder;
  /** Checks bearer access tokens (JWT_SECRET). */
  tokens: AccessTokenVerifier;
  /** AUTH_CHECK_USER_ACTIVE: the token's user must be active here (cached); absent: not checked. */
  activeUsers?: UserDirectory;
  logger: Logger;
  metrics: ServiceMetrics;
  bodyLimitBytes?: number;
}

/** Readiness of the index: one real query, so a deployed endpoint that cannot serve shows as down. */
async function pingIndex(index: VectorIndex, dimensions: number): Promise<void> {
  const unit = new Array<number>(dimensions).fill(0);
  unit[0] = 1;
  await index.findNeighbors({ featureVector: unit, neighborCount: 1 });
}

/**
 * The chat HTTP API (docs/api/chat.md) on the shared service app: `/healthz`, `/readyz`
 * (Chat's database and the vector index), `/metrics`, and `POST /v1/search`. Every API route is behind
 * the access-token hook, run on `onRequest` so a request without a valid token (or, with
 * `activeUsers`, of a user no longer active) is refused with 401 before its body is read. No I/O until a request.
 */
export function buildApp(deps: ChatAppDeps): ChatApp {
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [
      { name: 'chat-db', check: () => deps.chunks.ping() },
      { name: 'vector-index', check: () => pingIndex(deps.index, deps.embedder.dimensions) },
    ],
    bodyLimitBytes: deps.bodyLimitBytes ?? CHAT_DEFAULTS.bodyLimitBytes,
  });
  const authenticate = requireAccessToken(deps.tokens, deps.activeUsers ? { activeUsers: deps.activeUsers } : {});
  const routes: Route[] = [searchRoute({ embedder: deps.embedder, index: deps.index, chunks: deps.chunks, logger: deps.logger })];
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      onRequest: authenticate,
      // What /docs says about the route (documentation only: nothing is validated from it).
      config: { openapi: CHAT_ROUTE_DOCS[`${route.method} ${route.url}`] },
      handler: async (request, reply) => {
        const response = await route.handle({ principal: principalOf(request), body: request.body });
        return reply.status(response.status).send(response.body);
      },
    });
  }
  return app;
}
