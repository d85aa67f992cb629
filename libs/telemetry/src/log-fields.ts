import { TraceFlags, context, isSpanContextValid, trace } from '@opentelemetry/api';

/** Cloud Logging's special fields that tie a log line to its trace and span. */
export const LOG_TRACE_FIELDS = {
  trace: 'logging.googleapis.com/trace',
  spanId: 'logging.googleapis.com/spanId',
  sampled: 'logging.googleapis.com/trace_sampled',
} as const;

let traceProject: string | undefined;

/**
 * Sets the Google Cloud project that `logging.googleapis.com/trace` names (`startTelemetry` does, from
 * GOOGLE_CLOUD_PROJECT or PUBSUB_PROJECT); undefined: the field holds the bare trace id.
 */
export function setTraceProject(project: string | undefined): void {
  traceProject = project;
}

/**
 * The fields to add to a log line written while a span is active (a message being handled, an HTTP
 * request, a batch), none otherwise: `logging.googleapis.com/trace`
 * (`projects/<project>/traces/<traceId>`), `logging.googleapis.com/spanId` and
 * `logging.googleapis.com/trace_sampled`. With tracing off, a handled message's incoming trace context
 * is still active, so its lines still carry the trace of the service that published it.
 */
export function traceLogFields(): Record<string, string | boolean> {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return {
    [LOG_TRACE_FIELDS.trace]: traceProject ? `projects/${traceProject}/traces/${spanContext.traceId}` : spanContext.traceId,
    [LOG_TRACE_FIELDS.spanId]: spanContext.spanId,
    [LOG_TRACE_FIELDS.sampled]: (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
  };
}
