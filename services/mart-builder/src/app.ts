import { randomUUID } from 'node:crypto';
import { currentTraceparent, type Bus, type Subscriber } from '@mobius/bus';
import { EVENTS, SUBSCRIPTIONS, TOPICS, decodeEvent, encodeEvent, type MartUpdated } from '@mobius/contracts';
import {
  MicroBatcher,
  buildServiceApp,
  consumerMetrics,
  registerPushEndpoint,
  type ItemOutcome,
  type Logger,
  type ReadinessCheck,
  type ServiceMetrics,
} from '@mobius/service';
import { captureTraceContext, withBatchSpan, type TraceContext } from '@mobius/telemetry';
import type { Warehouse } from '@mobius/warehouse';
import { buildMart, type BuildMartDeps } from './handlers/build-mart.ts';

export interface MartBuilderDeps {
  bus: Bus;
  warehouse: Warehouse;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: ReadinessCheck[];
}

/** Triggers handled at once: they coalesce, since merges are serialized and each merges all pending. */
export const MART_CONCURRENCY = 16;
/**
 * Triggers arriving within this window start one mart run (which merges everything pending anyway):
 * fewer runs waiting on the merge lock, and one run span linking to every trigger it answers.
 */
export const MART_TRIGGER_BATCH = { maxItems: MART_CONCURRENCY, maxWaitMs: 10 } as const;

export function buildApp(deps: MartBuilderDeps) {
  const app = buildServiceApp({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness });
  registerPushEndpoint(app, deps.bus); // BUS_MODE=push: the consumer's handler also answers POST /pubsub/push
  return app;
}

/**
 * Announces a run with id `mart-run-<n>-<random>`. The id is unique per announcement on purpose: a
 * warehouse rebuilt for a replay numbers its runs from 1 again, and an id of the run number alone
 * would make the bus drop those announcements as duplicates of the first pass's (within its dedupe
 * window), leaving the sinks behind. An announcement repeated after all costs a sink one no-op run.
 */
function announcer(bus: Bus) {
  return async (event: MartUpdated) => {
    const traceparent = currentTraceparent();
    const encoded = encodeEvent(EVENTS.martUpdated, event, {
      id: `mart-run-${event.run_id}-${randomUUID()}`,
      ...(traceparent ? { traceparent } : {}),
    });
    await bus.publish({ topic: TOPICS.martUpdated, ...encoded });
  };
}

/**
 * Runs the mart once for a batch of triggers, in a span `mart-builder run` that links to every
 * trigger's delivery span (the child of the first one's); the mart_updated event it announces
 * carries this span's context. Every trigger shares the run's outcome.
 */
function runForTriggers(deps: BuildMartDeps, metrics: ServiceMetrics) {
  return async (triggers: TraceContext[]): Promise<ItemOutcome[]> => {
    metrics.batchSize.observe({ batch: 'mart-builder' }, triggers.length);
    await withBatchSpan('mart-builder run', triggers, () => buildMart(deps));
    return triggers.map(() => ({ ok: true }));
  };
}

/** Subscribes the mart-builder to warehouse.landing_ingested. */
export async function startConsumer(deps: MartBuilderDeps): Promise<Subscriber> {
  const { name, topic } = SUBSCRIPTIONS.martBuilder;
  const buildDeps = { warehouse: deps.warehouse, logger: deps.logger, announce: announcer(deps.bus) };
  const triggers = new MicroBatcher<TraceContext>(runForTriggers(buildDeps, deps.metrics), MART_TRIGGER_BATCH);
  await deps.bus.ensureSubscription(topic, name);
  // Catch up at start: batches landed while no instance ran are merged now, not at the next trigger.
  void buildMart(buildDeps).catch((error: unknown) => deps.logger.warn({ err: error }, 'catch-up at start failed'));
  return deps.bus.subscribe(
    topic,
    name,
    async (message) => {
      decodeEvent(EVENTS.landingIngested, message);
      await triggers.add(captureTraceContext());
    },
    { concurrency: MART_CONCURRENCY, middleware: [consumerMetrics(name, deps.metrics, deps.logger)] },
  );
}
