import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Metrics of items the pipeline sets aside instead of stopping for them (issue 12, "one bad item hurts
 * only itself"). Each service registers the ones it produces on its own registry, beside the
 * ServiceMetrics every service has.
 */

/** The rag outbox's quarantine: events the event schema refuses, which the relay will never send. */
export interface OutboxQuarantineMetrics {
  /** Events this instance quarantined since it started. */
  quarantined: Counter;
}

/**
 * Registers `mobius_outbox_quarantined_total` (events this instance quarantined) and
 * `mobius_outbox_quarantined_events` (quarantined `publish_events` rows now in the database, counted
 * by `countQuarantined` at each scrape, so it survives restarts and is the same on every instance).
 * A failed count leaves the gauge at its last value; readiness reports the database, not /metrics.
 */
export function registerOutboxQuarantineMetrics(registry: Registry, countQuarantined: () => Promise<number>): OutboxQuarantineMetrics {
  const quarantined = new Counter({
    name: 'mobius_outbox_quarantined_total',
    help: 'publish_events rows this instance quarantined because the event schema refuses them',
    registers: [registry],
  });
  new Gauge({
    name: 'mobius_outbox_quarantined_events',
    help: 'publish_events rows now quarantined (never relayed; see mobius resync --check)',
    registers: [registry],
    async collect() {
      try {
        this.set(await countQuarantined());
      } catch {
        // Keep the last value: a scrape must not fail because the database is briefly away.
      }
    },
  });
  return { quarantined };
}

const INVALID_ROWS = 'mobius_vertex_sync_invalid_rows_total';

/**
 * Registers (once per registry) `mobius_vertex_sync_invalid_rows_total{reason}`: live mart rows whose embedding cannot be a
 * datapoint (missing, wrong length, not finite), which vertex-sync skipped (and removed from the index)
 * while their metadata still reached Chat. `reason` is the stable code of the embedding check.
 */
export function registerInvalidDatapointMetrics(registry: Registry): Counter<'reason'> {
  const existing = registry.getSingleMetric(INVALID_ROWS);
  if (existing) return existing as Counter<'reason'>;
  return new Counter({
    name: INVALID_ROWS,
    help: 'Mart rows whose embedding cannot be a datapoint, skipped by vertex-sync (by reason)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
}
