import type { protos, v1 } from '@google-cloud/pubsub';
import { BusConfigError, BusUnavailableError, errorMessage } from '../../errors.ts';
import { deadLetterTopicOf } from '../../names.ts';
import { ORIGIN_SNAPSHOT, type PubSubNames } from './names.ts';
import type { PubSubSettings } from './settings.ts';

type ISubscription = protos.google.pubsub.v1.ISubscription;

/** The gRPC status codes the adapter acts on. */
export const GRPC = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
} as const;

/** The gRPC status code of `error`, if it has one. */
export function grpcCode(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Creates topics, subscriptions and snapshots idempotently (several processes may at once: an
 * ALREADY_EXISTS answer is success). Every topic gets its `~peek` subscription when it is created, so
 * `peek` sees everything published to it from then on. A subscription gets ordering, the ack
 * deadline, the retry policy, Pub/Sub's dead-letter policy onto `<topic>.dlq.<subscription>`, retention,
 * no expiry; where seek to a time is missing (the emulator), the `mobius-origin` snapshot taken
 * right after creation is its "beginning". An existing subscription keeps its settings (operators
 * may have tuned them); `pointAtEndpoint` turns one into a push subscription.
 */
export class PubSubProvisioner {
  readonly #publisher: v1.PublisherClient;
  readonly #subscriber: v1.SubscriberClient;
  readonly #names: PubSubNames;
  readonly #settings: PubSubSettings;
  /** Topics (unprefixed) this process has seen exist; dropped when a publish to one fails. */
  readonly #topics = new Map<string, Promise<void>>();
  readonly #subscriptions = new Map<string, Promise<void>>();

  constructor(clients: { publisher: v1.PublisherClient; subscriber: v1.SubscriberClient }, names: PubSubNames, settings: PubSubSettings) {
    this.#publisher = clients.publisher;
    this.#subscriber = clients.subscriber;
    this.#names = names;
    this.#settings = settings;
  }

  /** Makes sure the topic and its peek subscription exist (once per process, unless forgotten). */
  ensureTopic(topic: string): Promise<void> {
    return this.#once(this.#topics, topic, () => this.#createTopic(topic));
  }

  /** Forgets that the topic exists (it may have been deleted): the next `ensureTopic` creates it again. */
  forgetTopic(topic: string): void {
    this.#topics.delete(topic);
  }

  /** Makes sure the subscription, its topic, its dead-letter topic (with their peek subscriptions) exist. */
  ensureSubscription(topic: string, subscription: string): Promise<void> {
    return this.#once(this.#subscriptions, `${topic}\n${subscription}`, async () => {
      await this.ensureTopic(topic);
      await this.ensureTopic(deadLetterTopicOf(topic, subscription));
      await this.#createSubscription(topic, subscription);
    });
  }

  async #createTopic(topic: string): Promise<void> {
    const name = this.#names.topic(topic);
    await this.#create(`topic ${name}`, () => this.#publisher.createTopic({ name }));
    const peek: ISubscription = {
      name: this.#names.peekSubscription(topic),
      topic: name,
      ackDeadlineSeconds: 10,
      messageRetentionDuration: { seconds: this.#settings.retentionSeconds },
      expirationPolicy: {},
    };
    await this.#create(`subscription ${peek.name}`, () => this.#subscriber.createSubscription(peek));
  }

  async #createSubscription(topic: string, subscription: string): Promise<void> {
    const config = this.subscriptionConfig(topic, subscription);
    const created = await this.#create(`subscription ${config.name}`, () => this.#subscriber.createSubscription(config));
    if (!created) await this.#reconcile(config);
    if (this.#settings.emulatorHost !== undefined) {
      const snapshot = this.#names.snapshot(subscription, ORIGIN_SNAPSHOT);
      await this.#create(`snapshot ${snapshot}`, () => this.#subscriber.createSnapshot({ name: snapshot, subscription: config.name ?? '' }));
    }
  }

  /** The subscription the bus creates for `subscription` on `topic`. */
  subscriptionConfig(topic: string, subscription: string): ISubscription {
    const s = this.#settings;
    const config: ISubscription = {
      name: this.#names.subscription(subscription),
      topic: this.#names.topic(topic),
      ackDeadlineSeconds: s.ackDeadlineSeconds,
      enableMessageOrdering: true,
      retainAckedMessages: s.retainAckedMessages,
      messageRetentionDuration: { seconds: s.retentionSeconds },
      expirationPolicy: {},
      retryPolicy: { minimumBackoff: { seconds: s.minBackoffSeconds }, maximumBackoff: { seconds: s.maxBackoffSeconds } },
      deadLetterPolicy: { deadLetterTopic: this.#names.topic(deadLetterTopicOf(topic, subscription)), maxDeliveryAttempts: s.maxDeliveryAttempts },
    };
    return config;
  }

  /**
   * Push mode with an endpoint: points the subscription at `<endpoint>/pubsub/push` with the OIDC token
   * Pub/Sub signs for it. Only for subscriptions this process subscribes to (every service provisions
   * the whole catalogue, but pushes must reach the service that handles them).
   */
  async pointAtEndpoint(subscription: string): Promise<void> {
    const wanted = this.#pushConfig();
    if (!wanted || this.#settings.provision === 'off') return;
    const name = this.#names.subscription(subscription);
    const [existing] = await this.#call(`read subscription ${name}`, () => this.#subscriber.getSubscription({ subscription: name }));
    if (existing.pushConfig?.pushEndpoint === wanted.pushEndpoint && existing.pushConfig?.oidcToken?.audience === wanted.oidcToken?.audience) return;
    await this.#call(`point ${name} at ${wanted.pushEndpoint}`, () => this.#subscriber.modifyPushConfig({ subscription: name, pushConfig: wanted }));
  }

  /** Push mode with an endpoint: where the subscription pushes, and the OIDC token Pub/Sub signs for it. */
  #pushConfig(): protos.google.pubsub.v1.IPushConfig | undefined {
    const { mode, pushEndpoint, pushAuth } = this.#settings;
    if (mode !== 'push' || pushEndpoint === undefined) return undefined;
    const push: protos.google.pubsub.v1.IPushConfig = { pushEndpoint: `${pushEndpoint.replace(/\/+$/, '')}/pubsub/push` };
    if (pushAuth.kind === 'oidc') push.oidcToken = { serviceAccountEmail: pushAuth.serviceAccountEmail, audience: pushAuth.audience };
    return push;
  }

  /** An existing subscription must be on the right topic (a name reused for another topic is a configuration error). */
  async #reconcile(config: ISubscription): Promise<void> {
    const [existing] = await this.#call(`read subscription ${config.name}`, () =>
      this.#subscriber.getSubscription({ subscription: config.name ?? '' }),
    );
    if (existing.topic !== config.topic) {
      throw new BusConfigError(`subscription ${config.name} is on ${existing.topic}, not ${config.topic}`);
    }
  }

  /** Runs a create call; resolves true when it created, false when it already existed. */
  async #create(what: string, call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (grpcCode(error) === GRPC.ALREADY_EXISTS) return false;
      throw provisionError(`create ${what}`, error);
    }
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw provisionError(what, error);
    }
  }

  #once(cache: Map<string, Promise<void>>, key: string, create: () => Promise<void>): Promise<void> {
    let ensured = cache.get(key);
    if (!ensured) {
      ensured = create();
      ensured.catch(() => cache.delete(key));
      cache.set(key, ensured);
    }
    return ensured;
  }
}

/** A refused admin call is configuration (missing role: provision with `mobius`); anything else may pass. */
function provisionError(what: string, error: unknown): Error {
  if (grpcCode(error) === GRPC.PERMISSION_DENIED) {
    return new BusConfigError(
      `cannot ${what}: permission denied. Grant the Pub/Sub Editor role, or set PUBSUB_PROVISION=off and run \`mobius pubsub provision\``,
      { cause: error },
    );
  }
  return new BusUnavailableError(`cannot ${what}: ${errorMessage(error)}`, { cause: error });
}
