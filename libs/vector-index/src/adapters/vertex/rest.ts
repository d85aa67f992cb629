import { endpointOrigin, type ApiEndpoint } from './endpoint.ts';

/** google.rpc.Code by the name Google's JSON errors carry in `error.status`. */
const GRPC_CODE_BY_NAME: Record<string, number> = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/** A Google error answer, shaped as google-gax shapes it (`code`, `statusDetails`), so callWithRetry reads both alike. */
export class GoogleRestError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly statusDetails: unknown[],
  ) {
    super(message);
    this.name = 'GoogleRestError';
  }
}

/** "1.5s" (a protobuf Duration in JSON) as `{seconds, nanos}`, the form gax gives RetryInfo. */
function durationOf(detail: unknown): unknown {
  const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
  if (typeof delay !== 'string') return detail;
  const seconds = Number.parseFloat(delay);
  return { ...(detail as object), retryDelay: { seconds: Math.trunc(seconds), nanos: Math.round((seconds % 1) * 1e9) } };
}

/** Where and how a REST call is made: the endpoint, the auth headers, the deadline. */
export interface RestTarget {
  endpoint: ApiEndpoint;
  headers: () => Promise<Record<string, string>>;
  timeoutMs: number;
}

/**
 * One Vertex AI REST call (`GET` or `POST /v1/{resource}[:{verb}]`) with its JSON written and read
 * directly, instead of through google-gax's REST transcoding. The profile of vertex-sync showed gax
 * turning each 1536-dim datapoint into a protobuf object and back into JSON (encodeRequest,
 * toProto3JSON, deepCopyWithoutMatchedFields) at about half of vertex-sync's CPU, and loading the
 * aiplatform client cost vertex-sync and chat 1.5-2.5 s of their start. The bodies are the JSON gax
 * sends (test/vertex-vector-index.test.ts records and compares them); an answer is Google's JSON, or
 * Google's error format, thrown as a GoogleRestError with the gRPC code callWithRetry reads.
 * Transport failures throw an error without a code (retryable).
 */
export async function callVertexRest<T>(target: RestTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${endpointOrigin(target.endpoint)}/v1/${path}`, {
    method,
    headers: { ...(await target.headers()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(target.timeoutMs),
  });
  const text = await response.text();
  if (response.ok) {
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new Error(`${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  let error: { code?: unknown; message?: unknown; status?: unknown; details?: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const code = typeof error?.status === 'string' ? GRPC_CODE_BY_NAME[error.status] : undefined;
  const message = `${response.status} ${typeof error?.message === 'string' ? error.message : text.slice(0, 200)}`;
  if (code === undefined) throw new Error(`${path} answered ${message}`);
  const details = Array.isArray(error?.details) ? error.details.map(durationOf) : [];
  throw new GoogleRestError(message, code, details);
}
