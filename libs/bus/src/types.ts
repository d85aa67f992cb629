/**
 * The Bus port. Topic and subscription names given to it are UNPREFIXED catalogue names
 * (`rag.publish_events`, `ingestor`); every adapter applies its TOPIC_PREFIX to every topic,
 * subscription, stream and consumer it creates, so environments sharing a server never meet.
 */

/** What an adapter can do, so the one conformance suite runs what applies (Watermill style). */
export interface BusCapabilities {
  /** Messages survive a process restart (a new Bus instance sees unacked messages). */
  persistent: boolean;
  /** Messages with the same ordering key are delivered in publish order. */
  ordered: boolean;
  /** The same message id published twice within the dedupe window is delivered once. */
  dedupe: boolean;
  replayFromBeginning: boolean;
  replayFromSequence: boolean;
  replayFromTime: boolean;
}

export interface PublishRequest {
  /** Unprefixed topic name. */
  topic: string;
  /** Message id: the dedupe key (NATS `Nats-Msg-Id`, Pub/Sub attribute). Derive it from the source of truth. */
  id: string;
  data: Uint8Array;
  /** CloudEvents attributes and traceparent; strings only. */
  attributes?: Record<string, string>;
  /** Messages sharing a key are delivered in order where `capabilities.ordered`. */
  orderingKey?: string;
}

export interface PublishResult {
  /** True when the bus recognised the id as already published and stored nothing new. */
  duplicate: boolean;
  /** The backend's position of the message in its topic, where it has one (JetStream stream sequence). */
  sequence?: number;
}

/** A delivered message. Handlers must not ack: returning resolves it, throwing rejects it. */
export interface Message {
  id: string;
  topic: string;
  data: Uint8Array;
  attributes: Record<string, string>;
  orderingKey?: string;
  /** 1 on first delivery, then 2, 3, ... */
  deliveryAttempt: number;
  publishedAt: Date;
  sequence?: number;
}

/**
 * Handles one message. Resolve only once the message's effect is durably committed: the bus then
 * acks. Throw to reject: an error with `retryable === false` is dead-lettered at once; any other
 * error is retried with backoff and dead-lettered after `maxDeliver` attempts.
 */
export type Handler = (message: Message) => Promise<void>;

/** A handler wrapper: retry, dead-letter, tracing and validation are middleware, one file each. */
export type Middleware = (next: Handler) => Handler;

export interface SubscribeOptions {
  /** Deliveries before a retryable failure is dead-lettered. */
  maxDeliver?: number;
  /** Redelivery delay after attempt n is backoffMs[min(n-1, len-1)]. */
  backoffMs?: number[];
  /** How long a delivery may stay unacked before the server redelivers it (a dead consumer's messages). */
  ackWaitMs?: number;
  /** Messages handled at once by this subscriber. */
  concurrency?: number;
  /** Extra middleware, outermost first, inside the bus's own dead-letter handling. */
  middleware?: Middleware[];
  /**
   * (Added.) How long `close()` waits for in-flight handlers. Past it, the messages still held are given
   * back unacked (redelivered at once elsewhere) and `close()` resolves, so a hung handler cannot stop
   * a SIGTERM shutdown; a late result of such a handler is ignored, never acked.
   */
  drainTimeoutMs?: number;
}

/** A running subscriber. `close()` stops pulling, waits for in-flight handlers, then returns. */
export interface Subscriber {
  close(): Promise<void>;
}

/** Where a replay starts. */
export type ReplayFrom = { kind: 'beginning' } | { kind: 'sequence'; sequence: number } | { kind: 'time'; time: Date };

/** What a dead-lettered message carries, besides its original body and attributes. */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: 'mobius-dlq-reason',
  code: 'mobius-dlq-code',
  attempts: 'mobius-dlq-attempts',
  subscription: 'mobius-dlq-subscription',
  originalTopic: 'mobius-dlq-original-topic',
  originalId: 'mobius-dlq-original-id',
  /**
   * (Added.) When the original message was published to its topic (ISO-8601): the earliest its first
   * failure can have been, shown by `mobius dlq list` as the first failure (the dead letter's own
   * publish time is the last).
   */
  originalPublishedAt: 'mobius-dlq-original-published-at',
} as const;

