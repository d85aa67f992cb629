import { createServer } from 'node:net';
import { createBus, currentTraceparent, DEAD_LETTER_ATTRIBUTES, deadLetterTopicOf, InvalidMessageError, type Bus, type Message } from '@mobius/bus';
import { Received, bytes, peekAtLeast, randomToken, text } from '@mobius/bus/testing';
import { buildServiceApp, createLogger, createMetrics, registerPushEndpoint } from '@mobius/service';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator, readSubscription } from './support/pubsub-emulator.ts';
import { mintToken, pushClaims, testSigner, unsignedToken } from './support/push-tokens.ts';

// Push mode (Cloud Run) on the emulator: the emulator's own push delivery to a local fastify server,
// and the OIDC check against tokens minted here with a test key the verifier is pointed at.
const emulatorHost = await ensurePubSubEmulator();
const base = `tpp${randomToken()}_`;
const topic = 'warehouse.mart_updated';
const subscription = 'chat-sync';
const audience = 'https://chat-sync-abc123-ew.a.run.app/pubsub/push';
const pusher = 'pubsub-push@acme-prod.iam.gserviceaccount.com';
const opened: { bus: Bus; app: FastifyInstance }[] = [];

afterEach(async () => {
  for (const { bus, app } of opened.splice(0)) {
    await app.close();
    await bus.close();
  }
});
afterAll(() => deletePubSubResources(base));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type PushAuth = NonNullable<NonNullable<Parameters<typeof createBus>[0]['pubsub']>['pushAuth']>;

/** A service-like app in push mode: `buildServiceApp` + the push endpoint, over a push-mode Pub/Sub bus. */
async function pushService(pushAuth: PushAuth, port?: number) {
  const prefix = `${base}${randomToken()}_`;
  const pubsub = {
    emulatorHost,
    projectId: PUBSUB_PROJECT,
    mode: 'push' as const,
    pushAuth,
    ...(port ? { pushEndpoint: `http://127.0.0.1:${port}` } : {}),
  };
  const bus = await createBus({ kind: 'pubsub', topicPrefix: prefix, pubsub });
  const app = buildServiceApp({ logger: createLogger('push-test', 'silent'), metrics: createMetrics('push-test'), readiness: [] });
  opened.push({ bus, app });
  return { bus, app, subscriptionPath: `projects/${PUBSUB_PROJECT}/subscriptions/${prefix}${subscription}` };
}

