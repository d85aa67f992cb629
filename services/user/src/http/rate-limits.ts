import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeEmail } from '../auth/input.ts';
import type { RateLimits } from '../config.ts';
import { rateLimited } from '../errors.ts';

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** The rate-limited operations; a route names one (handlers/types.ts). */
export type RateLimitedOperation = 'login' | 'register' | 'google' | 'passwordReset' | 'tokenInfo' | 'checkEmail';

/** Requests over a silent limit (the reset request): the route still answers 202, but does nothing. */
const throttledRequests = new WeakSet<FastifyRequest>();
export const isThrottled = (request: FastifyRequest) => throttledRequests.has(request);

/** The hooks of one rate-limited route: before the body is read, and once it is parsed. */
export interface RateLimitHooks {
  onRequest: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** The body's normalised email, or undefined when it has none (the per-email limiter's key). */
function emailOf(body: unknown): string | undefined {
  const value = (body as { email?: unknown } | null | undefined)?.email;
  return typeof value === 'string' && value.trim() !== '' ? normalizeEmail(value) : undefined;
}

async function enforce(limiter: Limiter, name: string, request: FastifyRequest, reply: FastifyReply) {
  const outcome = await limiter(request);
  if (outcome.isAllowed || !outcome.isExceeded) return;
  request.log.warn({ limit: name }, 'rate limit exceeded');
  reply.header('retry-after', String(outcome.ttlInSeconds));
  throw rateLimited(outcome.ttlInSeconds);
}

const none = async () => undefined;

/**
 * Registers @fastify/rate-limit on `scope` (not globally) and builds the limiters of each operation
 * (in-process counters: each instance counts its own): login per client address and per email;
 * registration per client address and for the whole process (a flood from many addresses still
 * stops); Google sign-in, token-info and check-email per client address; the password-reset request
 * per client address and per email, silently (the original answers 202 whatever happens). A request over a limit is a 429 "Too many requests"
 * with `retry-after`; every attempt counts, successful or not.
 */
export async function rateLimitHooks(
  scope: FastifyInstance,
  limits: RateLimits,
  addressOf: (request: FastifyRequest) => string,
): Promise<Record<RateLimitedOperation, RateLimitHooks>> {
  await scope.register(rateLimit, { global: false });
  const limiter = (name: string, max: number, windowMs: number, key: (request: FastifyRequest) => string) => {
    const created = scope.createRateLimit({ max, timeWindow: windowMs, keyGenerator: key });
    return (request: FastifyRequest, reply: FastifyReply) => enforce(created, name, request, reply);
  };
  const byAddress = (request: FastifyRequest) => addressOf(request);
  const loginByAddress = limiter('login-ip', limits.loginPerIp, limits.loginWindowMs, (r) => `login-ip:${byAddress(r)}`);
  const loginByEmail = limiter('login-email', limits.loginPerEmail, limits.loginWindowMs, (r) => `login-email:${emailOf(r.body)}`);
  const registerByAddress = limiter('register-ip', limits.registerPerIp, limits.registerWindowMs, (r) => `register-ip:${byAddress(r)}`);
  const registerAll = limiter('register-global', limits.registerGlobal, limits.registerWindowMs, () => 'register-global');
  const googleByAddress = limiter('google-ip', limits.googlePerIp, limits.googleWindowMs, (r) => `google-ip:${byAddress(r)}`);
  const tokenInfoByAddress = limiter('token-info-ip', limits.tokenInfoPerIp, limits.tokenInfoWindowMs, (r) => `token-info-ip:${byAddress(r)}`);
  const checkEmailByAddress = limiter('check-email-ip', limits.checkEmailPerIp, limits.checkEmailWindowMs, (r) => `check-email-ip:${byAddress(r)}`);
  // The reset request's limits are silent, as the original's: the answer is 202 either way.
  const silent = (name: string, max: number, key: (request: FastifyRequest) => string) => {
    const created = scope.createRateLimit({ max, timeWindow: limits.resetWindowMs, keyGenerator: key });
    return async (request: FastifyRequest) => {
      if (throttledRequests.has(request)) return;
      const outcome = await created(request);
      if (!outcome.isAllowed && outcome.isExceeded) {
        request.log.warn({ limit: name }, 'rate limit exceeded (silent)');
        throttledRequests.add(request);
      }
    };
  };
  const resetByAddress = silent('reset-ip', limits.resetPerIp, (r) => `reset-ip:${byAddress(r)}`);
  const resetByEmail = silent('reset-email', limits.resetPerEmail, (r) => `reset-email:${emailOf(r.body)}`);
  return {
    login: {
      onRequest: loginByAddress,
      // A body without an email is refused by validation; only attempts on an account are counted.
      preHandler: async (request, reply) => {
        if (emailOf(request.body) !== undefined) await loginByEmail(request, reply);
      },
    },
    register: {
      onRequest: async (request, reply) => {
        await registerByAddress(request, reply);
        await registerAll(request, reply);
      },
      preHandler: none,
    },
    google: { onRequest: googleByAddress, preHandler: none },
    passwordReset: {
      onRequest: async (request) => resetByAddress(request),
      preHandler: async (request) => {
        if (emailOf(request.body) !== undefined) await resetByEmail(request);
      },
    },
    tokenInfo: { onRequest: tokenInfoByAddress, preHandler: none },
    checkEmail: { onRequest: checkEmailByAddress, preHandler: none },
  };
}
