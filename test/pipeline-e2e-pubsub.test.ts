import { describePipelineScenario } from './support/pipeline-scenario.ts';
import { PUBSUB_PROJECT, ensurePubSubEmulator } from './support/pubsub-emulator.ts';

// The pipeline's end-to-end scenario on Google's Pub/Sub emulator, with the same assertions as on NATS.
// Each run has its own TOPIC_PREFIX (createPipeline), so runs sharing the emulator never meet.
const emulatorHost = await ensurePubSubEmulator();

describePipelineScenario('the Pub/Sub emulator', 'e2epubsub', {
  BUS: 'pubsub',
  PUBSUB_EMULATOR_HOST: emulatorHost,
  PUBSUB_PROJECT,
});
