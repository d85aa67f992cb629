import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryable } from '../errors.ts';
import type { Middleware } from '../types.ts';

export interface RetryOptions {
  /** Extra in-process attempts after the first failure, within one delivery. */
  retries: number;
  /** Pause before in-process retry n: delaysMs[min(n-1, len-1)]. Keep these short: the message is held meanwhile. */
  delaysMs: number[];
}

/** Two quick retries, 50 ms then 250 ms apart: enough for a dropped connection or a serialization failure. */
export const RETRY_DEFAULTS: RetryOptions = { retries: 2, delaysMs: [50, 250] };

/**
 * Quick in-process retries of retryable errors, before the delivery is rejected back to the bus
 * (which then redelivers with backoff, or dead-letters). A non-retryable error is rethrown at once.
 * All these attempts are one delivery: `deliveryAttempt` and the dead-letter attempt count do not
 * change. Holding the message while retrying also keeps an ordering key's messages in order.
 */
export function retry(options: Partial<RetryOptions> = {}): Middleware {
  const { retries, delaysMs } = { ...RETRY_DEFAULTS, ...options };
  return (next) => async (message) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await next(message);
      } catch (error) {
        if (attempt >= retries || !isRetryable(error)) throw error;
        await sleep(delaysMs[Math.min(attempt, delaysMs.length - 1)] ?? 0);
      }
    }
  };
}
