import type { AccessTokenVerifier } from '@mobius/auth';
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
  /** `none`: anyone may look (mobius dev); `jwt`: a valid access token, as chat requires. */
  auth: { mode: 'none' } | { mode: 'jwt'; tokens: AccessTokenVerifier };
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

/** `/login` and `/logout`: exchange a pasted access token for the session cookie, and drop it. */
function registerSignIn(app: FastifyInstance, tokens: AccessTokenVerifier): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.get('/login', async (request, reply) => {
    const expired = (request.query as Record<string, string>).expired === '1';
    return sendPage(reply, 200, renderLoginPage(expired ? 'expired' : undefined));
  });
  app.post('/login', async (request, reply) => {
    if (!sameOrigin(request.headers.origin, request.headers.host)) return sendPage(reply, 403, renderLoginPage('refused'));
    const result = signIn(tokens, request.body);
    if (!result.ok) {
      request.log.info({ code: result.code }, 'console sign-in refused');
      return sendPage(reply, 401, renderLoginPage('refused'));
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
 * The console (docs/console.md): `/healthz`, `/readyz`, `/metrics` (open), and behind the access
 * hook (unless auth is `none`) `GET /` (the page) and `GET /api/status` (the `mobius status --json`
 * object). While the app is up a sampler records the status every `sampleIntervalMs` for the
 * charts of the last hour.
 */
export function buildApp(deps: ConsoleDeps): FastifyInstance {
  const app = buildServiceApp({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness });
  const windowMs = CONSOLE_DEFAULTS.historyWindowSeconds * 1000;
  const history = new StatusHistory(Math.max(1, Math.ceil(windowMs / deps.sampleIntervalMs)));
  const pageDeps = { ...deps, history, historyWindowMs: windowMs };
  const jwt = deps.auth.mode === 'jwt';
  const onRequest = deps.auth.mode === 'jwt' ? [requireConsoleAccess(deps.auth.tokens, CONSOLE_DEFAULTS.sessionCookie)] : [];
  app.get('/', { onRequest }, async (_request, reply) => {
    const page = await consolePage(pageDeps, jwt);
    return sendPage(reply, page.status, page.html);
  });
  app.get('/api/status', { onRequest }, async (_request, reply) => reply.header('cache-control', 'no-store').send(await deps.status()));
  if (deps.auth.mode === 'jwt') registerSignIn(app, deps.auth.tokens);
  else app.get('/login', async (_request, reply) => reply.code(303).header('location', '/').send());
  let sampler: Sampler | undefined;
  app.addHook('onReady', async () => {
    sampler = startSampler({ status: deps.status, history, intervalMs: deps.sampleIntervalMs, logger: deps.logger });
  });
  app.addHook('onClose', async () => {
    await sampler?.stop();
  });
  return app;
}
