import { SpanKind, context, type Span } from '@opentelemetry/api';
import { recordFailure, startSpan } from './spans.ts';

/**
 * Spans at a port's boundary (the Warehouse, the VectorIndex): every method call of the returned
 * object runs in a CLIENT span `<component> <method>`, ended when its promise settles, or for a method
 * that returns an async iterable (a paged read), when the iteration ends. Only calls made inside a
 * trace get a span (a readiness probe's call does not), and what the adapter does inside (Postgres
 * queries, HTTP calls) nests under it. Properties that are not functions pass through unchanged.
 *
 * Wrapping here, not inside the adapters, keeps the port packages free of telemetry and covers every
 * adapter alike (BigQuery and the Vertex client, whose calls no instrumentation loaded here sees).
 */
export function tracePort<T extends object>(port: T, component: string): T {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        wrapper = tracedMethod(target, value as (...args: unknown[]) => unknown, component, property);
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

function tracedMethod(target: object, method: (...args: unknown[]) => unknown, component: string, name: string) {
  return (...args: unknown[]): unknown => {
    const started = startSpan(`${component} ${name}`, {
      kind: SpanKind.CLIENT,
      requireParent: true,
      attributes: { 'mobius.port': component, 'mobius.port.operation': name },
    });
    if (!started) return method.apply(target, args);
    let result: unknown;
    try {
      result = context.with(started.context, () => method.apply(target, args));
    } catch (error) {
      recordFailure(started.span, error);
      started.span.end();
      throw error;
    }
    if (isPromise(result)) return endWhenSettled(started.span, result);
    if (isAsyncIterable(result)) return iterateInSpan(started.span, started.context, result);
    started.span.end();
    return result;
  };
}

async function endWhenSettled<T>(span: Span, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Pages are read in the span's context (their queries nest under it); the span ends with the iteration. */
async function* iterateInSpan<T>(span: Span, spanContext: ReturnType<typeof context.active>, iterable: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  let items = 0;
  let finished = false;
  try {
    for (;;) {
      const next = await context.with(spanContext, () => iterator.next());
      if (next.done) {
        finished = true;
        return;
      }
      items += 1;
      yield next.value;
    }
  } catch (error) {
    finished = true;
    recordFailure(span, error);
    throw error;
  } finally {
    // Stopped early (break, or a throw in the consumer's loop body): let the source release what it holds.
    if (!finished) await iterator.return?.();
    span.setAttribute('mobius.port.pages', items);
    span.end();
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}
