import { VectorIndexClosedError, VectorIndexRejectedError, VectorIndexUnavailableError } from '../../errors.ts';

/** How a call is retried on a transient failure. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; each later wait is `backoffMultiplier` times longer. */
  initialBackoffMs: number;
  backoffMultiplier: number;
  /** Longest computed wait (a server's RetryInfo may ask for longer, and is honoured). */
  maxBackoffMs: number;
}

/** gRPC status codes (google-gax maps HTTP statuses onto them: 429 -> 8, 500 -> 13, 503 -> 14, 504 -> 4). */
export const GRPC_STATUS = {
  unknown: 2,
  invalidArgument: 3,
  deadlineExceeded: 4,
  notFound: 5,
  resourceExhausted: 8,
  aborted: 10,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

/** Statuses a retry can cure: 429, 409/aborted, 5xx, deadline. Everything else is final. */
const RETRYABLE = new Set<number>([
  GRPC_STATUS.unknown,
  GRPC_STATUS.deadlineExceeded,
  GRPC_STATUS.resourceExhausted,
  GRPC_STATUS.aborted,
  GRPC_STATUS.internal,
  GRPC_STATUS.unavailable,
]);

export interface RetryContext {
  policy: RetryPolicy;
  /** True once the adapter is closed: no further attempt is made. */
  isClosed: () => boolean;
}

/**
 * Runs `call` until it succeeds, retrying 429, 5xx and transport failures (no answer, or an answer that
 * is not a Google error) with exponential backoff and jitter. When the server sends a RetryInfo detail
 * (Vertex does with 429), the wait is at least its `retryDelay`. Throws VectorIndexUnavailableError
 * (retryable) when every attempt failed transiently, VectorIndexRejectedError (not retryable) at once
 * for any other status. The calls retried here are idempotent (upsert, remove, reads).
 */
export async function callWithRetry<T>(what: string, call: () => Promise<T>, context: RetryContext): Promise<T> {
  const { policy } = context;
  for (let attempt = 1; ; attempt++) {
    if (context.isClosed()) throw new VectorIndexClosedError();
    try {
      return await call();
    } catch (error) {
      const status = grpcStatusOf(error);
      const message = error instanceof Error ? error.message : String(error);
      if (status !== undefined && !RETRYABLE.has(status)) {
        throw new VectorIndexRejectedError(`${what} was refused (gRPC status ${status}): ${message}`, status, { cause: error });
      }
      if (attempt >= policy.maxAttempts) {
        throw new VectorIndexUnavailableError(`${what} failed after ${attempt} attempts: ${message}`, status, { cause: error });
      }
      await sleep(backoffMs(policy, attempt, retryDelayMs(error)));
    }
  }
}

/** The gRPC status code google-gax put on the error; undefined when there was no Google answer. */
export function grpcStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Exponential backoff with equal jitter, and never shorter than the server's requested delay. */
function backoffMs(policy: RetryPolicy, attempt: number, serverDelayMs: number | undefined): number {
  const computed = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.backoffMultiplier ** (attempt - 1));
  const jittered = computed / 2 + Math.random() * (computed / 2);
  return Math.max(jittered, serverDelayMs ?? 0);
}

/** `google.rpc.RetryInfo.retryDelay` of a Google error (gax decodes it into `statusDetails`), in ms. */
function retryDelayMs(error: unknown): number | undefined {
  const details = (error as { statusDetails?: unknown } | null)?.statusDetails;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const delay = (detail as { retryDelay?: { seconds?: unknown; nanos?: unknown } } | null)?.retryDelay;
    if (delay) return Number(delay.seconds ?? 0) * 1000 + Number(delay.nanos ?? 0) / 1e6;
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
