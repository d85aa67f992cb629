import { ROOT_CONTEXT, context, defaultTextMapGetter, defaultTextMapSetter, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * An opaque trace context: what was active when it was captured (the span of a message being handled,
 * say). Kept by code that finishes work later, elsewhere (a micro-batch), to link that work back to it.
 */
export type TraceContext = Context;

/** The W3C trace-context attribute (CloudEvents distributed-tracing extension) and its companion. */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

const w3c = new W3CTraceContextPropagator();
let contextManagerChecked = false;

/**
 * Makes the active trace context follow async calls (AsyncLocalStorage), whether or not tracing is
 * on: without it the API's default context manager forgets every context, and a handler's publishes
 * would lose the trace of the message it handles. Idempotent; keeps a manager registered before.
 */
export function ensureContextPropagation(): void {
  if (contextManagerChecked) return;
  contextManagerChecked = true;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

/** The trace context active here (ROOT when none). */
export function captureTraceContext(): TraceContext {
  return context.active();
}

/** Runs `fn` with `traceContext` active. */
export function runInTraceContext<T>(traceContext: TraceContext, fn: () => T): T {
  ensureContextPropagation();
  return context.with(traceContext, fn);
}

/** The W3C `traceparent` of the span in `traceContext`, when it has a valid one. */
export function traceparentOf(traceContext: TraceContext): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(traceContext, carrier, defaultTextMapSetter);
  return carrier[TRACEPARENT];
}

/** The `traceparent` of the active span, if any: the message being handled, a batch, an HTTP request. */
export function activeTraceparent(): string | undefined {
  return traceparentOf(context.active());
}

/**
 * The remote trace context carried by message attributes (`traceparent`, `tracestate`), or undefined
 * when there is none or it is malformed (a malformed one is ignored, never an error).
 */
export function contextFromAttributes(attributes: Record<string, string> | undefined): TraceContext | undefined {
  if (attributes?.[TRACEPARENT] === undefined) return undefined;
  const extracted = w3c.extract(ROOT_CONTEXT, attributes, defaultTextMapGetter);
  return trace.getSpanContext(extracted) === undefined ? undefined : extracted;
}

/**
 * `attributes` with the trace context of `traceContext` in place of any they carried (no trace
 * attributes at all when `traceContext` has no valid span).
 */
export function withTraceAttributes(attributes: Record<string, string> | undefined, traceContext: TraceContext): Record<string, string> {
  const { [TRACEPARENT]: _parent, [TRACESTATE]: _state, ...rest } = attributes ?? {};
  const carrier: Record<string, string> = {};
  w3c.inject(traceContext, carrier, defaultTextMapSetter);
  if (carrier[TRACEPARENT] === undefined) return { ...attributes };
  return { ...rest, ...carrier };
}
