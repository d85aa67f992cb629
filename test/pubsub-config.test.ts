import { createServiceBus } from '@mobius/backends';
import { randomToken } from '@mobius/bus/testing';
import { loadBusConfig, type Env } from '@mobius/config';
import { afterAll, describe, expect, it } from 'vitest';
import { pubsubProvisionCommand } from '../libs/cli/src/commands/pubsub-provision.ts';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator, readSubscription } from './support/pubsub-emulator.ts';

// BUS=pubsub from the environment: zod checks each variable, createServiceBus the combinations, and
// a service's bus provisions the whole catalogue at start with the configured settings.
const emulatorHost = await ensurePubSubEmulator();
const base = `tpc${randomToken()}_`;
afterAll(() => deletePubSubResources(base));

const busFrom = async (env: Env) => {
  const bus = await createServiceBus('ingestor', loadBusConfig('ingestor', env));
  await bus.close();
};

describe('Pub/Sub configuration', () => {
  it('names the variable that is wrong', () => {
    const wrong: [Env, RegExp][] = [
      [{ PUBSUB_ACK_DEADLINE_SECONDS: '5' }, /ingestor config: PUBSUB_ACK_DEADLINE_SECONDS must be at least 10/],
      [{ PUBSUB_MAX_DELIVERY_ATTEMPTS: '500' }, /PUBSUB_MAX_DELIVERY_ATTEMPTS must be at most 100/],
      [{ PUBSUB_MAX_OUTSTANDING_BYTES: 'lots' }, /PUBSUB_MAX_OUTSTANDING_BYTES is not a number/],
      [{ PUBSUB_EMULATOR_HOST: 'http://localhost' }, /PUBSUB_EMULATOR_HOST must be host:port/],
      [{ PUBSUB_RETAIN_ACKED_MESSAGES: 'yes' }, /PUBSUB_RETAIN_ACKED_MESSAGES must be true or false/],
      [{ BUS_MODE: 'stream' }, /BUS_MODE/],
      [{ PUSH_AUTH: 'basic' }, /PUSH_AUTH/],
      [{ PUSH_SERVICE_ACCOUNT: 'not-an-email' }, /PUSH_SERVICE_ACCOUNT is not an email address/],
    ];
    for (const [env, message] of wrong) expect(() => loadBusConfig('ingestor', { BUS: 'pubsub', ...env })).toThrow(message);
  });

  it('refuses combinations that cannot work, naming the variable to set', async () => {
    const pubsub = { BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHost, TOPIC_PREFIX: `${base}x_` };
    await expect(busFrom({ BUS: 'nats', BUS_MODE: 'push' })).rejects.toThrow('ingestor config: BUS_MODE push needs BUS=pubsub (BUS is nats)');
    await expect(busFrom({ ...pubsub, BUS_MODE: 'push' })).rejects.toThrow(/PUSH_AUDIENCE is required with BUS_MODE=push and PUSH_AUTH=oidc/);
    await expect(busFrom({ ...pubsub, BUS_MODE: 'push', PUSH_AUDIENCE: 'https://x' })).rejects.toThrow(/PUSH_SERVICE_ACCOUNT is required/);
    await expect(busFrom({ ...pubsub, PUBSUB_MIN_BACKOFF_SECONDS: '90', PUBSUB_MAX_BACKOFF_SECONDS: '30' })).rejects.toThrow(
      /PUBSUB_MAX_BACKOFF_SECONDS must not be below PUBSUB_MIN_BACKOFF_SECONDS/,
    );
  });

  it('provisions every catalogue subscription at start, with the settings of the environment, in GOOGLE_CLOUD_PROJECT', async () => {
    const prefix = `${base}a${randomToken()}_`;
    await busFrom({
      BUS: 'pubsub',
      PUBSUB_EMULATOR_HOST: emulatorHost,
      GOOGLE_CLOUD_PROJECT: PUBSUB_PROJECT,
      TOPIC_PREFIX: prefix,
      PUBSUB_ACK_DEADLINE_SECONDS: '45',
      PUBSUB_MAX_DELIVERY_ATTEMPTS: '12',
      PUBSUB_MIN_BACKOFF_SECONDS: '2',
      PUBSUB_MAX_BACKOFF_SECONDS: '90',
    });
    for (const [subscription, topic] of [
      ['ingestor', 'rag.publish_events'],
      ['mart-builder', 'warehouse.landing_ingested'],
      ['chat-sync', 'warehouse.mart_updated'],
      ['vertex-sync', 'warehouse.mart_updated'],
    ]) {
      expect(await readSubscription(`projects/${PUBSUB_PROJECT}/subscriptions/${prefix}${subscription}`)).toMatchObject({
        topic: `projects/${PUBSUB_PROJECT}/topics/${prefix}${topic}`,
        ackDeadlineSeconds: 45,
        retryPolicy: { minimumBackoff: { seconds: '2' }, maximumBackoff: { seconds: '90' } },
        deadLetterPolicy: { deadLetterTopic: `projects/${PUBSUB_PROJECT}/topics/${prefix}${topic}.dlq.${subscription}`, maxDeliveryAttempts: 12 },
      });
    }
  });

  it('creates nothing with PUBSUB_PROVISION=off, leaving it to `mobius pubsub provision`', async () => {
    const prefix = `${base}o${randomToken()}_`;
    const env = { BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHost, PUBSUB_PROJECT, TOPIC_PREFIX: prefix, PUBSUB_PROVISION: 'off' };
    const subscription = `projects/${PUBSUB_PROJECT}/subscriptions/${prefix}ingestor`;
    await busFrom(env);
    await expect(readSubscription(subscription)).rejects.toMatchObject({ code: 5 });

    const out: string[] = [];
    const io = { env, out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    await pubsubProvisionCommand({ dryRun: true }, io);
    expect(out).toContain(`would create ${prefix}ingestor on ${prefix}rag.publish_events`);
    await expect(readSubscription(subscription)).rejects.toMatchObject({ code: 5 });
    await pubsubProvisionCommand({}, io);
    expect(out).toContain(`ok ${prefix}ingestor on ${prefix}rag.publish_events (dead letters: ${prefix}rag.publish_events.dlq.ingestor)`);
    expect((await readSubscription(subscription)).deadLetterPolicy?.deadLetterTopic).toBe(
      `projects/${PUBSUB_PROJECT}/topics/${prefix}rag.publish_events.dlq.ingestor`,
    );
    await expect(pubsubProvisionCommand({}, { ...io, env: { BUS: 'nats' } })).rejects.toThrow(/needs BUS=pubsub \(BUS is nats\)/);
  });
});
