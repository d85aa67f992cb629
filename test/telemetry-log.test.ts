// Logs carry Cloud Logging's trace fields whenever a span is active (libs/service/src/logger.ts).
import { createLogger } from '@mobius/service';
import { contextFromAttributes, memorySpanExporter, runInTraceContext, startTelemetry, withSpan, type Telemetry } from '@mobius/telemetry';
import { afterAll, describe, expect, it } from 'vitest';

/** A logger writing JSON lines into `lines`. */
function capturingLogger(lines: Record<string, unknown>[]) {
  return createLogger('ingestor', 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
}

const TRACE = 'logging.googleapis.com/trace';
const SPAN = 'logging.googleapis.com/spanId';
const SAMPLED = 'logging.googleapis.com/trace_sampled';
let telemetry: Telemetry | undefined;

afterAll(async () => {
  await telemetry?.shutdown();
});

describe('log lines and traces', () => {
  it('carry no trace fields outside a trace, and the incoming trace of a handled message with tracing off', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = capturingLogger(lines);
    logger.info('starting');
    const incoming = contextFromAttributes({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' })!;
    runInTraceContext(incoming, () => logger.warn({ messageId: 'm-1' }, 'handling'));
    expect(lines[0]).toMatchObject({ severity: 'INFO', message: 'starting', service: 'ingestor' });
    expect(Object.keys(lines[0]!).filter((key) => key.startsWith('logging.googleapis.com'))).toEqual([]);
    // No project known (telemetry not started): the bare trace id.
    expect(lines[1]).toMatchObject({
      severity: 'WARN',
      message: 'handling',
      messageId: 'm-1',
      [TRACE]: '4bf92f3577b34da6a3ce929d0e0e4736',
      [SPAN]: '00f067aa0ba902b7',
      [SAMPLED]: false,
    });
  });

  it("name the span being recorded, in the project's trace resource", async () => {
    telemetry = await startTelemetry({
      service: 'ingestor',
      env: { PUBSUB_PROJECT: 'acme-prod' },
      exporter: await memorySpanExporter(),
      instrumentations: [],
    });
    const lines: Record<string, unknown>[] = [];
    const logger = capturingLogger(lines);
    let ids = { traceId: '', spanId: '' };
    await withSpan('ingestor batch', async (span) => {
      ids = span!.spanContext();
      logger.info('landed document snapshots');
    });
    logger.info('after');
    expect(lines[0]).toMatchObject({
      [TRACE]: `projects/acme-prod/traces/${ids.traceId}`,
      [SPAN]: ids.spanId,
      [SAMPLED]: true,
    });
    expect(lines[1]![TRACE]).toBeUndefined();
  });
});
