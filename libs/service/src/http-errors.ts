import { MobiusError } from '@mobius/contracts/errors';
import { isDatabaseUnavailable } from '@mobius/db';
import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * An HTTP error with a stable code, for the one error handler. Handlers throw these; the client gets
 * `{ error: { code, message } }` and the status. A MobiusError like the others (`httpStatus` is its
 * `statusCode`); a 429 or a 5xx is retryable.
 */
export class HttpError extends MobiusError {
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, statusCode === 429 || statusCode >= 500, { ...options, httpStatus: statusCode });
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const notFound = (code: string, message: string) => new HttpError(404, code, message);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);

/** The `code` of the 503 an unreachable database answers, whichever way the driver said it. */
export const DB_UNREACHABLE = 'DB_UNREACHABLE';

/** Seconds a client is asked to wait (`retry-after`) after a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** What an API answers for an error: status, stable code, and the message the client may read. */
export interface HttpProblem {
  status: number;
  code: string;
  message: string;
  /** True when the error's own words stay in the log (a 5xx): `message` is then a generic one. */
  logged: boolean;
}

/**
 * The one mapping of errors to HTTP answers (every service's error handler calls it; the user API
 * only spells the body FastAPI's way):
 * - HttpError: its status, code and message;
 * - another MobiusError (ConfigError, DbError, BusError ...): below 500 its status, code and message;
 *   503 (retryable: a backend is down) its code, e.g. DB_UNREACHABLE or BUS_UNAVAILABLE; else 500;
 * - a driver's error saying the database cannot be reached (refused, timed out, terminated: see
 *   isDatabaseUnavailable in @mobius/db): 503 DB_UNREACHABLE;
 * - fastify's own 4xx (validation: INVALID_BODY, body too large ...): its status and message;
 * - anything else: 500 INTERNAL.
 * A 5xx never shows the error's detail to the client.
 */
export function httpProblemOf(error: unknown): HttpProblem {
  if (error instanceof HttpError) return { status: error.statusCode, code: error.code, message: error.message, logged: error.statusCode >= 500 };
  if (error instanceof MobiusError) {
    if (error.httpStatus < 500) return { status: error.httpStatus, code: error.code, message: error.message, logged: false };
    if (error.httpStatus === 503) return unavailable(error.code);
    return internal();
  }
  if (isDatabaseUnavailable(error)) return unavailable(DB_UNREACHABLE);
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode ?? 500;
  if (status < 500) {
    const code = fastifyError.validation ? 'INVALID_BODY' : (fastifyError.code ?? 'BAD_REQUEST');
    return { status, code, message: fastifyError.message ?? 'bad request', logged: false };
  }
  return internal();
}

function unavailable(code: string): HttpProblem {
  return { status: 503, code, message: 'a backend this service needs is unavailable; retry later', logged: true };
}

function internal(): HttpProblem {
  return { status: 500, code: 'INTERNAL', message: 'internal error', logged: true };
}

/**
 * The one error handler: `{ error: { code, message } }` with the status httpProblemOf gives; a 5xx's
 * detail goes to the log, a 503 carries `retry-after`.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const problem = httpProblemOf(error);
    if (problem.logged) request.log.error({ err: error, code: problem.code }, 'request failed');
    if (problem.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.status(problem.status).send({ error: { code: problem.code, message: problem.message } });
  });
}
