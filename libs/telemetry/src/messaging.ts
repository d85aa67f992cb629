import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, type Attributes } from '@opentelemetry/api';
import { contextFromAttributes, ensureContextPropagation, withTraceAttributes, type TraceContext } from './context.ts';
import { recordFailure, startSpan } from './spans.ts';

/**
 * Spans of the bus (OpenTelemetry messaging semantic conventions): a PRODUCER span `<topic> publish`
 * per published message, whose context the message carries as `traceparent`, and a CONSUMER span
 * `<topic> process` per delivery, the child of that context.
 */

/** What every messaging span says about its message. */
export interface MessageSpanInfo {
  /** `messaging.system`: `nats`, `gcp_pubsub` or `mobius_memory`. */
  system: string;
  /** Unprefixed catalogue topic (`rag.publish_events`). */
  topic: string;
  messageId: string;
  /** CloudEvents and trace attributes of the message. */
  attributes: Record<string, string> | undefined;
  bodySize: number;
  orderingKey?: string | undefined;
}

export interface DeliverySpanInfo extends MessageSpanInfo {
  /** Unprefixed subscription name. */
  subscription: string;
  deliveryAttempt: number;
}

/** How a delivery ended: acked after success, given back for redelivery, or sent to the dead-letter topic. */
export type DeliveryOutcome = 'ack' | 'retry' | 'dead_letter';

export interface DeliverySpan {
  /** The context to run the handler in: the CONSUMER span's. */
  readonly context: TraceContext;
  /** Records the outcome (and the failure or dead-letter reason) and ends the span. */
  finish(outcome: DeliveryOutcome, detail?: { error?: unknown; deadLetter?: { code: string; reason: string } }): void;
}

function messageAttributes(info: MessageSpanInfo, operation: 'send' | 'process'): Attributes {
  const attributes: Attributes = {
    'messaging.system': info.system,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation === 'send' ? 'publish' : 'process',
    'messaging.destination.name': info.topic,
    'messaging.message.id': info.messageId,
    'messaging.message.body.size': info.bodySize,
  };
  const type = info.attributes?.['ce-type'];
  if (type !== undefined) attributes['cloudevents.event_type'] = type;
  const source = info.attributes?.['ce-source'];
  if (source !== undefined) attributes['cloudevents.event_source'] = source;
  if (info.orderingKey !== undefined) attributes['mobius.ordering_key'] = info.orderingKey;
  return attributes;
}

/**
 * Publishes inside a PRODUCER span `<topic> publish` and hands `send` the attributes to publish: the
 * message's own plus the span's `traceparent`. The span's parent is the `traceparent` the publisher
 * set in the attributes, else the active context (a handled message, a batch), else none: the publish
 * starts a trace (the rag outbox relay's publishes are trace roots). With tracing off the API's no-op
 * span keeps its parent's context, so the incoming trace context is carried on unchanged.
 */
export async function tracePublish<R extends { duplicate: boolean }>(
  info: MessageSpanInfo,
  send: (attributes: Record<string, string>) => Promise<R>,
): Promise<R> {
  ensureContextPropagation();
  const parent = contextFromAttributes(info.attributes) ?? context.active();
  const started = startSpan(`${info.topic} publish`, { kind: SpanKind.PRODUCER, parent, attributes: messageAttributes(info, 'send') })!;
  try {
    const result = await context.with(started.context, () => send(withTraceAttributes(info.attributes, started.context)));
    if (result.duplicate) started.span.setAttribute('mobius.publish.duplicate', true);
    return result;
  } catch (error) {
    recordFailure(started.span, error);
    throw error;
  } finally {
    started.span.end();
  }
}

/**
 * Starts the CONSUMER span `<topic> process` of one delivery, the child of the context its message
 * carries (a new trace when it carries none: never of whatever happened to be active, such as the
 * pull loop's or a push request's context).
 */
export function startDeliverySpan(info: DeliverySpanInfo): DeliverySpan {
  const parent = contextFromAttributes(info.attributes) ?? ROOT_CONTEXT;
  const attributes: Attributes = {
    ...messageAttributes(info, 'process'),
    'messaging.consumer.group.name': info.subscription,
    'messaging.destination.subscription.name': info.subscription,
    'mobius.delivery_attempt': info.deliveryAttempt,
  };
  const { span, context: spanContext } = startSpan(`${info.topic} process`, { kind: SpanKind.CONSUMER, parent, attributes })!;
  return {
    context: spanContext,
    finish(outcome, detail = {}) {
      span.setAttribute('mobius.outcome', outcome);
      if (outcome === 'retry' && detail.error !== undefined) recordFailure(span, detail.error);
      if (outcome === 'dead_letter') {
        const { code = 'UNKNOWN', reason = 'dead-lettered' } = detail.deadLetter ?? {};
        span.addEvent('dead_lettered', { 'error.type': code, 'mobius.dead_letter.reason': reason });
        span.setAttribute('error.type', code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${reason}` });
      }
      span.end();
    },
  };
}
