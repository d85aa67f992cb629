import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * An HTTP error with a stable code, for the one error handler. Handlers throw these; the client gets
 * `{ error: { code, message } }` and the status.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const notFound = (code: string, message: string) => new HttpError(404, code, message);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);

/**
 * The one error handler: HttpErrors and fastify's own 4xx (validation, body too large) keep their
 * status and message; anything else is a 500 whose detail goes to the log, not to the client.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({ error: { code: error.code, message: error.message } });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = error.validation ? 'INVALID_BODY' : (error.code ?? 'BAD_REQUEST');
      return reply.status(status).send({ error: { code, message: error.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
}
