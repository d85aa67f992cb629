import { AuthError } from '@mobius/auth';
import { HttpError, httpProblemOf } from '@mobius/service';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ValidationFailed, UserApiError } from '../errors.ts';

/**
 * The user API's one error shape, FastAPI's, for every failure under `/api/v1/*`: `{detail: "..."}`
 * with the HTTP status (HTTPException), or for a body or query that fails validation 422
 * `{detail: [{type, loc, msg}]}`. A 429 carries `retry-after`. Anything unexpected is a 500
 * `{detail: "Internal Server Error"}` whose cause goes to the log, never to the client.
 */
export type ErrorBody = { detail: string } | { detail: ValidationFailed['problems'] };

/** Fastify's own client errors, by status, in FastAPI's words (never echoing the body). */
const FRAMEWORK_ERRORS: Record<number, { status: number; detail: string }> = {
  // Malformed JSON: FastAPI answers 422 json_invalid.
  400: { status: 422, detail: 'JSON decode error' },
  413: { status: 413, detail: 'Request body is too large' },
  415: { status: 415, detail: 'Unsupported Media Type' },
};

/** Installs the error and 404 handlers on the encapsulated `/api/v1/...` scope. */
export function installFastApiErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | HttpError | AuthError, request, reply) => {
    if (error instanceof ValidationFailed) return reply.status(422).send({ detail: error.problems });
    if (error instanceof UserApiError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      if (error.statusCode >= 500) request.log.warn({ err: error, code: error.code }, error.detail);
      return reply.status(error.statusCode).send({ detail: error.detailBody ?? error.detail });
    }
    // Errors of shared code (libs/service's text check: 400 naming the field; @mobius/auth: 401).
    if (error instanceof HttpError || error instanceof AuthError) {
      const status = error instanceof HttpError ? error.statusCode : 401;
      return reply.status(status).send({ detail: status === 401 ? 'Unauthorized' : error.message });
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status < 500) {
      const known = FRAMEWORK_ERRORS[status];
      if (known?.status === 422) {
        return reply.status(422).send({ detail: [{ type: 'json_invalid', loc: ['body', 0], msg: known.detail }] });
      }
      return reply.status(status).send({ detail: known?.detail ?? 'Bad Request' });
    }
    request.log.error({ err: error }, 'request failed');
    // The one mapping (@mobius/service httpProblemOf): an unreachable database is a 503, not a 500.
    if (httpProblemOf(error).status === 503) return reply.status(503).header('retry-after', '1').send({ detail: 'Service Unavailable' });
    return reply.status(500).send({ detail: 'Internal Server Error' });
  });
  scope.setNotFoundHandler((_request, reply) => reply.status(404).send({ detail: 'Not Found' }));
}
