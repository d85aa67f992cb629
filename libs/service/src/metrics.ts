import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every service exposes on `/metrics`, on a registry of its own. */
export interface ServiceMetrics {
  registry: Registry;
  /** Messages handled, by subscription and outcome (`ack`, `retry`, `dead_letter`). */
  messages: Counter<'subscription' | 'outcome'>;
  /** Handler time per message. */
  handlerSeconds: Histogram<'subscription'>;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const messages = new Counter({
    name: 'mobius_messages_total',
    help: 'Messages handled by outcome',
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
  return { registry, messages, handlerSeconds };
}
