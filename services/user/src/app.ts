import type { TokenService } from '@mobius/auth';
import { buildServiceApp, type Logger, type ServiceMetrics } from '@mobius/service';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GoogleIdTokenVerifier } from './auth/google-id-token.ts';
import { createPasswordHashQueue, type PasswordHashQueue } from './auth/hash-queue.ts';
import type { AuthDeps } from './auth/types.ts';
import { DEFAULT_RATE_LIMITS, USER_DEFAULTS, type MailSettings, type RateLimits } from './config.ts';
import type { DirectoryAccess } from './directory/access.ts';
import { accessBeaconAlias, authRoutes, userRoutes, type Route } from './handlers/index.ts';
import { clientAddress } from './http/client-address.ts';
import { installFastApiErrors } from './http/fastapi-errors.ts';
import { isThrottled, rateLimitHooks, type RateLimitHooks, type RateLimitedOperation } from './http/rate-limits.ts';
import { createBackgroundWork, type BackgroundWork } from './lifecycle/background.ts';
import { createDroppingMailer, type Mailer } from './mail/mailer.ts';
import type { UserRepository } from './repository/types.ts';

/** The user HTTP app (a fastify instance, typed through @mobius/service, which owns the fastify dependency). */
export type UserApp = ReturnType<typeof buildServiceApp>;

/** Where the auth API lives (docs/api/user.md). */
export const AUTH_PREFIX = '/api/v1/auth';
/** Where the identity directory other apps call lives. */
export const USERS_PREFIX = '/api/v1/users';

/** One typed dependency object for the user service; main.ts builds it, tests build their own. */
export interface UserAppDeps {
  repository: UserRepository;
  /** The `@mobius/auth` token service, built with JWT_SECRET and the configured lifetimes. */
  tokens: TokenService;
  /** The access token lifetime the token service mints with (answered as `expires_in`). */
  accessTokenMinutes: number;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Null (the default) when GOOGLE_CLIENT_ID is unset. */
  google?: GoogleIdTokenVerifier | null;
  /** Default: USER_DEFAULTS' queue (one hash at a time, four waiting). */
  hashQueue?: PasswordHashQueue;
  /** Default DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimits;
  /** Default: no internal key, no admins (the directory's writers are closed). */
  directoryAccess?: DirectoryAccess;
  /** Default USER_DEFAULTS.trustedProxyHops (0: the socket address). */
  trustedProxyHops?: number;
  bodyLimitBytes?: number;
  /** Where account mails go (mail/mailer.ts); default: checked, logged and dropped. The app never closes it. */
  mailer?: Mailer;
  /** The links and lifetimes of account mails; default: no link base (no mail is sent), 60 minutes, 7 days. */
  mail?: Omit<MailSettings, 'mailer'>;
  /** Work after the answer (the reset request); default: the app's own, awaited when it closes. */
  background?: BackgroundWork;
}

function registerRoute(scope: FastifyInstance, route: Route, limits: Record<RateLimitedOperation, RateLimitHooks>, hops: number) {
  const hooks = route.rateLimited ? limits[route.rateLimited] : undefined;
  scope.route({
    method: route.method,
    url: route.url,
    ...(hooks ? { onRequest: hooks.onRequest, preHandler: hooks.preHandler } : {}),
    handler: async (request: FastifyRequest, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const response = await route.handle({
        body: request.body,
        authorization: header('authorization'),
        internalKey: header('x-internal-key'),
        params: (request.params ?? {}) as Record<string, string>,
        query: (request.query ?? {}) as Record<string, unknown>,
        client: { ip: clientAddress(request, hops), userAgent: header('user-agent') ?? null },
        throttled: isThrottled(request),
      });
      return reply.status(response.status).send(response.body);
    },
  });
}

/**
 * The user HTTP API on the shared service app (`/healthz`, `/readyz`, `/metrics`): `GET /health`,
 * `/api/v1/auth/*` and `/api/v1/users/*` (docs/api/user.md), answering errors as FastAPI does
 * (`{detail}`, http/fastapi-errors.ts). Ready when Postgres answers. No I/O until a request.
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
  const hops = deps.trustedProxyHops ?? USER_DEFAULTS.trustedProxyHops;
  const background = deps.background ?? createBackgroundWork(deps.logger);
  // Started work finishes before the app's other onClose hooks close what it uses.
  app.addHook('onClose', () => background.settled());
  const mail = deps.mail ?? {
    setPasswordUrlBase: null,
    resetTtlSeconds: USER_DEFAULTS.resetTtlMinutes * 60,
    inviteTtlSeconds: USER_DEFAULTS.inviteTtlDays * 86_400,
  };
  const authDeps: AuthDeps = {
    repository: deps.repository,
    tokens: deps.tokens,
    accessTokenSeconds: deps.accessTokenMinutes * 60,
    google: deps.google ?? null,
    hashQueue:
      deps.hashQueue ??
      createPasswordHashQueue({
        concurrency: USER_DEFAULTS.passwordHashConcurrency,
        maxQueued: USER_DEFAULTS.passwordHashQueue,
        hashMs: USER_DEFAULTS.passwordHashMs,
      }),
    mail: {
      ...mail,
      mailer: deps.mailer ?? createDroppingMailer((message, fields) => deps.logger.warn(fields, message)),
      logger: deps.logger,
    },
    background,
  };
  const access = deps.directoryAccess ?? { internalKey: null, adminEmails: new Set<string>() };
  app.register(async (api) => {
    installFastApiErrors(api);
    const limits = await rateLimitHooks(api, deps.rateLimits ?? DEFAULT_RATE_LIMITS, (request) => clientAddress(request, hops));
    await api.register(
      async (scope) => {
        for (const route of authRoutes(authDeps)) registerRoute(scope, route, limits, hops);
      },
      { prefix: AUTH_PREFIX },
    );
    await api.register(
      async (scope) => {
        for (const route of userRoutes({ ...authDeps, access })) registerRoute(scope, route, limits, hops);
      },
      { prefix: USERS_PREFIX },
    );
    await api.register(
      async (scope) => {
        registerRoute(scope, accessBeaconAlias({ ...authDeps, access }), limits, hops);
      },
      { prefix: '/api/v1' },
    );
  });
  return app;
}
