import { InvalidMessageError, errorMessage, isRetryable } from '../errors.ts';
import type { Message, Middleware } from '../types.ts';

/**
 * Validates every message with `decode` before the handler sees it (for example
 * `(m) => decodeEvent(ragPublishEventV1, m)` from @mobius/contracts). A message `decode` throws on
 * never reaches the handler and is not retryable, so it goes to the dead-letter topic at once with
 * the decode error as the reason; an error that already says it is permanent (contracts'
 * `InvalidEventError`, code `EVENT_INVALID`) keeps its own code, anything else becomes
 * `InvalidMessageError` (`MESSAGE_INVALID`). The handler decodes again to get its typed event
 * (decoding is pure and cheap), which keeps `Handler` one type for every middleware.
 */
export function validation(decode: (message: Message) => unknown): Middleware {
  return (next) => async (message) => {
    try {
      decode(message);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      throw new InvalidMessageError(`invalid message ${message.id} on ${message.topic}: ${errorMessage(error)}`, { cause: error });
    }
    await next(message);
  };
}
