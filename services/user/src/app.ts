import type { TokenService } from '@mobius/auth';
import { buildServiceApp, type Logger, type ServiceMetrics } from '@mobius/service';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClientInfo } from './auth/types.ts';
import { USER_DEFAULTS, type LoginRateLimit } from './config.ts';
import { authRoutes, type Route } from './handlers/index.ts';
import { clientAddress } from './http/client-address.ts';
import { installEnvelope } from './http/envelope.ts';
import { loginRateLimitHooks, type LoginRateLimitHooks } from './http/login-rate-limit.ts';
import type { UserRepository } from './repository/types.ts';

/** The user HTTP app (a fastify instance, typed through @mobius/service, which owns the fastify dependency). */
export type UserApp = ReturnType<typeof buildServiceApp>;

/** Where the auth API lives (CONTRACTS.md section 5). */
export const AUTH_PREFIX = '/api/v1/auth';

/** One typed dependency object for the user service; main.ts builds it, tests build their own. */
export interface UserAppDeps {
  repository: UserRepository;
  /** The `@mobius/auth` token service, built with JWT_SECRET and the configured lifetimes. */
  tokens: TokenService;
  /** The access token lifetime the token service mints with (answered as `expires_in`). */
  accessTokenMinutes: number;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Default USER_DEFAULTS' login limits. */
  loginRateLimit?: LoginRateLimit;
  /** Default USER_DEFAULTS.trustedProxyHops (0: the socket address). */
  trustedProxyHops?: number;
  bodyLimitBytes?: number;
}

const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = {
  perEmail: USER_DEFAULTS.loginLimitPerEmail,
  perIp: USER_DEFAULTS.loginLimitPerIp,
  windowMs: USER_DEFAULTS.loginLimitWindowSeconds * 1000,
};

function clientOf(request: FastifyRequest, trustedProxyHops: number): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: clientAddress(request, trustedProxyHops), userAgent: userAgent ?? null };
}

function registerRoute(scope: FastifyInstance, route: Route, limits: LoginRateLimitHooks, trustedProxyHops: number) {
  scope.route({
    method: route.method,
    url: route.url,
    ...(route.loginRateLimited ? { onRequest: limits.perAddress, preHandler: limits.perEmail } : {}),
    handler: async (request, reply) => {
      const response = await route.handle({
        body: request.body,
        authorization: request.headers.authorization,
        client: clientOf(request, trustedProxyHops),
      });
      return reply.status(response.status).send(response.body);
    },
  });
}

/**
 * The user HTTP API on the shared service app (`/healthz`, `/readyz`, `/metrics`): `GET /health`
 * and `/api/v1/auth/{register,login,refresh,logout,me}`, whose every answer is `{ok: true, ...}` or
 * `{ok: false, error: {code, message, field?}}` (http/envelope.ts). Ready when Postgres answers.
 * No I/O until a request.
 */
export function buildApp(deps: UserAppDeps): UserApp {
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [{ name: 'postgres', check: () => deps.repository.ping() }],
    bodyLimitBytes: deps.bodyLimitBytes ?? USER_DEFAULTS.bodyLimitBytes,
  });
  // The existing mobius-user's liveness path, kept for its deploy files.
  app.get('/health', async () => ({ ok: true, status: 'ok' }));
  const trustedProxyHops = deps.trustedProxyHops ?? USER_DEFAULTS.trustedProxyHops;
  const handlerDeps = { repository: deps.repository, tokens: deps.tokens, accessTokenSeconds: deps.accessTokenMinutes * 60 };
  app.register(
    async (scope) => {
      installEnvelope(scope);
      const limits = await loginRateLimitHooks(scope, deps.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT, (request) =>
        clientAddress(request, trustedProxyHops),
      );
      for (const route of authRoutes(handlerDeps)) registerRoute(scope, route, limits, trustedProxyHops);
    },
    { prefix: AUTH_PREFIX },
  );
  return app;
}
