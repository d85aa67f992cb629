import { AsyncLocalStorage } from 'node:async_hooks';
import {
  TRACEPARENT,
  activeTraceparent,
  ensureContextPropagation,
  runInTraceContext,
  startDeliverySpan,
  tracePublish,
  type DeliveryOutcome,
} from '@mobius/telemetry';
import { DEAD_LETTER_ATTRIBUTES, type Middleware, type PublishRequest, type PublishResult } from '../types.ts';

export { TRACEPARENT, type DeliveryOutcome };

/** `messaging.system` of the messages of one adapter. */
export type MessagingSystem = 'nats' | 'gcp_pubsub' | 'mobius_memory';

export interface TracingOptions {
  /** Unprefixed subscription name, recorded on the span. */
  subscription?: string;
  system?: MessagingSystem;
}

/** What the bus learns about one delivery while its handler chain runs. */
interface DeliveryRecord {
  deadLetter: { code: string; reason: string } | undefined;
  listeners: ((outcome: DeliveryOutcome) => void)[];
}

const deliveries = new AsyncLocalStorage<DeliveryRecord>();

/**
 * Tracing of every delivery, the bus's outermost middleware (so dead-lettering happens inside it). It
 * runs the rest of the chain inside a CONSUMER span `<topic> process`, the child of the context the
 * message's `traceparent` carries (a malformed one is ignored: a new trace starts), so
 * `currentTraceparent()` below it is that span's and whatever the handler publishes continues the
 * trace. When the chain settles it records the delivery's outcome on the span (`mobius.outcome`:
 * `ack`, `retry`, or `dead_letter` with the code and reason) and tells the listeners registered with
 * `onDeliveryOutcome`. With tracing off the span is the API's no-op one, which keeps the incoming
 * context, so the handler sees the incoming `traceparent` itself.
 */
export function tracing(options: TracingOptions = {}): Middleware {
  ensureContextPropagation();
  const system = options.system ?? 'mobius_memory';
  const subscription = options.subscription ?? '';
  return (next) => async (message) => {
    const span = startDeliverySpan({
      system,
      subscription,
      topic: message.topic,
      messageId: message.id,
      attributes: message.attributes,
      bodySize: message.data.byteLength,
      orderingKey: message.orderingKey,
      deliveryAttempt: message.deliveryAttempt,
    });
    const record: DeliveryRecord = { deadLetter: undefined, listeners: [] };
    let outcome: DeliveryOutcome = 'retry';
    let error: unknown;
    try {
      await runInTraceContext(span.context, () => deliveries.run(record, () => next(message)));
      outcome = record.deadLetter ? 'dead_letter' : 'ack';
    } catch (failure) {
      error = failure;
      throw failure;
    } finally {
      span.finish(outcome, { error, ...(record.deadLetter ? { deadLetter: record.deadLetter } : {}) });
      for (const listener of record.listeners) {
        try {
          listener(outcome);
        } catch {
          // A metrics listener must not turn a handled message into a failed one.
        }
      }
    }
  };
}

/**
 * Registers `listener` for the final outcome of the delivery being handled here: `ack` (handled),
 * `retry` (failed, redelivered later) or `dead_letter` (sent to the dead-letter topic, then acked).
 * For middleware inside the bus's chain (metrics); returns false outside a delivery.
 */
export function onDeliveryOutcome(listener: (outcome: DeliveryOutcome) => void): boolean {
  const record = deliveries.getStore();
  record?.listeners.push(listener);
  return record !== undefined;
}

/**
 * `publish` for the dead-letter middleware: after a dead-letter publish succeeds, the delivery it
 * belongs to is recorded as dead-lettered (with the code and reason it carries).
 */
export function recordingDeadLetters(publish: (request: PublishRequest) => Promise<PublishResult>) {
  return async (request: PublishRequest): Promise<PublishResult> => {
    const result = await publish(request);
    const record = deliveries.getStore();
    if (record) {
      record.deadLetter = {
        code: request.attributes?.[DEAD_LETTER_ATTRIBUTES.code] ?? 'UNKNOWN',
        reason: request.attributes?.[DEAD_LETTER_ATTRIBUTES.reason] ?? 'dead-lettered',
      };
    }
    return result;
  };
}

/**
 * The `traceparent` of the active span: inside a handler the delivery's span (with tracing off, the
 * incoming message's own `traceparent`), inside a batch the batch's, inside an HTTP request its span.
 * Undefined where no trace is active.
 */
export function currentTraceparent(): string | undefined {
  return activeTraceparent();
}

/**
 * Publishes `request` through `send` inside a PRODUCER span `<topic> publish`, with the span's
 * `traceparent` added to the attributes (the adapters' publish path). Its parent is the `traceparent`
 * the publisher set itself, else the active trace (a handled message, a batch), else none: a publish
 * outside any trace, such as the rag outbox relay's, starts one.
 */
export function tracedPublish(
  system: MessagingSystem,
  request: PublishRequest,
  send: (attributes: Record<string, string>) => Promise<PublishResult>,
): Promise<PublishResult> {
  return tracePublish(
    {
      system,
      topic: request.topic,
      messageId: request.id,
      attributes: request.attributes,
      bodySize: request.data.byteLength,
      orderingKey: request.orderingKey,
    },
    send,
  );
}
