import { BusConfigError } from '../../errors.ts';

/**
 * How bus names map to Pub/Sub resources (TOPIC_PREFIX applied to all of them; Pub/Sub names allow
 * `.`, `-`, `_`, `~`, so catalogue names keep their form):
 * - topic          `${prefix}${topic}`                      e.g. `t42_rag.publish_events`
 * - dead letters   `${prefix}${topic}.dlq.${subscription}`  (a topic like any other)
 * - subscription   `${prefix}${subscription}`               e.g. `t42_ingestor`
 * - peek           `${prefix}${topic}~peek`: one per topic, never acked, read by `peek`
 * - snapshot       `${prefix}${subscription}~${name}`: snapshots are project-wide, so they carry
 *                  their subscription; `mobius-origin` is the one taken when the bus created it.
 * `~` appears in no catalogue name or prefix, so these never collide with a subscription.
 */
export class PubSubNames {
  readonly project: string;
  readonly prefix: string;

  constructor(project: string, prefix: string) {
    this.project = project;
    this.prefix = prefix;
  }

  topic(topic: string): string {
    return `projects/${this.project}/topics/${checked(`${this.prefix}${topic}`)}`;
  }

  subscription(subscription: string): string {
    return `projects/${this.project}/subscriptions/${checked(`${this.prefix}${subscription}`)}`;
  }

  peekSubscription(topic: string): string {
    return `projects/${this.project}/subscriptions/${checked(`${this.prefix}${topic}~peek`)}`;
  }

  snapshot(subscription: string, name: string): string {
    validateSnapshotName(name);
    return `projects/${this.project}/snapshots/${checked(`${this.prefix}${subscription}~${name}`)}`;
  }

  /** The snapshot name a full snapshot path of `subscription` was given, or undefined if it is not one of its. */
  snapshotNameOf(subscription: string, path: string): string | undefined {
    const start = `projects/${this.project}/snapshots/${this.prefix}${subscription}~`;
    return path.startsWith(start) ? path.slice(start.length) : undefined;
  }

  /** The unprefixed subscription of a full subscription path, or undefined if it is not in this project and prefix. */
  subscriptionNameOf(path: string): string | undefined {
    const start = `projects/${this.project}/subscriptions/${this.prefix}`;
    return path.startsWith(start) ? path.slice(start.length) : undefined;
  }

  /** The project's path, for listing. */
  get projectPath(): string {
    return `projects/${this.project}`;
  }
}

/** The snapshot the bus takes when it creates a subscription: the emulator's "beginning". */
export const ORIGIN_SNAPSHOT = 'mobius-origin';

const SNAPSHOT_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Throws BusConfigError unless `name` is a snapshot name the CLI accepts (letters, digits, `_`, `-`). */
export function validateSnapshotName(name: string): void {
  if (!SNAPSHOT_NAME.test(name)) {
    throw new BusConfigError(`snapshot name ${JSON.stringify(name)} may only hold letters, digits, '_' and '-' (at most 100)`);
  }
}

/** Pub/Sub's rule for resource ids: 3..255 characters, a letter first, never `goog` first. */
function checked(id: string): string {
  if (!/^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/.test(id) || id.toLowerCase().startsWith('goog')) {
    throw new BusConfigError(`Pub/Sub name ${JSON.stringify(id)} must start with a letter, not "goog", and be 3 to 255 characters`);
  }
  return id;
}
