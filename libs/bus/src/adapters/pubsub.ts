import { PubSub, v1, type ClientConfig, type Topic } from '@google-cloud/pubsub';
import { TOPIC_DEFAULTS } from '../defaults.ts';
import { BusClosedError, BusConfigError, BusUnavailableError, errorMessage } from '../errors.ts';
import { attachExtensions } from '../extensions.ts';
import { tracedPublish } from '../middleware/tracing.ts';
import { validatePublishRequest, validateReplayFrom, validateSubscription, validateTopic } from '../names.ts';
import { resolveSubscribeOptions, runSubscription, wrapHandler } from '../subscription.ts';
import { OpenSubscribers } from '../open-subscribers.ts';
import type {
  Bus,
  BusCapabilities,
  BusLogger,
  CreateBusOptions,
  Handler,
  Message,
  PublishRequest,
  PublishResult,
  ReplayFrom,
  SubscribeOptions,
  Subscriber,
} from '../types.ts';
import { AttemptCounter } from './pubsub/attempts.ts';
import { toOutgoing } from './pubsub/codec.ts';
import { PubSubDeadLetterStore } from './pubsub/dead-letters.ts';
import { PubSubNames } from './pubsub/names.ts';
import { peekTopic } from './pubsub/peek.ts';
import { GRPC, grpcCode, PubSubProvisioner } from './pubsub/provision.ts';
import { PubSubPushReceiver } from './pubsub/push.ts';
import { PubSubSnapshots, seek, seekRequest } from './pubsub/replay.ts';
import { PubSubMonitoringStats } from './pubsub/stats.ts';
import { PUBSUB_TIMINGS, pubsubCapabilities, resolvePubSubSettings, type PubSubSettings } from './pubsub/settings.ts';
import { PubSubDeliverySource } from './pubsub/source.ts';

/** The clients one bus uses: the library's publisher (batching, ordering keys) and the generated admin/pull clients. */
interface Clients {
  pubsub: PubSub;
  publisher: v1.PublisherClient;
  subscriber: v1.SubscriberClient;
}

/**
 * Connects to Google Pub/Sub (or to the emulator at `pubsub.emulatorHost`) and returns the bus.
 * Throws BusConfigError when no project can be found, BusUnavailableError when the server does not
 * answer. Names, settings and what is created: pubsub/names.ts, pubsub/provision.ts.
 */
export async function createPubSubBus(options: CreateBusOptions, logger: BusLogger): Promise<Bus> {
  const settings = resolvePubSubSettings(options.pubsub, options.topics?.maxAgeMs ?? TOPIC_DEFAULTS.maxAgeMs);
  const clients = await connect(settings);
  const project = await clients.pubsub.getClientConfig().then(
    (config) => config.projectId,
    () => undefined,
  );
  if (!project) {
    await clients.pubsub.close();
    throw new BusConfigError('no Google Cloud project: set PUBSUB_PROJECT or GOOGLE_CLOUD_PROJECT');
  }
  const bus = new PubSubBus(clients, new PubSubNames(project, options.topicPrefix), settings, logger);
  try {
    await bus.ping();
  } catch (error) {
    await bus.close();
    throw error;
  }
  return bus;
}

async function connect(settings: PubSubSettings): Promise<Clients> {
  const config: ClientConfig = { projectId: settings.projectId };
  if (settings.emulatorHost !== undefined) {
    // emulatorMode: plaintext; universeDomain: stops google-auth from probing the metadata server for credentials.
    Object.assign(config, { apiEndpoint: settings.emulatorHost, emulatorMode: true, universeDomain: 'googleapis.com' });
  }
  const pubsub = new PubSub(config);
  // The generated clients take the library's resolved options (endpoint, credentials, project); its
  // `port` is typed loosely but always a number once resolved.
  const clientConfig = (await pubsub.getClientConfig().catch(() => pubsub.options)) as ConstructorParameters<typeof v1.SubscriberClient>[0];
  return { pubsub, publisher: new v1.PublisherClient(clientConfig), subscriber: new v1.SubscriberClient(clientConfig) };
}

class PubSubBus implements Bus {
  readonly capabilities: BusCapabilities;
  readonly #clients: Clients;
  readonly #names: PubSubNames;
  readonly #settings: PubSubSettings;
  readonly #logger: BusLogger;
  readonly #provisioner: PubSubProvisioner;
  readonly #attempts = new AttemptCounter();
  readonly #push: PubSubPushReceiver | undefined;
  readonly #topics = new Map<string, Topic>();
  readonly #subscribers = new OpenSubscribers();
  /** Closing: no new subscriptions, but draining handlers may still publish (their results, dead letters). */
  #closing = false;
  #closed = false;