describe('push mode: the emulator pushes to POST /pubsub/push', () => {
  it('points the subscription at the endpoint and runs the same handler chain as pull mode: message, attributes, trace context', async () => {
    const port = await freePort();
    const { bus, app, subscriptionPath } = await pushService({ kind: 'none' }, port);
    expect(registerPushEndpoint(app, bus)).toBe(true);
    const traces: (string | undefined)[] = [];
    const received = new Received();
    await bus.subscribe(
      topic,
      subscription,
      received.handler(async () => void traces.push(currentTraceparent())),
    );
    await app.listen({ port, host: '127.0.0.1' });
    expect((await readSubscription(subscriptionPath)).pushConfig?.pushEndpoint).toBe(`http://127.0.0.1:${port}/pubsub/push`);

    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const attributes = { 'ce-type': 'mobius.warehouse.mart_updated.v1', 'ce-id': 'mart-run-7', traceparent };
    await bus.publish({ topic, id: 'mart-run-7', data: bytes('{"run_id":7}'), attributes, orderingKey: 'mart' });
    await received.atLeast(1, 'the pushed message');
    // (The emulator's push envelope carries no orderingKey, the cloud's does: the OIDC test below covers it.)
    expect(received.messages[0]).toMatchObject({ id: 'mart-run-7', topic, attributes, deliveryAttempt: 1 });
    expect(text(received.messages[0] as Message)).toBe('{"run_id":7}');
    expect(traces).toEqual([traceparent]);
  });

  // Two tests, not one: with message ordering enabled, the emulator also pushes again messages that
  // were acked in the same batch as a nacked one (the cloud does not do this to messages without a key).
  it('answers 5xx for a failure, so Pub/Sub pushes the message again', async () => {
    const port = await freePort();
    const { bus, app } = await pushService({ kind: 'none' }, port);
    registerPushEndpoint(app, bus);
    const received = new Received();
    const failFirst = received.handler(async (message) => {
      if (message.deliveryAttempt === 1) throw Object.assign(new Error('warehouse busy'), { code: 'WAREHOUSE_DOWN' });
    });
    await bus.subscribe(topic, subscription, failFirst, { maxDeliver: 5 });
    await app.listen({ port, host: '127.0.0.1' });
    await bus.publish({ topic, id: 'flaky', data: bytes('{"run_id":8}') });
    await received.atLeast(2, 'the message pushed again');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received.messages.map((m) => [m.id, m.deliveryAttempt])).toEqual([
      ['flaky', 1],
      ['flaky', 2],
    ]);
  });

  it('dead-letters with its reason, and acks, a pushed message that can never succeed', async () => {
    const port = await freePort();
    const { bus, app } = await pushService({ kind: 'none' }, port);
    registerPushEndpoint(app, bus);
    const received = new Received();
    await bus.subscribe(
      topic,
      subscription,
      received.handler(async () => {
        throw new InvalidMessageError('run_id is missing');
      }),
    );
    await app.listen({ port, host: '127.0.0.1' });
    await bus.publish({ topic, id: 'poison', data: bytes('{}'), attributes: { 'ce-source': '/test' } });
    const [dead] = await peekAtLeast(bus, deadLetterTopicOf(topic, subscription), 1);
    expect(dead).toMatchObject({
      id: 'poison',
      attributes: { 'ce-source': '/test', [DEAD_LETTER_ATTRIBUTES.reason]: 'run_id is missing', [DEAD_LETTER_ATTRIBUTES.code]: 'MESSAGE_INVALID' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received.messages.map((m) => [m.id, m.deliveryAttempt])).toEqual([['poison', 1]]);
  });

  it('refuses pushes for a subscription this process does not handle, and bodies that are no push envelope', async () => {
    const { bus, app } = await pushService({ kind: 'none' });
    registerPushEndpoint(app, bus);
    await bus.subscribe(topic, subscription, async () => undefined);
    const envelope = {
      subscription: `projects/${PUBSUB_PROJECT}/subscriptions/elsewhere`,
      message: { messageId: '1', publishTime: new Date().toISOString(), data: '' },
    };
    const unknown = await app.inject({ method: 'POST', url: '/pubsub/push', payload: envelope });
    expect([unknown.statusCode, unknown.json().error.code, unknown.headers['retry-after']]).toEqual([503, 'PUSH_UNAVAILABLE', '1']);
    const garbage = await app.inject({ method: 'POST', url: '/pubsub/push', payload: { message: 'nope' } });
    expect([garbage.statusCode, garbage.json().error.code]).toEqual([400, 'PUSH_ENVELOPE_INVALID']);
  });

  it('adds no push endpoint to a bus in pull mode', async () => {
    const bus = await createBus({ kind: 'pubsub', topicPrefix: `${base}pull_`, pubsub: { emulatorHost, projectId: PUBSUB_PROJECT } });
    const app = buildServiceApp({ logger: createLogger('push-test', 'silent'), metrics: createMetrics('push-test'), readiness: [] });
    opened.push({ bus, app });
    expect(registerPushEndpoint(app, bus)).toBe(false);
    expect((await app.inject({ method: 'POST', url: '/pubsub/push', payload: {} })).statusCode).toBe(404);
  });
});

describe('push mode: the OIDC token of every push is verified', () => {
  const google = testSigner('test-key-1');
  const impostor = testSigner('test-key-1');

  async function oidcService() {
    const service = await pushService({ kind: 'oidc', audience, serviceAccountEmail: pusher });
    registerPushEndpoint(service.app, service.bus, { certs: async () => google.certs });
    const received = new Received();
    await service.bus.subscribe(topic, subscription, received.handler());
    return { ...service, received };
  }

  it('acks a push signed by the configured service account for the configured audience', async () => {
    const { app, received, subscriptionPath } = await oidcService();
    const response = await app.inject({
      method: 'POST',
      url: '/pubsub/push',
      headers: { authorization: `Bearer ${mintToken(google, pushClaims(audience, pusher))}` },
      payload: envelopeFor(subscriptionPath),
    });
    expect(response.statusCode).toBe(204);
    expect(received.messages).toMatchObject([{ id: 'run-1', orderingKey: 'mart', deliveryAttempt: 3, attributes: {} }]);
  });

  const rejected: [string, () => string | undefined, number, string][] = [
    ['no token', () => undefined, 401, 'PUSH_UNAUTHENTICATED'],
    [
      'a forged token (same key id, another key)',
      () => `Bearer ${mintToken(google, pushClaims(audience, pusher), impostor.privateKey)}`,
      401,
      'PUSH_UNAUTHENTICATED',
    ],
    [
      'an expired token',
      () => `Bearer ${mintToken(google, pushClaims(audience, pusher, { iat: nowS() - 7_200, exp: nowS() - 3_600 }))}`,
      401,
      'PUSH_UNAUTHENTICATED',
    ],
    ['an unsigned token (alg none)', () => `Bearer ${unsignedToken(google.kid, pushClaims(audience, pusher))}`, 401, 'PUSH_UNAUTHENTICATED'],
    [
      'a token with its signature stripped',
      () => `Bearer ${mintToken(google, pushClaims(audience, pusher)).replace(/\.[^.]+$/, '.')}`,
      401,
      'PUSH_UNAUTHENTICATED',
    ],
    [
      'a token not issued by Google',
      () => `Bearer ${mintToken(google, pushClaims(audience, pusher, { iss: 'https://evil.example' }))}`,
      401,
      'PUSH_UNAUTHENTICATED',
    ],
    [
      'a token for another audience',
      () => `Bearer ${mintToken(google, pushClaims('https://other-service.a.run.app', pusher))}`,
      403,
      'PUSH_FORBIDDEN',
    ],
    [
      'a token of another service account',
      () => `Bearer ${mintToken(google, pushClaims(audience, 'intruder@acme-prod.iam.gserviceaccount.com'))}`,
      403,
      'PUSH_FORBIDDEN',
    ],
    [
      'a token whose email is not verified',
      () => `Bearer ${mintToken(google, pushClaims(audience, pusher, { email_verified: false }))}`,
      403,
      'PUSH_FORBIDDEN',
    ],
  ];
  for (const [what, authorization, status, code] of rejected) {
    it(`refuses ${what} with ${status} and never runs the handler`, async () => {
      const { app, received, subscriptionPath } = await oidcService();
      const header = authorization();
      const response = await app.inject({
        method: 'POST',
        url: '/pubsub/push',
        headers: header ? { authorization: header } : {},
        payload: envelopeFor(subscriptionPath),
      });
      expect([response.statusCode, response.json().error.code]).toEqual([status, code]);
      expect(JSON.stringify(response.json())).not.toContain(header?.slice(7, 40) ?? 'no-token');
      expect(received.messages).toEqual([]);
    });
  }
});

const nowS = () => Math.floor(Date.now() / 1_000);

function envelopeFor(subscriptionPath: string) {
  return {
    subscription: subscriptionPath,
    deliveryAttempt: 3,
    message: {
      orderingKey: 'mart',
      messageId: '42',
      publishTime: new Date().toISOString(),
      data: Buffer.from('{"run_id":1}').toString('base64'),
      attributes: { 'mobius-message-id': 'run-1' },
    },
  };
}
