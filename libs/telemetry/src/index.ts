/**
 * @mobius/telemetry: OpenTelemetry for every service. `startTelemetry` (first thing in main.ts) sets up
 * tracing from the OTEL_* variables; the rest are the helpers the bus, the service kit and the services
 * use to create spans and carry trace context. Only @opentelemetry/api, its context manager and the W3C
 * propagator load with this entry; the SDK, exporter and instrumentations load when tracing is on.
 */
export {
  TRACEPARENT,
  TRACESTATE,
  activeTraceparent,
  captureTraceContext,
  contextFromAttributes,
  ensureContextPropagation,
  runInTraceContext,
  traceparentOf,
  withTraceAttributes,
  type TraceContext,
} from './context.ts';
export { LOG_TRACE_FIELDS, setTraceProject, traceLogFields } from './log-fields.ts';
export {
  startDeliverySpan,
  tracePublish,
  type DeliveryOutcome,
  type DeliverySpan,
  type DeliverySpanInfo,
  type MessageSpanInfo,
} from './messaging.ts';
export { tracePort } from './ports.ts';
export { TELEMETRY_DEFAULTS, TelemetryConfigError, telemetrySettings, type InstrumentationName, type TelemetrySettings } from './settings.ts';
export { SpanKind, TRACER_NAME, recordFailure, startSpan, tracer, withBatchSpan, withSpan, type SpanOptions } from './spans.ts';
export { memorySpanExporter, shutdownTelemetry, startTelemetry, type StartTelemetryOptions, type Telemetry } from './start.ts';
export type { InMemorySpanExporter, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
