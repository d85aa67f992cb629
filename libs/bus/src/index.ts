import { BusConfigError } from './errors.ts';
import { validateTopicPrefix } from './names.ts';
import type { Bus, BusLogger, CreateBusOptions } from './types.ts';

export {
  DEAD_LETTER_ATTRIBUTES,
  type Bus,
  type BusCapabilities,
  type BusLogger,
  type CreateBusOptions,
  type Handler,
  type Message,
  type Middleware,
  type PubSubOptions,
  type PublishRequest,
  type PublishResult,
  type PushAuthSettings,
  type ReplayFrom,
  type SubscribeOptions,
  type Subscriber,
  type TopicSettings,
} from './types.ts';
export {
  BusClosedError,
  BusConfigError,
  BusError,
  BusUnavailableError,
  DeadLetterFailedError,
  InvalidMessageError,
  InvalidPublishError,
  PushEnvelopeError,
  PushUnavailableError,
  ReplayUnsupportedError,
  isRetryable,
} from './errors.ts';
export {
  deadLettersOf,
  pushReceiverOf,
  snapshotsOf,
  subscriptionStatsOf,
  type DeadLetterStore,
  type PushReceiver,
  type SnapshotInfo,
  type SnapshotOperations,
  type SubscriptionStats,
  type SubscriptionStatsReader,
} from './extensions.ts';
export { PUBSUB_DEFAULTS } from './adapters/pubsub/settings.ts';
export { deadLetterCounts, type DeadLetterCount } from './dead-letter-counts.ts';
export { FAILURE_ATTRIBUTE_NAMES, PUBSUB_DEAD_LETTER_POLICY_ATTRIBUTES, deadLetterInfo, type DeadLetterInfo } from './dead-letter-info.ts';
export { SUBSCRIBE_DEFAULTS, TOPIC_DEFAULTS } from './defaults.ts';
export { deadLetterTopicOf } from './names.ts';
export { deadLetter, deadLetterRequest, type DeadLetterOptions } from './middleware/dead-letter.ts';
export { retry, RETRY_DEFAULTS, type RetryOptions } from './middleware/retry.ts';
export {
  currentTraceparent,
  onDeliveryOutcome,
  tracing,
  TRACEPARENT,
  type DeliveryOutcome,
  type MessagingSystem,
  type TracingOptions,
} from './middleware/tracing.ts';
export { validation } from './middleware/validation.ts';

/** Logs nothing: the default when no logger is given. */
const silentLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates the bus `options.kind` names: `nats` (JetStream at `natsUrl`), `pubsub` (Google Pub/Sub or
 * its emulator, `options.pubsub`) or `memory` (in-process). The adapter is imported on demand, so
 * memory users never load a client. Throws BusConfigError for an invalid TOPIC_PREFIX or setting,
 * BusUnavailableError when the server cannot be reached.
 */
export async function createBus(options: CreateBusOptions): Promise<Bus> {
  validateTopicPrefix(options.topicPrefix);
  const logger = options.logger ?? silentLogger;
  switch (options.kind) {
    case 'memory': {
      const { createMemoryBus } = await import('./adapters/memory.ts');
      return createMemoryBus(options, logger);
    }
    case 'nats': {
      const { createNatsBus } = await import('./adapters/nats.ts');
      return createNatsBus(options, logger);
    }
    case 'pubsub': {
      const { createPubSubBus } = await import('./adapters/pubsub.ts');
      return createPubSubBus(options, logger);
    }
    default:
      throw new BusConfigError(`unknown bus kind ${JSON.stringify((options as { kind: unknown }).kind)} (expected nats, pubsub or memory)`);
  }
}
