import { SUBSCRIBE_DEFAULTS } from './defaults.ts';
import { Dispatcher, type Delivery } from './dispatcher.ts';
import { BusConfigError } from './errors.ts';
import { deadLetter } from './middleware/dead-letter.ts';
import { recordingDeadLetters, tracing, type MessagingSystem } from './middleware/tracing.ts';
import { PullWindow } from './pull-window.ts';
import type { BusLogger, Handler, Middleware, PublishRequest, PublishResult, SubscribeOptions, Subscriber } from './types.ts';

/** Where an adapter's messages come from: the only part of subscribing that differs per backend. */
export interface DeliverySource {
  /**
   * Fetches at most `max` messages, handing each to `deliver` as it arrives, and resolves when the
   * batch is over (full, expired or interrupted). Rejects on a failure the caller logs and pauses
   * after; re-attaching to a recreated subscription (a replay) is the source's own job.
   */
  fetch(max: number, deliver: (delivery: Delivery) => void): Promise<void>;
  /**
   * True when fetches may overlap: deliveries of concurrent fetches still reach `deliver` in the
   * backend's order (one connection, handed over synchronously), so ordering keys stay in order.
   * False: the pull window runs one fetch at a time.
   */
  readonly pipelined: boolean;
  /** Ends a pending fetch promptly; later deliveries are handed over anyway (and given back). */
  interrupt(): void;
  /** Resolves once the acks and naks sent so far have reached the backend. */
  flush(): Promise<void>;
}

/** `SubscribeOptions` with every default applied. */
export type SubscriptionSettings = Required<Omit<SubscribeOptions, 'middleware'>> & { middleware: Middleware[] };

/** Applies the defaults and rejects settings that cannot work (BusConfigError). */
export function resolveSubscribeOptions(options: SubscribeOptions = {}): SubscriptionSettings {
  const settings: SubscriptionSettings = {
    maxDeliver: options.maxDeliver ?? SUBSCRIBE_DEFAULTS.maxDeliver,
    backoffMs: options.backoffMs ?? [...SUBSCRIBE_DEFAULTS.backoffMs],
    ackWaitMs: options.ackWaitMs ?? SUBSCRIBE_DEFAULTS.ackWaitMs,
    concurrency: options.concurrency ?? SUBSCRIBE_DEFAULTS.concurrency,
    drainTimeoutMs: options.drainTimeoutMs ?? SUBSCRIBE_DEFAULTS.drainTimeoutMs,
    middleware: options.middleware ?? [],
  };
  const positive = { maxDeliver: settings.maxDeliver, concurrency: settings.concurrency, ackWaitMs: settings.ackWaitMs };
  for (const [name, value] of Object.entries(positive)) {
    if (!Number.isInteger(value) || value < 1) throw new BusConfigError(`subscribe option ${name} must be a positive integer, got ${value}`);
  }
  if (settings.backoffMs.length === 0 || settings.backoffMs.some((ms) => !(ms >= 0))) {
    throw new BusConfigError('subscribe option backoffMs must be a non-empty list of delays >= 0');
  }
  return settings;
}

export interface RunSubscriptionOptions {
  topic: string;
  subscription: string;
  handler: Handler;
  settings: SubscriptionSettings;
  /** The bus's publish, for dead letters. */
  publish: (request: PublishRequest) => Promise<PublishResult>;
  logger: BusLogger;
  source: DeliverySource;
  /** `messaging.system` on the delivery spans. */
  system?: MessagingSystem;
}

/**
 * Starts a subscriber: the one place every adapter's subscribe goes through. It wraps the handler
 * in the bus's own middleware (tracing outermost, then dead-letter, then the caller's), pulls from
 * `source` through a pull window no larger than the dispatcher can hold (pull-window.ts), and on
 * `close()` stops pulling, waits for what is held (up to `drainTimeoutMs`) and flushes the acks
 * before resolving.
 */
export function runSubscription(options: RunSubscriptionOptions): Subscriber {
  const { topic, subscription, settings, logger, source } = options;
  const logFields = { topic, subscription };
  const handler = wrapHandler(options);
  const { concurrency, backoffMs } = settings;
  const dispatcher = new Dispatcher({ handler, concurrency, backoffMs, logger, logFields, onSettled: () => pullWindow.notify() });
  const pullWindow = new PullWindow({ source, dispatcher, concurrency, logger, logFields });
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await pullWindow.stop();
        await dispatcher.drain(settings.drainTimeoutMs);
        await source.flush();
      })();
      return closing;
    },
  };
}

/**
 * The handler as the bus runs it: the bus's own middleware (tracing outermost, so a delivery's span
 * covers its dead-lettering and records the outcome; then dead-letter; then the caller's) around
 * `handler`. Every delivery path goes through it, pull and push alike, so a message is dead-lettered
 * and traced the same way however it arrived: a returned promise that resolves means ack, one that
 * rejects means redeliver.
 */
export function wrapHandler(
  options: Pick<RunSubscriptionOptions, 'subscription' | 'handler' | 'settings' | 'publish' | 'logger' | 'system'>,
): Handler {
  const { subscription, settings, logger } = options;
  const chain: Middleware[] = [
    tracing({ subscription, ...(options.system ? { system: options.system } : {}) }),
    deadLetter({ subscription, maxDeliver: settings.maxDeliver, publish: recordingDeadLetters(options.publish), logger }),
    ...settings.middleware,
  ];
  return chain.reduceRight<Handler>((next, middleware) => middleware(next), options.handler);
}
