import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VectorIndexServerError, invalidArgument } from '../errors.ts';

/**
 * The error handler of the Vertex routes: Google's JSON error format, `{error: {code, message,
 * status}}`, which google-gax turns into an error with the gRPC code of `status`. The server's own
 * errors keep their status; fastify's 4xx (a body that is not JSON, or too large) are INVALID_ARGUMENT;
 * anything else is logged and answered INTERNAL without detail.
 */
export function googleErrorHandler(error: FastifyError | VectorIndexServerError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof VectorIndexServerError) {
    return reply.status(error.httpStatus).send({ error: { code: error.httpStatus, message: error.message, status: error.status } });
  }
  const httpStatus = error.statusCode ?? 500;
  if (httpStatus < 500) {
    return reply.status(httpStatus).send({ error: { code: httpStatus, message: error.message, status: 'INVALID_ARGUMENT' } });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({ error: { code: 500, message: 'internal error', status: 'INTERNAL' } });
}

/** An auth refusal in Google's format: UNAUTHENTICATED (401), PERMISSION_DENIED (403) or UNAVAILABLE (503), final for the adapter but 503. */
export function googleRefusal({ status, message }: { status: number; code: string; message: string }) {
  const name = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'PERMISSION_DENIED' : 'UNAVAILABLE';
  return { error: { code: status, message, status: name } };
}

/** `idx:upsertDatapoints` -> `{ id: 'idx', verb: 'upsertDatapoints' }` (Google's custom-method paths). */
export function splitVerb(target: string): { id: string; verb: string } {
  const colon = target.lastIndexOf(':');
  if (colon <= 0) return { id: target, verb: '' };
  return { id: target.slice(0, colon), verb: target.slice(colon + 1) };
}

const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Index ids name directories under the data directory, so they are restricted to a safe alphabet. */
export function resourceId(id: string, what: string): string {
  if (!RESOURCE_ID.test(id)) throw invalidArgument(`${what} id ${JSON.stringify(id)} must be 1-128 letters, digits, _ or -`);
  return id;
}
