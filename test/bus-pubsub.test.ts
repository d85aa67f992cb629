import { createBus, type BusCapabilities } from '@mobius/bus';
import { randomToken, runBusConformance } from '@mobius/bus/testing';
import { afterAll } from 'vitest';
import { PUBSUB_PROJECT, deletePubSubResources, ensurePubSubEmulator } from './support/pubsub-emulator.ts';

// The Pub/Sub adapter against Google's Pub/Sub emulator: the same conformance suite as NATS and
// memory. Every name this file creates starts with its own TOPIC_PREFIX base; afterAll deletes them.
const emulatorHost = await ensurePubSubEmulator();
const base = `tbp${randomToken()}_`;

/**
 * What the Pub/Sub adapter declares on the emulator; the suite checks the bus reports exactly this.
 * No dedupe (Pub/Sub does not dedupe by id), no sequences; replay from the beginning through the
 * `mobius-origin` snapshot, but not from a time: the emulator answers seek(time) UNIMPLEMENTED.
 */
const emulatorCapabilities: BusCapabilities = {
  persistent: true,
  ordered: true,
  dedupe: false,
  replayFromBeginning: true,
  replayFromSequence: false,
  replayFromTime: false,
};

afterAll(() => deletePubSubResources(base));

runBusConformance(
  'pubsub (emulator)',
  (prefix) => createBus({ kind: 'pubsub', topicPrefix: prefix, pubsub: { emulatorHost, projectId: PUBSUB_PROJECT } }),
  { capabilities: emulatorCapabilities, prefixBase: `${base}c`, extensions: { deadLetters: true } },
);
