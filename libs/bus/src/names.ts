import { BusConfigError, InvalidPublishError } from './errors.ts';
import type { PublishRequest, ReplayFrom } from './types.ts';

/**
 * Naming and request rules every adapter shares, so a name that works on memory works on NATS and Pub/Sub:
 * topics are dot-separated tokens of letters, digits, `_` and `-` (`rag.publish_events`);
 * subscriptions are one such token (`mart-builder`); TOPIC_PREFIX is made of the same characters
 * and may end with `.` (`staging.`) or `_` (`t42_`).
 */
const TOKEN = '[A-Za-z0-9_-]+';
const TOPIC_PATTERN = new RegExp(`^${TOKEN}(\\.${TOKEN})*$`);
const SUBSCRIPTION_PATTERN = new RegExp(`^${TOKEN}$`);
const PREFIX_PATTERN = new RegExp(`^(${TOKEN}\\.?)*$`);

/** Throws BusConfigError unless `prefix` is a valid TOPIC_PREFIX ('' included). */
export function validateTopicPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new BusConfigError(`TOPIC_PREFIX ${JSON.stringify(prefix)} may only hold letters, digits, '_', '-' and single dots`);
  }
}

/** Throws BusConfigError unless `topic` is a valid unprefixed topic name. */
export function validateTopic(topic: string): void {
  if (!TOPIC_PATTERN.test(topic)) {
    throw new BusConfigError(`topic ${JSON.stringify(topic)} must be dot-separated tokens of letters, digits, '_' and '-'`);
  }
}

/** Throws BusConfigError unless `subscription` is a valid subscription name. */
export function validateSubscription(subscription: string): void {
  if (!SUBSCRIPTION_PATTERN.test(subscription)) {
    throw new BusConfigError(`subscription ${JSON.stringify(subscription)} may only hold letters, digits, '_' and '-'`);
  }
}

/**
 * The dead-letter topic of a subscription: `<topic>.dlq.<subscription>`, the rule of `deadLetterTopic`
 * in @mobius/contracts (which takes only catalogue topics). A normal topic: `peek` reads it.
 */
export function deadLetterTopicOf(topic: string, subscription: string): string {
  return `${topic}.dlq.${subscription}`;
}

/** The header NATS adapters carry the ordering key in; reserved, like every `Nats-` header. */
export const ORDERING_KEY_HEADER = 'Mobius-Ordering-Key';

const HEADER_NAME = /^[!-9;-~]+$/;

/**
 * Throws InvalidPublishError for what a transport cannot carry faithfully: an empty id or ordering key, attribute names
 * that are not printable ASCII without `:`, reserved names (`Nats-*`, the ordering-key header), and
 * values with CR/LF or edge whitespace (NATS headers drop the one and trim the other).
 */
export function validatePublishRequest(request: PublishRequest): void {
  validateTopic(request.topic);
  if (request.id.length === 0) throw new InvalidPublishError(`publish to ${request.topic}: message id is empty`);
  if (request.orderingKey === '') throw new InvalidPublishError(`publish to ${request.topic}: orderingKey is empty`);
  if (request.orderingKey !== undefined) checkAttributeValue(request.topic, 'orderingKey', request.orderingKey);
  for (const [name, value] of Object.entries(request.attributes ?? {})) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name) || lower.startsWith('nats-') || lower === ORDERING_KEY_HEADER.toLowerCase()) {
      throw new InvalidPublishError(`publish to ${request.topic}: attribute name ${JSON.stringify(name)} is invalid or reserved`);
    }
    checkAttributeValue(request.topic, name, value);
  }
}

function checkAttributeValue(topic: string, name: string, value: string): void {
  if (/[\r\n]/.test(value) || value.trim() !== value) {
    throw new InvalidPublishError(`publish to ${topic}: ${name} must not contain CR/LF or start or end with whitespace`);
  }
}

/** Throws BusConfigError for a replay start no backend can use (a sequence below 1, an invalid date). */
export function validateReplayFrom(from: ReplayFrom): void {
  if (from.kind === 'sequence' && !(Number.isInteger(from.sequence) && from.sequence >= 1)) {
    throw new BusConfigError(`replay sequence must be an integer >= 1, got ${from.sequence}`);
  }
  if (from.kind === 'time' && Number.isNaN(from.time.getTime())) throw new BusConfigError('replay time is not a valid date');
}
