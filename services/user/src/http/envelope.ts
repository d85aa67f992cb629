import { AUTH_ERROR_CODES, AuthError } from '@mobius/auth';
import { HttpError } from '@mobius/service';
import type { FastifyError, FastifyInstance } from 'fastify';
import { USER_ERROR_CODES as CODES, UserApiError } from '../errors.ts';

/**
 * The user API's one error shape, for every failure under `/api/v1/auth`:
 * `{ok: false, error: {code, message, field?}}` with the HTTP status. `field` is set when the error
 * is about one body field. Successes answer `{ok: true, ...}`.
 */
export interface ErrorEnvelope {
  ok: false;
  error: { code: string; message: string; field?: string };
}

const envelope = (code: string, message: string, field?: string): ErrorEnvelope => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

/** Fastify's own client errors, by status, with messages that never echo the body. */
const FRAMEWORK_ERRORS: Record<number, { code: string; message: string; field?: string }> = {
  400: { code: CODES.invalidBody, message: 'body is not valid JSON', field: 'body' },
  413: { code: CODES.bodyTooLarge, message: 'body is too large' },
  415: { code: CODES.unsupportedMediaType, message: 'body must be application/json' },
};

/**
 * Installs, on the encapsulated `/api/v1/auth` scope, the one error handler and the 404 handler.
 * Token refusals from `@mobius/auth` keep their TOKEN_* code, with `WWW-Authenticate: Bearer`.
 * Anything unexpected is a 500 whose detail goes to the log, never to the client.
 */
export function installEnvelope(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | HttpError | AuthError, request, reply) => {
    if (error instanceof AuthError && error.statusCode === 401) {
      const realm = error.code === AUTH_ERROR_CODES.missing ? 'Bearer' : 'Bearer error="invalid_token"';
      return reply.status(401).header('www-authenticate', realm).send(envelope(error.code, error.message));
    }
    if (error instanceof HttpError) {
      const field = error instanceof UserApiError ? error.field : undefined;
      return reply.status(error.statusCode).send(envelope(error.code, error.message, field));
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status < 500) {
      const known = FRAMEWORK_ERRORS[status] ?? { code: 'BAD_REQUEST', message: 'bad request' };
      return reply.status(status).send(envelope(known.code, known.message, known.field));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(envelope(CODES.internal, 'internal error'));
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    return reply.status(404).send(envelope(CODES.notFound, `no route ${request.method} ${path.slice(0, 200)}`));
  });
}
