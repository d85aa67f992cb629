import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from '../types.ts';

/** The W3C trace-context attribute (CloudEvents distributed-tracing extension). */
export const TRACEPARENT = 'traceparent';

/** version-traceid-parentid-flags, lowercase hex (W3C Trace Context level 1). */
const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const context = new AsyncLocalStorage<{ traceparent: string | undefined }>();

/**
 * Trace-context propagation. Runs the handler with the message's `traceparent` attribute (when it
 * is well formed) as the current trace context, readable anywhere below it with
 * `currentTraceparent()`; the bus's `publish` adds it to messages that carry none, so an event a
 * handler publishes continues the trace of the event it handles. The bus applies this middleware to
 * every subscription. (When OpenTelemetry is wired in, it replaces the stored value with a child span's.)
 */
export function tracing(): Middleware {
  return (next) => (message) => {
    const incoming = message.attributes[TRACEPARENT];
    const traceparent = incoming !== undefined && TRACEPARENT_PATTERN.test(incoming) ? incoming : undefined;
    return context.run({ traceparent }, () => next(message));
  };
}

/** The `traceparent` of the message being handled in this async context, if it had a valid one. */
export function currentTraceparent(): string | undefined {
  return context.getStore()?.traceparent;
}

/**
 * `attributes` with the current `traceparent` added when they carry none: what `publish` sends, so
 * trace context flows from a handled message to the messages its handler publishes.
 */
export function withCurrentTraceparent(attributes: Record<string, string> | undefined): Record<string, string> {
  const traceparent = currentTraceparent();
  if (traceparent === undefined || attributes?.[TRACEPARENT] !== undefined) return { ...attributes };
  return { ...attributes, [TRACEPARENT]: traceparent };
}
