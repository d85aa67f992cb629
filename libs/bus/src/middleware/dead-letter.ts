import { DeadLetterFailedError, errorCode, errorMessage, isRetryable } from '../errors.ts';
import { deadLetterTopicOf } from '../names.ts';
import { DEAD_LETTER_ATTRIBUTES, type BusLogger, type Message, type Middleware, type PublishRequest, type PublishResult } from '../types.ts';

export interface DeadLetterOptions {
  /** Unprefixed subscription name: the dead-letter topic is `<topic>.dlq.<subscription>`. */
  subscription: string;
  /** The delivery attempt whose retryable failure is dead-lettered instead of retried. */
  maxDeliver: number;
  /** The bus's own publish (it applies the prefix). */
  publish: (request: PublishRequest) => Promise<PublishResult>;
  logger: BusLogger;
}

/**
 * Reasons are one line and bounded: they travel as an attribute (a NATS header, a Pub/Sub attribute,
 * whose values Pub/Sub limits to 1024 bytes), so the bound is in UTF-8 bytes, the ellipsis included.
 */
const MAX_REASON_BYTES = 1_000;

/**
 * The bus's dead-lettering, applied once by every adapter's subscribe as the outermost middleware.
 * When the handler throws a non-retryable error, or a retryable one on delivery `maxDeliver`, the
 * message is published to its subscription's dead-letter topic (original body, original attributes,
 * plus `DEAD_LETTER_ATTRIBUTES`) and the middleware resolves, so the bus acks it and the stream flows
 * on. Any other error is rethrown: the bus redelivers with backoff. If the dead-letter publish itself
 * fails, DeadLetterFailedError (retryable) is thrown and the message is redelivered, never dropped.
 * The dead-letter message's id is the original id, so a redelivery after a crash between the
 * dead-letter publish and the ack is recognised as a duplicate (a redrive must therefore republish
 * with a fresh id). Every `subscribe` already applies it: it is exported for adapters built outside
 * this package, not to be added again.
 */
export function deadLetter(options: DeadLetterOptions): Middleware {
  return (next) => async (message) => {
    try {
      await next(message);
    } catch (error) {
      if (isRetryable(error) && message.deliveryAttempt < options.maxDeliver) throw error;
      const request = deadLetterRequest(message, options.subscription, error);
      try {
        await options.publish(request);
      } catch (publishError) {
        throw new DeadLetterFailedError(request.topic, { cause: publishError });
      }
      options.logger.warn(
        {
          topic: message.topic,
          subscription: options.subscription,
          messageId: message.id,
          code: errorCode(error),
          attempts: message.deliveryAttempt,
        },
        `dead-lettered to ${request.topic}: ${request.attributes?.[DEAD_LETTER_ATTRIBUTES.reason]}`,
      );
    }
  };
}

/** The dead-letter message for `message` rejected with `error` by `subscription`. */
export function deadLetterRequest(message: Message, subscription: string, error: unknown): PublishRequest {
  const request: PublishRequest = {
    topic: deadLetterTopicOf(message.topic, subscription),
    id: message.id,
    data: message.data,
    attributes: {
      ...message.attributes,
      [DEAD_LETTER_ATTRIBUTES.reason]: oneLine(errorMessage(error)),
      [DEAD_LETTER_ATTRIBUTES.code]: oneLine(errorCode(error)),
      [DEAD_LETTER_ATTRIBUTES.attempts]: String(message.deliveryAttempt),
      [DEAD_LETTER_ATTRIBUTES.subscription]: subscription,
      [DEAD_LETTER_ATTRIBUTES.originalTopic]: message.topic,
      [DEAD_LETTER_ATTRIBUTES.originalId]: message.id,
      [DEAD_LETTER_ATTRIBUTES.originalPublishedAt]: message.publishedAt.toISOString(),
    },
  };
  if (message.orderingKey !== undefined) request.orderingKey = message.orderingKey;
  return request;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim() || 'no reason given';
  if (Buffer.byteLength(flat) <= MAX_REASON_BYTES) return flat;
  const ellipsis = '…';
  let cut = Buffer.from(flat)
    .subarray(0, MAX_REASON_BYTES - Buffer.byteLength(ellipsis))
    .toString('utf8');
  // A multi-byte character split at the cut decodes as U+FFFD: drop it.
  cut = cut.replace(/\uFFFD+$/, '');
  return `${cut}${ellipsis}`;
}
