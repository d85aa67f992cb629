import type { Middleware } from '@mobius/bus';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';

/**
 * Counts and times every message of `subscription` and logs failures with the message id, as bus
 * middleware. It sits inside the bus's dead-letter handling, so `error` counts deliveries that failed
 * (retried or dead-lettered by the bus after it).
 */
export function consumerMetrics(subscription: string, metrics: ServiceMetrics, logger: Logger): Middleware {
  return (next) => async (message) => {
    const stop = metrics.handlerSeconds.startTimer({ subscription });
    try {
      await next(message);
      metrics.messages.inc({ subscription, outcome: 'ack' });
    } catch (error) {
      metrics.messages.inc({ subscription, outcome: 'error' });
      logger.warn(
        { err: error, messageId: message.id, topic: message.topic, attempt: message.deliveryAttempt },
        'message handling failed',
      );
      throw error;
    } finally {
      stop();
    }
  };
}
