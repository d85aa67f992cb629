import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every service exposes on `/metrics`, on a registry of its own. */
export interface ServiceMetrics {
  registry: Registry;
  /**
   * Deliveries handled, by subscription and outcome: `ack` (handled), `retry` (failed, redelivered
   * later) or `dead_letter` (failed for good, sent to the subscription's dead-letter topic).
   */
  messages: Counter<'subscription' | 'outcome'>;
  /** Handler time per delivery. */
  handlerSeconds: Histogram<'subscription'>;
  /**
   * End-to-end lag of a handled message: from its CloudEvents `ce-time` (when the event happened; for
   * `rag.publish_events` the publish in RAG) until its effect was committed here.
   */
  eventLagSeconds: Histogram<'subscription'>;
  /** Items merged into one write or run (`ingestor`: events per landing write; `mart-builder`: triggers per mart run). */
  batchSize: Histogram<'batch'>;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const messages = new Counter({
    name: 'mobius_messages_total',
    help: 'Deliveries handled, by outcome (ack, retry, dead_letter)',
    labelNames: ['subscription', 'outcome'] as const,
    registers: [registry],
  });
  const handlerSeconds = new Histogram({
    name: 'mobius_handler_duration_seconds',
    help: 'Time to handle one message',
    labelNames: ['subscription'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const eventLagSeconds = new Histogram({
    name: 'mobius_event_lag_seconds',
    help: 'From the event time (ce-time) to its effect being committed by this subscription',
    labelNames: ['subscription'] as const,
    // From "at once" to "an outage was replayed": the interesting tail is minutes, not milliseconds.
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'mobius_batch_size',
    help: 'Items merged into one write or run',
    labelNames: ['batch'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  return { registry, messages, handlerSeconds, eventLagSeconds, batchSize };
}
