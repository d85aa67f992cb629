import { MobiusError } from '@mobius/contracts/errors';

/**
 * The bus's error catalogue. Every error has a stable `code`, says whether a retry can help
 * (`retryable`) and keeps its `cause`. The bus itself follows the same rule for handler errors:
 * an error whose `retryable` is `false` is never retried (see `isRetryable`). A retryable one answers
 * 503 through an HTTP API's error handler (MobiusError), others 500.
 */
export class BusError extends MobiusError {}

/** A name, prefix or option is invalid, or a stream name is taken by another topic. Fix the configuration. */
export class BusConfigError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUS_CONFIG_INVALID', message, false, options);
  }
}

/** The server could not be reached or did not store the message. Retrying later can succeed. */
export class BusUnavailableError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUS_UNAVAILABLE', message, true, options);
  }
}

/** The bus was closed; it takes no more publishes or subscriptions. */
export class BusClosedError extends BusError {
  constructor(operation: string) {
    super('BUS_CLOSED', `cannot ${operation}: the bus is closed`, false);
  }
}

/** A publish request the transport cannot carry faithfully (an empty id, an attribute NATS headers would alter). */
export class InvalidPublishError extends BusError {
  constructor(message: string) {
    super('BUS_PUBLISH_INVALID', message, false);
  }
}

/**
 * A received message failed validation (the validation middleware's wrapper for decode errors that do
 * not say themselves that they are permanent). Not retryable: it goes to the dead-letter topic at once.
 */
export class InvalidMessageError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESSAGE_INVALID', message, false, options);
  }
}

/** Publishing a message to its dead-letter topic failed; the message is redelivered and tried again. */
export class DeadLetterFailedError extends BusError {
  constructor(deadLetterTopic: string, options?: { cause?: unknown }) {
    super('BUS_DEAD_LETTER_FAILED', `could not publish to dead-letter topic ${deadLetterTopic}`, true, options);
  }
}

/** The adapter (or its backend, such as the Pub/Sub emulator) cannot replay from that kind of start point. */
export class ReplayUnsupportedError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUS_REPLAY_UNSUPPORTED', message, false, options);
  }
}

/** A push request that is not a Pub/Sub push envelope: it can never succeed (HTTP 400). */
export class PushEnvelopeError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PUSH_ENVELOPE_INVALID', message, false, { ...options, httpStatus: 400 });
  }
}

/** This process cannot take the pushed message now (no such subscriber, closing, busy): Pub/Sub retries (HTTP 503). */
export class PushUnavailableError extends BusError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PUSH_UNAVAILABLE', message, true, options);
  }
}

/** True unless `error` says it is permanent (`retryable === false`); unknown failures are worth a retry. */
export function isRetryable(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}

/** The stable code of `error` where it has one (a string `code`), else `HANDLER_FAILED`. */
export function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.length > 0 ? code : 'HANDLER_FAILED';
}

/** The message of `error`, or its string form for a thrown non-Error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
