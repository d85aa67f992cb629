import { describePipelineScenario } from './support/pipeline-scenario.ts';
import { NATS_URL } from './support/pipeline.ts';

describePipelineScenario('NATS JetStream', 'e2enats', { BUS: 'nats', NATS_URL });
