import { snapshotCommand } from '../libs/cli/src/commands/snapshot.ts';
import { createServiceBus } from '@mobius/backends';
import { ReplayUnsupportedError, type Bus } from '@mobius/bus';
import { Received, bytes, publishBodies, randomToken, waitFor } from '@mobius/bus/testing';
import { loadBusConfig } from '@mobius/config';
import { SUBSCRIPTIONS } from '@mobius/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator } from './support/pubsub-emulator.ts';

// `mobius replay` and `mobius snapshot` on the Pub/Sub emulator, for the catalogue's `ingestor`
// subscription under this file's own TOPIC_PREFIX (one per test).
const emulatorHost = await ensurePubSubEmulator();
const base = `tpr${randomToken()}_`;
const { topic, name: subscription } = SUBSCRIPTIONS.ingestor;
const open: Bus[] = [];

function environment() {
  return { BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHost, PUBSUB_PROJECT, TOPIC_PREFIX: `${base}${randomToken()}_` };
}

/** The CLI's IO over `env`, recording its output. */
function cliIO(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

async function busFor(env: Record<string, string>): Promise<Bus> {
  const bus = await createServiceBus('test', loadBusConfig('test', env));
  open.push(bus);
  return bus;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});
afterAll(() => deletePubSubResources(base));

describe('mobius snapshot and replay on Pub/Sub (emulator)', () => {
  it('marks a point with a snapshot and replays exactly what came after it to the running consumer', async () => {
    const env = environment();
    const bus = await busFor(env);
    const received = new Received();
    await bus.subscribe(topic, subscription, received.handler(), { concurrency: 1 });
    await publishBodies(bus, topic, ['before-1', 'before-2'], { idPrefix: 'early' });
    await received.atLeast(2);
    await sleep(200); // the acks reach the emulator: the snapshot must not hold these messages

    const created = cliIO(env);
    await snapshotCommand('create', { subscription, name: 'before-deploy' }, created.io);
    expect(created.out[0]).toMatch(/^created snapshot before-deploy of ingestor, expires \d{4}-/);
    await publishBodies(bus, topic, ['after-1', 'after-2'], { idPrefix: 'late' });
    await received.atLeast(4);

    const listed = cliIO(env);
    await snapshotCommand('list', { subscription }, listed.io);
    // On the emulator the bus also took `mobius-origin` when it created the subscription: its "beginning".
    expect(listed.out).toEqual([expect.stringMatching(/^before-deploy\texpires \d{4}-/), expect.stringMatching(/^mobius-origin\texpires \d{4}-/)]);

    const replay = await mobius(['replay', '--subscription', subscription, '--from', 'snapshot:before-deploy'], env);
    expect([replay.code, problemsIn(replay.stderr)]).toEqual([0, []]);
    await received.atLeast(6, 'the replayed messages');
    await sleep(300);
    expect(received.bodies()).toEqual(['before-1', 'before-2', 'after-1', 'after-2', 'after-1', 'after-2']);
  });

  it('says clearly why seq:N and a time cannot be replayed on the emulator, and what to use instead', async () => {
    const env = environment();
    const sequence = await mobius(['replay', '--subscription', subscription, '--from', 'seq:5'], env);
    expect(sequence.code).toBe(1);
    expect(sequence.stderr).toMatch(/REPLAY_INPUT: BUS=pubsub has no message sequence numbers.*snapshot:NAME or beginning/);
    const time = await mobius(['replay', '--subscription', subscription, '--from', '2026-01-01T00:00:00Z'], env);
    expect(time.code).toBe(1);
    expect(time.stderr).toMatch(/cannot seek ingestor to a time here \(the Pub\/Sub emulator answers seek\(time\) UNIMPLEMENTED/);
  });

  it('sends the time seek to the emulator, which answers UNIMPLEMENTED, as a non-retryable BUS_REPLAY_UNSUPPORTED', async () => {
    const bus = await busFor(environment());
    const replay = bus.replay(topic, subscription, { kind: 'time', time: new Date(Date.now() - 60_000) });
    await expect(replay).rejects.toBeInstanceOf(ReplayUnsupportedError);
    await expect(replay).rejects.toMatchObject({ code: 'BUS_REPLAY_UNSUPPORTED', retryable: false });
  });

  it('refuses a snapshot name taken, a snapshot that does not exist, and snapshots on another bus', async () => {
    const env = environment();
    await snapshotCommand('create', { subscription, name: 'twice' }, cliIO(env).io);
    await expect(snapshotCommand('create', { subscription, name: 'twice' }, cliIO(env).io)).rejects.toThrow(
      /snapshot twice of ingestor already exists/,
    );
    const missing = await mobius(['replay', '--subscription', subscription, '--from', 'snapshot:never-made'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/BUS_CONFIG_INVALID: cannot seek: snapshot .*ingestor~never-made does not exist/);
    const nats = { ...env, BUS: 'nats' };
    await expect(snapshotCommand('list', { subscription }, cliIO(nats).io)).rejects.toThrow(/snapshots need BUS=pubsub \(BUS is nats\)/);
    const onNats = await mobius(['replay', '--subscription', subscription, '--from', 'snapshot:x', '--dry-run'], nats);
    expect(onNats.stdout).toMatch(/would replay ingestor on .* from snapshot x \(bus nats\)/);
  });

  it("lists only the subscription's own snapshots, and creates one with a dated default name", async () => {
    const env = environment();
    const dated = cliIO(env);
    await snapshotCommand('create', { subscription: 'chat-sync' }, dated.io);
    expect(dated.out[1]).toMatch(/^rewind to it with: mobius replay --subscription chat-sync --from snapshot:before-\d{8}T\d{6}Z --force$/);
    const [chatSync, vertexSync] = [cliIO(env), cliIO(env)];
    await snapshotCommand('list', { subscription: 'chat-sync' }, chatSync.io);
    await snapshotCommand('list', { subscription: 'vertex-sync' }, vertexSync.io);
    expect(chatSync.out.map((line) => line.split('\t')[0])).toEqual([expect.stringMatching(/^before-\d{8}T\d{6}Z$/), 'mobius-origin']);
    expect(vertexSync.out.map((line) => line.split('\t')[0])).toEqual(['mobius-origin']);
  });

  it('replays from the beginning through the subscription’s origin snapshot, even with nothing pending', async () => {
    const env = environment();
    const bus = await busFor(env);
    await bus.ensureSubscription(topic, subscription);
    await bus.publish({ topic, id: 'first-ever', data: bytes('first') });
    const received = new Received();
    await bus.subscribe(topic, subscription, received.handler());
    await received.atLeast(1);
    const replay = await mobius(['replay', '--subscription', subscription, '--from', 'beginning'], env);
    expect([replay.code, problemsIn(replay.stderr)]).toEqual([0, []]);
    await waitFor('the replayed message', () => received.messages.length >= 2);
    expect(received.messages.map((m) => [m.id, m.deliveryAttempt])).toEqual([
      ['first-ever', 1],
      ['first-ever', 1],
    ]);
  });
});
