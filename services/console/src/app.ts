import { AuthUnavailableError, type AccessPolicy } from '@mobius/auth';
import { buildServiceApp, type Logger, type ReadinessCheck, type ServiceMetrics } from '@mobius/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LOGIN_PATH, requireConsoleAccess } from './auth/console-access.ts';
import { clearedCookie, sessionCookie } from './auth/cookies.ts';
import { CONSOLE_DEFAULTS } from './config.ts';
import { consolePage } from './handlers/console-page.ts';
import { sameOrigin, signIn } from './handlers/sign-in.ts';
import { StatusHistory } from './history.ts';
import { startSampler, type Sampler } from './sampler.ts';
import type { DeadLettersSource, FreshnessHistorySource, StatusSource, SyncRunsSource } from './types.ts';
import { renderLoginPage } from './view/login-page.ts';

/** The console's one typed dependency object; main.ts builds it, `mobius dev` and tests build their own. */
export interface ConsoleDeps {
  status: StatusSource;
  syncRuns: SyncRunsSource;
  deadLetters: DeadLettersSource;
  freshnessHistory: FreshnessHistorySource;
  /** Who may look: the shared guard's policy (createServiceAccess); `none`: anyone (mobius dev). */
  access: AccessPolicy;
  refreshSeconds: number;
  sampleIntervalMs: number;
  /** What /readyz checks (the databases the sources read). */
  readiness: ReadinessCheck[];
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Headers of every page: no script runs (none is needed), nothing is framed or cached, no referrer leaves the site. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with the sign-in form.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

/** True when the request reached us over HTTPS (directly, or behind Cloud Run's or an ingress' TLS). */
function overHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

/** `/login` and `/logout`: exchange a pasted access token (one the guard admits) for the session cookie, and drop it. */
function registerSignIn(app: FastifyInstance, policy: AccessPolicy): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.get('/login', async (request, reply) => {
    const query = request.query as Record<string, string>;
    return sendPage(reply, 200, renderLoginPage(query.forbidden === '1' ? 'forbidden' : query.expired === '1' ? 'expired' : undefined));
  });
  app.post('/login', async (request, reply) => {
    if (!sameOrigin(request.headers.origin, request.headers.host)) return sendPage(reply, 403, renderLoginPage('refused'));
    const result = await signIn(policy, request.body).catch((error: unknown) => {
      if (!(error instanceof AuthUnavailableError)) throw error;
      request.log.error({ err: error.cause }, error.message);
      return undefined;
    });
    if (!result) return reply.code(503).send({ error: { code: 'AUTH_UNAVAILABLE', message: 'the user directory cannot be read; try again' } });
    if (!result.ok) {
      request.log.info({ code: result.code }, 'console sign-in refused');
      return result.forbidden ? sendPage(reply, 403, renderLoginPage('forbidden')) : sendPage(reply, 401, renderLoginPage('refused'));
    }
    const cookie = sessionCookie(CONSOLE_DEFAULTS.sessionCookie, result.token, result.principal.expiresAt, Date.now(), overHttps(request));
    request.log.info({ userId: result.principal.userId }, 'console sign-in');
    return reply.code(303).header('set-cookie', cookie).header('location', '/').send();
  });
  app.post('/logout', async (_request, reply) =>
    reply.code(303).header('set-cookie', clearedCookie(CONSOLE_DEFAULTS.sessionCookie)).header('location', LOGIN_PATH).send(),
  );
}

/**
 * The console (docs/console.md): `/healthz`, `/readyz`, `/metrics` (open), and behind the shared
 * guard (docs/security.md; unless access is `none`) `GET /` (the page) and `GET /api/status` (the `mobius status --json`
 * object). While the app is up a sampler records the status every `sampleIntervalMs` for the
 * charts of the last hour.
 */
export function buildApp(deps: ConsoleDeps): FastifyInstance {
  const app = buildServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
    bodyLimitBytes: CONSOLE_DEFAULTS.bodyLimitBytes,
  });
  const windowMs = CONSOLE_DEFAULTS.historyWindowSeconds * 1000;
  const history = new StatusHistory(Math.max(1, Math.ceil(windowMs / deps.sampleIntervalMs)));
  const pageDeps = { ...deps, history, historyWindowMs: windowMs };
  const guarded = deps.access.mode === 'required';
  const onRequest = guarded ? [requireConsoleAccess(deps.access, CONSOLE_DEFAULTS.sessionCookie)] : [];
  app.get('/', { onRequest }, async (_request, reply) => {
    const page = await consolePage(pageDeps, guarded);
    return sendPage(reply, page.status, page.html);
  });
  app.get('/api/status', { onRequest }, async (_request, reply) => reply.header('cache-control', 'no-store').send(await deps.status()));
  if (guarded) registerSignIn(app, deps.access);
  else app.get('/login', async (_request, reply) => reply.code(303).header('location', '/').send());
  let sampler: Sampler | undefined;
  app.addHook('onReady', async () => {
    sampler = startSampler({ status: deps.status, history, intervalMs: deps.sampleIntervalMs, logger: deps.logger });
  });
  // preClose: the sampler stops (a sample in flight finishes) before any onClose hook closes the
  // backends it reads (service.ts ties those to the app after building it).
  app.addHook('preClose', async () => {
    await sampler?.stop();
  });
  return app;
}
