import { MobiusError } from '@mobius/contracts/errors';

/**
 * The vector index's error catalogue. Every error has a stable `code`, says whether a retry can help
 * (`retryable`; the bus dead-letters the rest at once with the message as the reason) and keeps `cause`.
 */
export const VECTOR_INDEX_ERROR_CODES = {
  /** A row has no embedding (null or not an array). */
  embeddingMissing: 'VECTOR_EMBEDDING_MISSING',
  /** An embedding's length is not the index's dimension. */
  embeddingDimension: 'VECTOR_EMBEDDING_DIMENSION',
  /** An embedding holds NaN, an infinity or a non-number. */
  embeddingNotFinite: 'VECTOR_EMBEDDING_NOT_FINITE',
  /** A datapoint id is not a lowercase hyphenated uuid, or a restrict is malformed. */
  datapointInvalid: 'VECTOR_DATAPOINT_INVALID',
  /** A caller passed an invalid argument (a query vector of the wrong length, a dimension below 1). */
  argumentInvalid: 'VECTOR_ARGUMENT_INVALID',
  /** The index was used after `close()`. */
  closed: 'VECTOR_INDEX_CLOSED',
  /** The backend kept failing with a transient error (429, 5xx, network) through every retry. Retryable. */
  unavailable: 'VECTOR_INDEX_UNAVAILABLE',
  /** The backend refused the request for good (bad argument, not found, permission denied). Not retryable. */
  rejected: 'VECTOR_INDEX_REJECTED',
  /** The backend has no such operation (`listDatapointIds` on Vertex AI itself). Not retryable. */
  unsupported: 'VECTOR_INDEX_UNSUPPORTED',
} as const;

export type VectorIndexErrorCode = (typeof VECTOR_INDEX_ERROR_CODES)[keyof typeof VECTOR_INDEX_ERROR_CODES];

/** Base of every vector index error. A MobiusError: a retryable one (unavailable) answers 503 through an HTTP API's error handler. */
export class VectorIndexError extends MobiusError {
  declare readonly code: VectorIndexErrorCode;

  constructor(code: VectorIndexErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(code, message, retryable, options);
  }
}

/** A datapoint (or the row it is made from) that can never be indexed. Not retryable. */
export class InvalidDatapointError extends VectorIndexError {
  constructor(
    code: VectorIndexErrorCode,
    readonly datapointId: string,
    message: string,
  ) {
    super(code, `datapoint ${datapointId}: ${message}`, false);
  }
}

/** An invalid argument to a port method or factory (a malformed query, a bad dimension). Not retryable. */
export class InvalidArgumentError extends VectorIndexError {
  constructor(message: string) {
    super(VECTOR_INDEX_ERROR_CODES.argumentInvalid, message, false);
  }
}

/** The index was closed. Not retryable on this instance. */
export class VectorIndexClosedError extends VectorIndexError {
  constructor() {
    super(VECTOR_INDEX_ERROR_CODES.closed, 'the vector index is closed', false);
  }
}

/**
 * The backend answered 429 or 5xx, or could not be reached, on every attempt. Retryable: the bus
 * redelivers the message later. `status` is the last gRPC status code seen (undefined: no answer).
 */
export class VectorIndexUnavailableError extends VectorIndexError {
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(VECTOR_INDEX_ERROR_CODES.unavailable, message, true, options);
  }
}

/** The backend refused the request (a 4xx other than 429). Not retryable; `status` is the gRPC status code. */
export class VectorIndexRejectedError extends VectorIndexError {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(VECTOR_INDEX_ERROR_CODES.rejected, message, false, options);
  }
}

/** The operation does not exist on this backend. Not retryable. */
export class VectorIndexUnsupportedError extends VectorIndexError {
  constructor(message: string) {
    super(VECTOR_INDEX_ERROR_CODES.unsupported, message, false);
  }
}
