import { DEAD_LETTER_ATTRIBUTES, createBus, deadLetterTopicOf, type Bus } from '@mobius/bus';
import { peekAtLeast, randomToken } from '@mobius/bus/testing';
import { ALL_SUBSCRIPTIONS, CE, EVENTS } from '@mobius/contracts';
import { createLogger, createMetrics } from '@mobius/service';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp as chatSyncApp } from '../services/chat-sync/src/app.ts';
import { buildApp as ingestorApp, startConsumer as startIngestor } from '../services/ingestor/src/app.ts';
import { buildApp as martBuilderApp, startConsumer as startMartBuilder } from '../services/mart-builder/src/app.ts';
import { buildApp as vertexSyncApp } from '../services/vertex-sync/src/app.ts';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator } from './support/pubsub-emulator.ts';

// Every consumer service answers POST /pubsub/push when its bus is in push mode, and only then, with
// the handler it subscribes: a malformed event pushed to it is dead-lettered by its own validation
// with the reason attached, and acked (204). The apps get no database: the message never gets that far.
const emulatorHost = await ensurePubSubEmulator();
const base = `tps${randomToken()}_`;
const buses: Bus[] = [];
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await deletePubSubResources(base);
});

async function busWithPrefix(mode: 'pull' | 'push', name: string) {
  const prefix = `${base}${mode}${name.replace('-', '')}_`;
  const bus = await createBus({ kind: 'pubsub', topicPrefix: prefix, pubsub: { emulatorHost, projectId: PUBSUB_PROJECT, mode } });
  buses.push(bus);
  return { bus, prefix };
}

const deps = (name: string, bus: Bus) => ({ bus, logger: createLogger(name, 'silent'), metrics: createMetrics(name), readiness: [] }) as never;

/** Each service: how its app is built, and how its consumer starts (main.ts, or the app's onReady hook). */
const services: { name: string; build: (bus: Bus) => FastifyInstance; start: (bus: Bus) => Promise<unknown> }[] = [
  { name: 'ingestor', build: (bus) => ingestorApp(deps('ingestor', bus)), start: (bus) => startIngestor(deps('ingestor', bus)) },
  { name: 'mart-builder', build: (bus) => martBuilderApp(deps('mart-builder', bus)), start: (bus) => startMartBuilder(deps('mart-builder', bus)) },
  { name: 'chat-sync', build: (bus) => chatSyncApp(deps('chat-sync', bus)), start: async () => undefined },
  { name: 'vertex-sync', build: (bus) => vertexSyncApp(deps('vertex-sync', bus)), start: async () => undefined },
];

describe('the push route of every consumer service', () => {
  for (const { name, build, start } of services) {
    it(`${name} runs its own handler chain on POST /pubsub/push in push mode, and has no such route in pull mode`, async () => {
      expect(build((await busWithPrefix('pull', name)).bus).hasRoute({ method: 'POST', url: '/pubsub/push' })).toBe(false);

      const { bus, prefix } = await busWithPrefix('push', name);
      const app = build(bus);
      await start(bus);
      await app.ready();
      const envelope = {
        subscription: `projects/${PUBSUB_PROJECT}/subscriptions/${prefix}${name}`,
        message: {
          messageId: '1',
          publishTime: new Date().toISOString(),
          data: Buffer.from('{not json').toString('base64'),
          attributes: { 'mobius-message-id': `bad-${name}`, ...cloudEvent(name) },
        },
      };
      const response = await app.inject({ method: 'POST', url: '/pubsub/push', payload: envelope });
      expect(response.statusCode).toBe(204);
      const [dead] = await peekAtLeast(bus, deadLetterTopicOf(topicOf(name), name), 1);
      expect(dead).toMatchObject({ id: `bad-${name}`, attributes: { [DEAD_LETTER_ATTRIBUTES.subscription]: name } });
      expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toMatch(/JSON/);
      await app.close();
    });
  }
});

/** The CloudEvents attributes of the event the subscription takes, so only the body is wrong. */
function cloudEvent(subscription: string): Record<string, string> {
  const event = { ingestor: EVENTS.ragPublishEvent, 'mart-builder': EVENTS.landingIngested }[subscription] ?? EVENTS.martUpdated;
  return { [CE.type]: event.type, [CE.specversion]: '1.0', [CE.source]: '/push-test', [CE.id]: `bad-${subscription}` };
}

function topicOf(subscription: string): string {
  return ALL_SUBSCRIPTIONS.find((s) => s.name === subscription)!.topic;
}
