import { NATS_URL } from './support/pipeline.ts';
import { PUBSUB_PROJECT, ensurePubSubEmulator } from './support/pubsub-emulator.ts';
import { describeStatusScenario } from './support/status-scenario.ts';

// `mobius status` on the pipeline's services as processes, once per shared bus, with the same scenario.
describeStatusScenario('NATS', 'statusnats', { BUS: 'nats', NATS_URL }, true);

const emulatorHost = await ensurePubSubEmulator();
describeStatusScenario('the Pub/Sub emulator', 'statuspubsub', { BUS: 'pubsub', PUBSUB_EMULATOR_HOST: emulatorHost, PUBSUB_PROJECT }, false);
