import type { Bus, Message, PushAuthSettings } from './types.ts';

/**
 * (Added.) What some adapters can do beyond the Bus port. They are reached through `snapshotsOf(bus)`
 * and `pushReceiverOf(bus)` rather than the port itself, so callers must say what they do when an
 * adapter has none (the CLI: "snapshots need BUS=pubsub").
 */

/** A named point a subscription can be rewound to (Pub/Sub snapshots). */
export interface SnapshotInfo {
  /** The name given at creation (without prefix and subscription). */
  name: string;
  /** Unprefixed subscription it belongs to. */
  subscription: string;
  /** When the backend deletes it (Pub/Sub: at most 7 days after creation, less with old unacked messages). */
  expiresAt: Date | undefined;
}

/** Snapshots of a subscription: mark a point before a risky deploy, rewind to it after. */
export interface SnapshotOperations {
  /** Captures the subscription's unacked messages and every later one under `name`. Fails if `name` exists. */
  create(topic: string, subscription: string, name: string): Promise<SnapshotInfo>;
  /** The subscription's snapshots, by name. */
  list(topic: string, subscription: string): Promise<SnapshotInfo[]>;
  /** Rewinds the subscription to the snapshot: what it captured is delivered again. */
  seek(topic: string, subscription: string, name: string): Promise<void>;
}

/**
 * Push delivery (Cloud Run): the bus in push mode does not pull; `subscribe` registers the handler
 * here instead, wrapped in the same middleware as a pulled message (dead-letter, tracing, the
 * caller's), and the service's `POST /pubsub/push` hands each request body to `deliver`.
 */
export interface PushReceiver {
  /** How the endpoint must authenticate requests (verified by @mobius/service before `deliver`). */
  readonly auth: PushAuthSettings;
  /** The bus talks to the emulator (which pushes without a token). */
  readonly emulator: boolean;
  /**
   * Handles one push envelope. Resolves once the handler chain resolved (handled, or dead-lettered by
   * the middleware): answer 2xx to ack. Rejects with PushEnvelopeError for a body that is no push
   * envelope (4xx), PushUnavailableError when no subscriber can take it now, or the handler's
   * retryable error (5xx: Pub/Sub redelivers with its retry policy, then dead-letters).
   */
  deliver(body: unknown): Promise<void>;
}

/**
 * A subscription's dead letters as data (`mobius dlq`): the messages of `<topic>.dlq.<subscription>`,
 * each with the attributes the dead-letter middleware added (DEAD_LETTER_ATTRIBUTES). Implemented by
 * the NATS and Pub/Sub adapters (and memory, for the conformance suite).
 */
export interface DeadLetterStore {
  /** The subscription's dead letters, oldest first, at most `limit`, without consuming them. */
  list(topic: string, subscription: string, limit: number): Promise<Message[]>;
  /** How many dead letters the subscription holds now. */
  count(topic: string, subscription: string): Promise<number>;
  /** Removes these dead letters (by message id) for good; returns how many were removed. */
  remove(topic: string, subscription: string, ids: readonly string[]): Promise<number>;
}

/** What a subscription has not yet handled (`mobius status`). */
export interface SubscriptionStats {
  /** Messages published to the topic that the subscription has not acknowledged (pending + in flight). */
  backlog: number;
  /** Age of the oldest unacknowledged message, in seconds; null when there is none or the backend cannot say. */
  oldestUnackedSeconds: number | null;
}

/** Backlog of subscriptions: JetStream consumer info on NATS; on Pub/Sub what the API or emulator can tell. */
export interface SubscriptionStatsReader {
  stats(topic: string, subscription: string): Promise<SubscriptionStats>;
}

const snapshots = new WeakMap<Bus, SnapshotOperations>();
const receivers = new WeakMap<Bus, PushReceiver>();
const deadLetterStores = new WeakMap<Bus, DeadLetterStore>();
const statsReaders = new WeakMap<Bus, SubscriptionStatsReader>();

/** The bus's dead-letter store, or undefined where the adapter has none. */
export function deadLettersOf(bus: Bus): DeadLetterStore | undefined {
  return deadLetterStores.get(bus);
}

/** The bus's subscription statistics, or undefined where the adapter has none. */
export function subscriptionStatsOf(bus: Bus): SubscriptionStatsReader | undefined {
  return statsReaders.get(bus);
}

/** The bus's snapshot operations, or undefined where the adapter has none (NATS, memory). */
export function snapshotsOf(bus: Bus): SnapshotOperations | undefined {
  return snapshots.get(bus);
}

/** The bus's push receiver, or undefined unless it is a Pub/Sub bus in push mode. */
export function pushReceiverOf(bus: Bus): PushReceiver | undefined {
  return receivers.get(bus);
}

/** For adapters: attaches their extensions to the bus they return. */
export function attachExtensions(
  bus: Bus,
  extensions: {
    snapshots?: SnapshotOperations;
    push?: PushReceiver;
    deadLetters?: DeadLetterStore;
    stats?: SubscriptionStatsReader;
  },
): void {
  if (extensions.snapshots) snapshots.set(bus, extensions.snapshots);
  if (extensions.push) receivers.set(bus, extensions.push);
  if (extensions.deadLetters) deadLetterStores.set(bus, extensions.deadLetters);
  if (extensions.stats) statsReaders.set(bus, extensions.stats);
}
