export {
  martUpdatedMessage,
  publishRun,
  sinkConformance,
  type SinkFixture,
  type SinkHarness,
  type SinkRefusal,
  type SinkWrites,
} from './conformance.ts';