export interface Bus {
  readonly capabilities: BusCapabilities;
  /**
   * Creates (idempotently) the topic and the subscription with its dead-letter topic. Call it before
   * anything is published that the subscription must receive: on Pub/Sub a subscription gets only
   * what is published once it exists (JetStream and memory also deliver earlier messages).
   */
  ensureSubscription(topic: string, subscription: string): Promise<void>;
  publish(request: PublishRequest): Promise<PublishResult>;
  /** Runs `handler` for every message of `subscription` on `topic`, until closed. */
  subscribe(topic: string, subscription: string, handler: Handler, options?: SubscribeOptions): Promise<Subscriber>;
  /**
   * Rewinds `subscription` so that every message from `from` on is delivered again. Messages in
   * flight at that moment may be delivered twice; consumers are idempotent.
   */
  replay(topic: string, subscription: string, from: ReplayFrom): Promise<void>;
  /**
   * Reads (without consuming) up to `limit` messages of a topic, oldest first: for `mobius dlq list`.
   * A peeked message was not delivered, so its `deliveryAttempt` is 0. An unknown topic reads as empty.
   */
  peek(topic: string, limit: number): Promise<Message[]>;
  /** Resolves when the backend answers a round trip (NATS: server and JetStream); for `/readyz`. */
  ping(): Promise<void>;
  /** Closes every subscriber (draining) and the connection. */
  close(): Promise<void>;
}

/**
 * (Added.) Where the bus logs what it cannot report to a caller (a failed handler before its retry, a
 * subscriber re-attaching after a replay). pino loggers fit as they are.
 */
export interface BusLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** (Added.) How a topic's storage is configured. NATS applies all of it; memory honours `duplicateWindowMs`; Pub/Sub `maxAgeMs` (subscription retention, 10 min to 7 days). */
export interface TopicSettings {
  /** Copies of each stream (NATS `num_replicas`): 1 on a single server, 3 in production clusters. */
  replicas: number;
  /** How long messages are kept for replay and `peek` (NATS `max_age`). */
  maxAgeMs: number;
  /** Two publishes with the same message id within this window store one message (NATS `duplicate_window`). */
  duplicateWindowMs: number;
}

/** (Added.) What `createBus` takes: which adapter, where its server is, and the environment's prefix. */
export interface CreateBusOptions {
  kind: 'nats' | 'memory' | 'pubsub';
  /** NATS server URL(s), comma separated; default `nats://127.0.0.1:4222`. Ignored by memory. */
  natsUrl?: string;
  /** Google Pub/Sub settings (`kind: 'pubsub'`); every one has a default in `PUBSUB_DEFAULTS`. */
  pubsub?: PubSubOptions;
  /** TOPIC_PREFIX: prepended to every topic, subscription, stream and consumer name ('' for none). */
  topicPrefix: string;
  logger?: BusLogger;
  /** Storage settings of topics this bus creates; defaults in `TOPIC_DEFAULTS`. Existing streams are not altered. */
  topics?: Partial<TopicSettings>;
}

/**
 * (Added.) How the Pub/Sub adapter reaches its project and configures the subscriptions it creates.
 * Defaults (commented) are in `PUBSUB_DEFAULTS` (adapters/pubsub/settings.ts).
 */
export interface PubSubOptions {
  /** PUBSUB_PROJECT, else GOOGLE_CLOUD_PROJECT; unset: the client library finds it (metadata server, ADC). */
  projectId?: string;
  /** PUBSUB_EMULATOR_HOST (`host:port`): talk plaintext to Google's emulator instead of the cloud. */
  emulatorHost?: string;
  /** `pull` (GKE, local): subscribers pull. `push` (Cloud Run): `subscribe` registers for `POST /pubsub/push`. */
  mode?: 'pull' | 'push';
  /** `auto`: create topics, subscriptions and snapshots at start; `off`: they exist (`mobius pubsub provision`). */
  provision?: 'auto' | 'off';
  /** Subscription ack deadline; each subscriber narrows its own deliveries to its `ackWaitMs`. */
  ackDeadlineSeconds?: number;
  /** Pub/Sub's retry policy: the backoff after a nack or an expired deadline (push mode's only backoff). */
  minBackoffSeconds?: number;
  maxBackoffSeconds?: number;
  /** Pub/Sub's own dead-letter policy, a safety net behind the bus's (5..100, above every `maxDeliver`). */
  maxDeliveryAttempts?: number;
  /** Flow control: messages and bytes one subscriber holds unsettled at most. */
  maxOutstandingMessages?: number;
  maxOutstandingBytes?: number;
  /** Keep acked messages for the retention period, so a subscription can be rewound (seek) to a time. */
  retainAckedMessages?: boolean;
  /** Push mode with provisioning: the service's base URL; its subscriptions push to `<url>/pubsub/push`. */
  pushEndpoint?: string;
  /** Push mode: the endpoint's authentication, applied by `registerPushEndpoint` (@mobius/service). */
  pushAuth?: PushAuthSettings;
}

/** (Added.) How a push endpoint authenticates Pub/Sub: a Google-signed OIDC token, or nothing (emulator, loopback). */
export type PushAuthSettings = { kind: 'none' } | { kind: 'oidc'; audience: string; serviceAccountEmail: string };