  constructor(clients: Clients, names: PubSubNames, settings: PubSubSettings, logger: BusLogger) {
    this.#clients = clients;
    this.#names = names;
    this.#settings = settings;
    this.#logger = logger;
    this.capabilities = pubsubCapabilities(settings);
    this.#provisioner = new PubSubProvisioner(clients, names, settings);
    const emulator = settings.emulatorHost !== undefined;
    if (settings.mode === 'push') {
      this.#push = new PubSubPushReceiver({ auth: settings.pushAuth, emulator, names, attempts: this.#attempts, logger });
    }
    const snapshots = new PubSubSnapshots(clients.subscriber, names, (topic, subscription) => this.ensureSubscription(topic, subscription));
    attachExtensions(this, { snapshots, ...(this.#push ? { push: this.#push } : {}) });
    // The emulator has no Monitoring API, and counting by pulling would count as delivery attempts (pubsub/stats.ts).
    if (!emulator) attachExtensions(this, { stats: new PubSubMonitoringStats(names) });
    attachExtensions(this, { deadLetters: new PubSubDeadLetterStore(clients.subscriber, names) });
  }

  /** One cheap admin read; any answer from the server (even "permission denied") means it is reachable. */
  async ping(): Promise<void> {
    this.#assertOpen('ping');
    try {
      await this.#clients.publisher.listTopics({ project: this.#names.projectPath, pageSize: 1 }, { autoPaginate: false, timeout: 5_000 });
    } catch (error) {
      const code = grpcCode(error);
      if (code === GRPC.UNAVAILABLE || code === GRPC.DEADLINE_EXCEEDED || code === undefined) {
        throw new BusUnavailableError(`cannot reach Pub/Sub${this.#where()}: ${errorMessage(error)}`, { cause: error });
      }
    }
  }

  async ensureSubscription(topic: string, subscription: string): Promise<void> {
    this.#assertOpen('ensure a subscription');
    validateTopic(topic);
    validateSubscription(subscription);
    if (this.#settings.provision === 'auto') await this.#provisioner.ensureSubscription(topic, subscription);
  }

  /** Publishes with the id in `mobius-message-id`; a topic deleted under a long-lived bus is recreated once. */
  async publish(request: PublishRequest): Promise<PublishResult> {
    this.#assertOpen('publish');
    validatePublishRequest(request);
    return tracedPublish('gcp_pubsub', request, (attributes) => this.#send(request, attributes));
  }

  /** The publish itself, with the attributes tracing settled (the PRODUCER span's `traceparent` added). */
  async #send(request: PublishRequest, attributes: Record<string, string>): Promise<PublishResult> {
    const message = toOutgoing(request, attributes);
    for (let attempt = 1; ; attempt += 1) {
      if (this.#settings.provision === 'auto') await this.#provisioner.ensureTopic(request.topic);
      const topic = this.#topic(request.topic);
      try {
        await topic.publishMessage(message);
        return { duplicate: false };
      } catch (error) {
        // A failed ordering key is paused by the client until resumed; the caller's retry resumes it.
        if (message.orderingKey !== undefined) topic.resumePublishing(message.orderingKey);
        const missing = grpcCode(error) === GRPC.NOT_FOUND;
        if (missing) this.#provisioner.forgetTopic(request.topic);
        if (!missing || attempt >= 2 || this.#settings.provision === 'off') {
          throw new BusUnavailableError(`publish to ${topic.name} failed: ${errorMessage(error)}`, { cause: error });
        }
      }
    }
  }

  async subscribe(topic: string, subscription: string, handler: Handler, options?: SubscribeOptions): Promise<Subscriber> {
    this.#assertOpen('subscribe');
    if (this.#closing) throw new BusClosedError('subscribe');
    validateTopic(topic);
    validateSubscription(subscription);
    const settings = resolveSubscribeOptions(options);
    await this.ensureSubscription(topic, subscription);
    if (this.#push) await this.#provisioner.pointAtEndpoint(subscription);
    const publish = (request: PublishRequest) => this.publish(request);
    const running = this.#push
      ? this.#push.register(
          topic,
          subscription,
          wrapHandler({ subscription, handler, settings, publish, logger: this.#logger, system: 'gcp_pubsub' }),
          settings,
        )
      : runSubscription({
          topic,
          subscription,
          handler,
          settings,
          publish,
          logger: this.#logger,
          source: this.#source(topic, subscription, settings.ackWaitMs),
          system: 'gcp_pubsub',
        });
    return this.#subscribers.track(running);
  }

  async replay(topic: string, subscription: string, from: ReplayFrom): Promise<void> {
    this.#assertOpen('replay');
    validateTopic(topic);
    validateSubscription(subscription);
    validateReplayFrom(from);
    const request = seekRequest(this.#names, subscription, from, this.#settings.emulatorHost === undefined);
    await this.ensureSubscription(topic, subscription);
    await seek(this.#clients.subscriber, request);
  }

  async peek(topic: string, limit: number): Promise<Message[]> {
    this.#assertOpen('peek');
    validateTopic(topic);
    return peekTopic(this.#clients.subscriber, this.#names, topic, limit);
  }

  /** Drains every subscriber (their handlers may still publish), flushes publishes, then closes the clients. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#subscribers.closeAll();
    await Promise.all([...this.#topics.values()].map((topic) => topic.flush().catch(() => undefined)));
    this.#closed = true;
    await Promise.allSettled([this.#clients.subscriber.close(), this.#clients.publisher.close(), this.#clients.pubsub.close()]);
  }

  #source(topic: string, subscription: string, ackWaitMs: number): PubSubDeliverySource {
    return new PubSubDeliverySource({
      client: this.#clients.subscriber,
      subscription: this.#names.subscription(subscription),
      topic,
      ackWaitMs,
      settings: this.#settings,
      attempts: this.#attempts,
      logger: this.#logger,
    });
  }

  /** The library's publisher for a topic: batched briefly, ordering keys honoured. */
  #topic(topic: string): Topic {
    let handle = this.#topics.get(topic);
    if (!handle) {
      handle = this.#clients.pubsub.topic(this.#names.topic(topic), {
        messageOrdering: true,
        batching: { maxMilliseconds: PUBSUB_TIMINGS.publishBatchMs },
      });
      this.#topics.set(topic, handle);
    }
    return handle;
  }

  #where(): string {
    return this.#settings.emulatorHost ? ` emulator at ${this.#settings.emulatorHost}` : ` project ${this.#names.project}`;
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new BusClosedError(operation);
  }
}
