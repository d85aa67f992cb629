import { onDeliveryOutcome, type Message, type Middleware } from '@mobius/bus';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';

/** The CloudEvents attribute holding when the event happened (RFC 3339). */
const EVENT_TIME = 'ce-time';

/**
 * Counts and times every message of `subscription` and logs failures with the message id, as bus
 * middleware (`SubscribeOptions.middleware`). The count is by the delivery's final outcome, which the
 * bus reports once its own dead-letter handling has run (`ack`, `retry`, `dead_letter`); an acked
 * message's end-to-end lag (now minus its `ce-time`) is observed then too, so it measures until the
 * effect was committed.
 */
export function consumerMetrics(subscription: string, metrics: ServiceMetrics, logger: Logger): Middleware {
  // One count per delivery, even below a middleware that calls the handler several times (in-process retries).
  const counted = new WeakSet<Message>();
  return (next) => async (message) => {
    const stop = metrics.handlerSeconds.startTimer({ subscription });
    if (!counted.has(message)) {
      counted.add(message);
      onDeliveryOutcome((outcome) => {
        metrics.messages.inc({ subscription, outcome });
        const lag = outcome === 'ack' ? lagSeconds(message) : undefined;
        if (lag !== undefined) metrics.eventLagSeconds.observe({ subscription }, lag);
      });
    }
    try {
      await next(message);
    } catch (error) {
      logger.warn({ err: error, messageId: message.id, topic: message.topic, attempt: message.deliveryAttempt }, 'message handling failed');
      throw error;
    } finally {
      stop();
    }
  };
}

/** Seconds since the message's event time; undefined without a valid `ce-time`. Clock skew ahead reads as 0. */
function lagSeconds(message: Message): number | undefined {
  const time = Date.parse(message.attributes[EVENT_TIME] ?? '');
  return Number.isNaN(time) ? undefined : Math.max(0, (Date.now() - time) / 1_000);
}
