/**
 * The server's error catalogue. Vertex clients read errors in Google's JSON format, so every error
 * carries a canonical status name (`INVALID_ARGUMENT`, ...) and its HTTP code; the routes' error
 * handler renders `{error: {code, message, status}}` from it.
 */
export const GOOGLE_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  NOT_FOUND: 404,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type GoogleStatus = keyof typeof GOOGLE_STATUS;

export class VectorIndexServerError extends Error {
  readonly httpStatus: number;

  constructor(
    readonly status: GoogleStatus,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VectorIndexServerError';
    this.httpStatus = GOOGLE_STATUS[status];
  }
}

export const invalidArgument = (message: string) => new VectorIndexServerError('INVALID_ARGUMENT', message);
export const failedPrecondition = (message: string) => new VectorIndexServerError('FAILED_PRECONDITION', message);
export const notFound = (message: string) => new VectorIndexServerError('NOT_FOUND', message);
