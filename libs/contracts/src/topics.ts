/**
 * The one catalogue of topics and subscriptions (docs/architecture.md, "The pipeline"). Names here are
 * unprefixed; `prefixed()` applies TOPIC_PREFIX so several environments can share one server.
 */
export const TOPICS = {
  ragPublishEvents: 'rag.publish_events',
  landingIngested: 'warehouse.landing_ingested',
  martUpdated: 'warehouse.mart_updated',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface SubscriptionSpec {
  name: string;
  topic: TopicName;
}

export const SUBSCRIPTIONS = {
  ingestor: { name: 'ingestor', topic: TOPICS.ragPublishEvents },
  martBuilder: { name: 'mart-builder', topic: TOPICS.landingIngested },
  chatSync: { name: 'chat-sync', topic: TOPICS.martUpdated },
  vertexSync: { name: 'vertex-sync', topic: TOPICS.martUpdated },
} as const satisfies Record<string, SubscriptionSpec>;

export const ALL_SUBSCRIPTIONS: readonly SubscriptionSpec[] = Object.values(SUBSCRIPTIONS);

/** Finds a subscription of the catalogue by name (the CLI's `--subscription`). */
export function findSubscription(name: string): SubscriptionSpec | undefined {
  return ALL_SUBSCRIPTIONS.find((s) => s.name === name);
}

/** The dead-letter topic of a subscription: `<topic>.dlq.<subscription>`. */
export function deadLetterTopic(subscription: SubscriptionSpec): string {
  return `${subscription.topic}.dlq.${subscription.name}`;
}

/** `name` with the environment's TOPIC_PREFIX (default empty) in front. */
export function prefixed(prefix: string, name: string): string {
  return `${prefix}${name}`;
}
