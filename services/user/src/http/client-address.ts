import type { FastifyRequest } from 'fastify';

/**
 * The client's address. With `trustedProxyHops` = 0 it is the socket's peer: a client cannot choose
 * it. Behind N trusted proxies (Cloud Run's front end is 1), each appends the address it saw to
 * X-Forwarded-For, so the client is the N-th entry from the right; anything left of it was written
 * by the client and is ignored. A shorter header falls back to its left-most entry.
 */
export function clientAddress(request: Pick<FastifyRequest, 'ip' | 'headers'>, trustedProxyHops: number): string {
  if (trustedProxyHops === 0) return request.ip;
  const header = request.headers['x-forwarded-for'];
  const joined = Array.isArray(header) ? header.join(',') : header;
  const hops = (joined ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (hops.length === 0) return request.ip;
  return hops[Math.max(0, hops.length - trustedProxyHops)]!;
}
