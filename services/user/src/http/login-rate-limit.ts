import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { emailOf } from '../auth/input.ts';
import type { LoginRateLimit } from '../config.ts';
import { rateLimited } from '../errors.ts';

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** The two hooks of a rate-limited login route. */
export interface LoginRateLimitHooks {
  /** Counts the attempt against the client address; runs before the body is read. */
  perAddress: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Counts the attempt against the body's normalised email; runs once the body is parsed. */
  perEmail: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

async function enforce(limiter: Limiter, scope: 'email' | 'ip', request: FastifyRequest, reply: FastifyReply) {
  const outcome = await limiter(request);
  if (outcome.isAllowed || !outcome.isExceeded) return;
  request.log.warn({ limit: scope }, 'login rate limit exceeded');
  reply.header('retry-after', String(outcome.ttlInSeconds));
  throw rateLimited(scope, outcome.ttlInSeconds);
}

/**
 * Registers @fastify/rate-limit on `scope` (not globally) and builds two independent limiters for
 * login: per client address and per email, each `limits.windowMs` long (in-process counters: each
 * instance counts its own attempts). A request over either limit gets 429 RATE_LIMITED with
 * `retry-after`. Every attempt counts, successful or not.
 */
export async function loginRateLimitHooks(
  scope: FastifyInstance,
  limits: LoginRateLimit,
  addressOf: (request: FastifyRequest) => string,
): Promise<LoginRateLimitHooks> {
  await scope.register(rateLimit, { global: false });
  // Two limiters, not two route hooks: the plugin runs its route hook once per request.
  const byAddress = scope.createRateLimit({
    max: limits.perIp,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `ip:${addressOf(request)}`,
  });
  const byEmail = scope.createRateLimit({
    max: limits.perEmail,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `email:${emailOf(request.body) ?? ''}`,
  });
  return {
    perAddress: (request, reply) => enforce(byAddress, 'ip', request, reply),
    perEmail: async (request, reply) => {
      // A body without an email is refused by validation; only attempts on an account are counted.
      if (emailOf(request.body) !== undefined) await enforce(byEmail, 'email', request, reply);
    },
  };
}
