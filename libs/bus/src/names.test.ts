import { ALL_SUBSCRIPTIONS, deadLetterTopic } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import { BusConfigError, InvalidPublishError } from './errors.ts';
import { deadLetterTopicOf, validatePublishRequest, validateSubscription, validateTopic, validateTopicPrefix } from './names.ts';
import type { PublishRequest } from './types.ts';

describe('bus naming rules', () => {
  it('names dead-letter topics exactly as the contracts catalogue does', () => {
    for (const subscription of ALL_SUBSCRIPTIONS) {
      expect(deadLetterTopicOf(subscription.topic, subscription.name)).toBe(deadLetterTopic(subscription));
    }
  });

  it('accepts the catalogue names and usual prefixes, and refuses names NATS subjects cannot hold', () => {
    for (const subscription of ALL_SUBSCRIPTIONS) {
      expect(() => validateTopic(subscription.topic)).not.toThrow();
      expect(() => validateSubscription(subscription.name)).not.toThrow();
    }
    for (const prefix of ['', 'staging.', 't42_', 'dev-']) expect(() => validateTopicPrefix(prefix)).not.toThrow();
    for (const prefix of ['has space', '.leading', 'double..dot', 'wild*']) {
      expect(() => validateTopicPrefix(prefix)).toThrow(BusConfigError);
    }
    expect(() => validateTopic('rag..publish')).toThrow(BusConfigError);
    expect(() => validateTopic('rag.>')).toThrow(BusConfigError);
    expect(() => validateSubscription('chat.sync')).toThrow(BusConfigError);
  });

  it('refuses publishes a transport would alter: empty ids, reserved or malformed attributes', () => {
    const base: PublishRequest = { topic: 'rag.publish_events', id: 'e-1', data: new Uint8Array() };
    expect(() => validatePublishRequest(base)).not.toThrow();
    const invalid: PublishRequest[] = [
      { ...base, id: '' },
      { ...base, orderingKey: '' },
      { ...base, attributes: { 'Nats-Msg-Id': 'x' } },
      { ...base, attributes: { 'mobius-ordering-key': 'x' } },
      { ...base, attributes: { 'bad name': 'x' } },
      { ...base, attributes: { reason: 'two\nlines' } },
      { ...base, attributes: { reason: ' padded ' } },
    ];
    for (const request of invalid) expect(() => validatePublishRequest(request)).toThrow(InvalidPublishError);
  });
});
