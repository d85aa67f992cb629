import type { Bus, PushAuthSettings } from './types.ts';

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

const snapshots = new WeakMap<Bus, SnapshotOperations>();
const receivers = new WeakMap<Bus, PushReceiver>();

/** The bus's snapshot operations, or undefined where the adapter has none (NATS, memory). */
export function snapshotsOf(bus: Bus): SnapshotOperations | undefined {
  return snapshots.get(bus);
}

/** The bus's push receiver, or undefined unless it is a Pub/Sub bus in push mode. */
export function pushReceiverOf(bus: Bus): PushReceiver | undefined {
  return receivers.get(bus);
}

/** For adapters: attaches their extensions to the bus they return. */
export function attachExtensions(bus: Bus, extensions: { snapshots?: SnapshotOperations; push?: PushReceiver }): void {
  if (extensions.snapshots) snapshots.set(bus, extensions.snapshots);
  if (extensions.push) receivers.set(bus, extensions.push);
}
