export { CANARY } from './canary.ts';
export { CE, decodeEvent, encodeEvent, type EncodeOptions, type EncodedEvent } from './cloudevents.ts';
export {
  EMBEDDING_PROBLEM_CODES,
  embeddingProblem,
  type EmbeddingProblem,
  type EmbeddingProblemCode,
} from './embedding-check.ts';
export { InvalidEventError, MobiusError } from './errors.ts';
export {
  EVENTS,
  landingIngestedV1,
  martUpdatedV1,
  ragPublishEventV1,
  type EventDefinition,
  type LandingIngested,
  type MartUpdated,
  type RagPublishEvent,
} from './events.ts';
export {
  CHAT_COLUMNS,
  CHAT_COLUMN_NAMES,
  PUBLISHED_COLUMNS,
  PUBLISHED_COLUMN_NAMES,
  contentSha,
  type PublishedColumn,
  type PublishedRow,
  type UtcTimestamp,
} from './published-row.ts';
export {
  ALL_SUBSCRIPTIONS,
  SUBSCRIPTIONS,
  TOPICS,
  deadLetterTopic,
  findSubscription,
  prefixed,
  type SubscriptionSpec,
  type TopicName,
} from './topics.ts';
export {
  VECTOR_HASH_CATALOGUE,
  VECTOR_HASH_COLUMNS,
  chatRowHashSql,
  vectorRowHashSql,
  type TimestampStorage,
} from './row-hash.ts';
