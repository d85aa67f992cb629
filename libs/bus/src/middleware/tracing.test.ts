import { memorySpanExporter, startTelemetry, type InMemorySpanExporter, type Telemetry } from '@mobius/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import { resolveSubscribeOptions, wrapHandler } from '../subscription.ts';
import { DEAD_LETTER_ATTRIBUTES, type Handler, type Message, type PublishRequest } from '../types.ts';
import { currentTraceparent, onDeliveryOutcome, tracedPublish, tracing, type DeliveryOutcome } from './tracing.ts';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const messageWith = (attributes: Record<string, string>, deliveryAttempt = 1): Message => ({
  id: 'm-1',
  topic: 't',
  data: new Uint8Array(),
  attributes,
  deliveryAttempt,
  publishedAt: new Date(),
});

/** What a publish inside the handler would send: the attributes the adapter gets. */
async function attributesPublished(attributes?: Record<string, string>): Promise<Record<string, string>> {
  let sent: Record<string, string> = {};
  const request: PublishRequest = { topic: 'out', id: 'o-1', data: new Uint8Array(), ...(attributes ? { attributes } : {}) };
  await tracedPublish('mobius_memory', request, async (outgoing) => {
    sent = outgoing;
    return { duplicate: false };
  });
  return sent;
}

/** The bus's whole chain (tracing, dead-letter, then the caller's) around `handler`; dead letters land in `deadLetters`. */
function busChain(handler: Handler, deadLetters: PublishRequest[], middleware = resolveSubscribeOptions().middleware) {
  const settings = { ...resolveSubscribeOptions({ maxDeliver: 3 }), middleware };
  const publish = async (request: PublishRequest) => {
    deadLetters.push(request);
    return { duplicate: false };
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  return wrapHandler({ subscription: 'sub', handler, settings, publish, logger: silent });
}

describe('tracing middleware, tracing off (no SDK registered)', () => {
  it('exposes the incoming traceparent to the handler and to what it publishes, and only there', async () => {
    let inside: string | undefined;
    let outgoing: Record<string, string> = {};
    await tracing()(async () => {
      await Promise.resolve();
      inside = currentTraceparent();
      outgoing = await attributesPublished({ 'ce-type': 'x' });
    })(messageWith({ traceparent }));
    expect(inside).toBe(traceparent);
    expect(outgoing).toEqual({ 'ce-type': 'x', traceparent });
    expect(currentTraceparent()).toBeUndefined();
    expect(await attributesPublished({ 'ce-type': 'x' })).toEqual({ 'ce-type': 'x' });
  });

  it('keeps a traceparent the publisher set itself, and ignores a malformed incoming one', async () => {
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    let kept: Record<string, string> = {};
    let fromMalformed: string | undefined = 'unset';
    await tracing()(async () => {
      kept = await attributesPublished({ traceparent: own });
    })(messageWith({ traceparent }));
    await tracing()(async () => {
      fromMalformed = currentTraceparent();
    })(messageWith({ traceparent: 'not-a-trace' }));
    expect(kept).toEqual({ traceparent: own });
    expect(fromMalformed).toBeUndefined();
  });

  it('tells outcome listeners whether a delivery was acked, left for a retry, or dead-lettered', async () => {
    const outcomes: DeliveryOutcome[] = [];
    const listen =
      (next: Handler): Handler =>
      async (message) => {
        onDeliveryOutcome((outcome) => outcomes.push(outcome));
        await next(message);
      };
    const deadLetters: PublishRequest[] = [];
    let failWith: Error | undefined;
    const chain = busChain(
      async () => {
        if (failWith) throw failWith;
      },
      deadLetters,
      [listen],
    );

    await chain(messageWith({}));
    failWith = new Error('database restarting'); // retryable
    await expect(chain(messageWith({}, 1))).rejects.toThrow('database restarting');
    await chain(messageWith({}, 3)); // the last allowed attempt: dead-lettered
    failWith = new InvalidMessageError('bad row');
    await chain(messageWith({}, 1));

    expect(outcomes).toEqual(['ack', 'retry', 'dead_letter', 'dead_letter']);
    expect(deadLetters.map((r) => r.attributes?.[DEAD_LETTER_ATTRIBUTES.attempts])).toEqual(['3', '1']);
    expect(onDeliveryOutcome(() => undefined)).toBe(false);
  });
});

describe('tracing middleware, tracing on', () => {
  let exporter: InMemorySpanExporter;
  let telemetry: Telemetry;
  beforeAll(async () => {
    exporter = await memorySpanExporter();
    telemetry = await startTelemetry({ service: 'bus-test', env: {}, exporter, instrumentations: [] });
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('handles a message in a CONSUMER span under its traceparent, and publishes from it in a PRODUCER span', async () => {
    exporter.reset();
    let outgoing: Record<string, string> = {};
    await tracing({ subscription: 'sub', system: 'nats' })(async () => {
      outgoing = await attributesPublished({ 'ce-type': 'x' });
    })(messageWith({ traceparent, 'ce-type': 'mobius.test.v1' }));
    const [producer, consumer] = exporter.getFinishedSpans();
    expect(consumer).toMatchObject({ name: 't process', kind: 4 /* CONSUMER */ });
    expect(consumer!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(consumer!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(consumer!.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': 't',
      'messaging.destination.subscription.name': 'sub',
      'messaging.message.id': 'm-1',
      'cloudevents.event_type': 'mobius.test.v1',
      'mobius.outcome': 'ack',
    });
    expect(producer).toMatchObject({ name: 'out publish', kind: 3 /* PRODUCER */ });
    expect(producer!.parentSpanContext?.spanId).toBe(consumer!.spanContext().spanId);
    expect(outgoing.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${producer!.spanContext().spanId}-01`);
  });

  it('records a dead-lettered delivery as failed, with the code, inside the delivery span', async () => {
    exporter.reset();
    const deadLetters: PublishRequest[] = [];
    await busChain(async () => {
      throw new InvalidMessageError('bad row');
    }, deadLetters)(messageWith({ traceparent }));
    const consumer = exporter.getFinishedSpans().find((span) => span.name === 't process');
    expect(consumer?.attributes['mobius.outcome']).toBe('dead_letter');
    expect(consumer?.status.code).toBe(2 /* ERROR */);
    expect(consumer?.events.map((event) => event.name)).toEqual(['dead_lettered']);
  });
});
