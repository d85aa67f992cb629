import { PushEnvelopeError, PushUnavailableError } from '../../errors.ts';
import type { PushReceiver } from '../../extensions.ts';
import type { SubscriptionSettings } from '../../subscription.ts';
import type { BusLogger, Handler, PushAuthSettings, Subscriber } from '../../types.ts';
import type { AttemptCounter } from './attempts.ts';
import { toMessage, type IncomingMessage } from './codec.ts';
import type { PubSubNames } from './names.ts';

interface Registration {
  topic: string;
  /** The handler with the bus middleware applied (`wrapHandler`). */
  handler: Handler;
  settings: SubscriptionSettings;
  inFlight: number;
  closing: boolean;
  idle: (() => void)[];
}

/** A push envelope, decoded: which subscription, the message, and Pub/Sub's attempt count if it sent one. */
export interface PushEnvelope {
  subscription: string;
  message: IncomingMessage;
  deliveryAttempt: number | undefined;
}

/**
 * The Pub/Sub bus's push side: `subscribe` in push mode registers here, and each push request runs
 * the registered handler chain once. At most `concurrency` pushes of a subscription run at once in
 * this process; more are refused (PushUnavailableError: 503, Pub/Sub backs off and retries).
 */
export class PubSubPushReceiver implements PushReceiver {
  readonly auth: PushAuthSettings;
  readonly emulator: boolean;
  readonly #names: PubSubNames;
  readonly #attempts: AttemptCounter;
  readonly #logger: BusLogger;
  /** By unprefixed subscription name. */
  readonly #registrations = new Map<string, Registration>();

  constructor(options: { auth: PushAuthSettings; emulator: boolean; names: PubSubNames; attempts: AttemptCounter; logger: BusLogger }) {
    this.auth = options.auth;
    this.emulator = options.emulator;
    this.#names = options.names;
    this.#attempts = options.attempts;
    this.#logger = options.logger;
  }

  /** Takes pushes of `subscription` until the returned subscriber is closed. */
  register(topic: string, subscription: string, handler: Handler, settings: SubscriptionSettings): Subscriber {
    if (this.#registrations.has(subscription))
      throw new PushUnavailableError(`subscription ${subscription} already has a push subscriber in this process`);
    const registration: Registration = { topic, handler, settings, inFlight: 0, closing: false, idle: [] };
    this.#registrations.set(subscription, registration);
    return { close: () => this.#close(subscription, registration) };
  }

  async deliver(body: unknown): Promise<void> {
    const envelope = parsePushEnvelope(body);
    const name = this.#names.subscriptionNameOf(envelope.subscription);
    const registration = name === undefined ? undefined : this.#registrations.get(name);
    if (!registration || registration.closing) throw new PushUnavailableError(`no running subscriber for ${envelope.subscription} in this process`);
    if (registration.inFlight >= registration.settings.concurrency) {
      throw new PushUnavailableError(`subscriber of ${name} is busy (${registration.inFlight} messages in flight)`);
    }
    const { messageId } = envelope.message;
    const message = toMessage(envelope.message, registration.topic, this.#attempts.attemptOf(messageId, envelope.deliveryAttempt));
    registration.inFlight += 1;
    try {
      await registration.handler(message);
      this.#attempts.forget(messageId);
    } finally {
      registration.inFlight -= 1;
      if (registration.inFlight === 0) for (const wake of registration.idle.splice(0)) wake();
    }
  }

  /** Refuses new pushes, then waits for those in flight (up to `drainTimeoutMs`). */
  async #close(subscription: string, registration: Registration): Promise<void> {
    registration.closing = true;
    if (registration.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => registration.idle.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, registration.settings.drainTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (registration.inFlight > 0) this.#logger.warn({ subscription, inFlight: registration.inFlight }, 'push drain timed out');
    }
    if (this.#registrations.get(subscription) === registration) this.#registrations.delete(subscription);
  }
}

/**
 * Decodes a push request body (https://cloud.google.com/pubsub/docs/push#receive_push): `subscription`,
 * `message.{data (base64), attributes, messageId, publishTime, orderingKey}`, and `deliveryAttempt`
 * where the subscription has a dead-letter policy (the cloud sends it; the emulator sends neither it
 * nor `orderingKey`, so pushed messages lose their key there).
 * Throws PushEnvelopeError naming what is missing.
 */
export function parsePushEnvelope(body: unknown): PushEnvelope {
  const envelope = asRecord(body, 'the body');
  const raw = asRecord(envelope.message, 'message');
  if (typeof envelope.subscription !== 'string' || envelope.subscription === '') throw new PushEnvelopeError('push envelope has no subscription');
  const messageId = raw.messageId ?? raw.message_id;
  const publishTime = raw.publishTime ?? raw.publish_time;
  if (typeof messageId !== 'string') throw new PushEnvelopeError('push envelope message has no messageId');
  const published = typeof publishTime === 'string' ? new Date(publishTime) : new Date(Number.NaN);
  if (Number.isNaN(published.getTime())) throw new PushEnvelopeError('push envelope message has no valid publishTime');
  if (raw.data !== undefined && (typeof raw.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw.data))) {
    throw new PushEnvelopeError('push envelope message data is not base64');
  }
  const attributes = raw.attributes === undefined ? {} : asRecord(raw.attributes, 'message.attributes');
  if (!Object.values(attributes).every((value) => typeof value === 'string')) throw new PushEnvelopeError('push envelope attributes must be strings');
  const attempt = envelope.deliveryAttempt;
  const orderingKey = raw.orderingKey ?? raw.ordering_key;
  return {
    subscription: envelope.subscription,
    message: {
      messageId,
      data: Buffer.from(typeof raw.data === 'string' ? raw.data : '', 'base64'),
      attributes: attributes as Record<string, string>,
      orderingKey: typeof orderingKey === 'string' && orderingKey !== '' ? orderingKey : undefined,
      publishedAt: published,
    },
    deliveryAttempt: typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
  };
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PushEnvelopeError(`push envelope: ${what} is not an object`);
  return value as Record<string, unknown>;
}
