import { SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Attributes, type Link, type Span, type Tracer } from '@opentelemetry/api';
import { ensureContextPropagation, type TraceContext } from './context.ts';

/** The instrumentation scope of every span Mobius code creates itself. */
export const TRACER_NAME = '@mobius/telemetry';

/**
 * The tracer: the API's no-op one until `startTelemetry` registers a provider. Not cached, so a
 * provider registered (or removed) later is always the one used.
 */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export { SpanKind };

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Other contexts this work stands for (the messages a batch merged). Invalid ones are skipped. */
  links?: TraceContext[];
  /** The parent; default the active context. */
  parent?: TraceContext;
  /**
   * Start no span when the parent has none (a readiness probe's query, a poll loop): only work that
   * is part of a trace is recorded, so idle services export nothing.
   */
  requireParent?: boolean;
}

/** Marks `span` failed with `error`. */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Starts a span as `options` say; undefined when `requireParent` and there is no parent span. */
export function startSpan(name: string, options: SpanOptions = {}): { span: Span; context: TraceContext } | undefined {
  ensureContextPropagation();
  const parent = options.parent ?? context.active();
  if (options.requireParent && trace.getSpan(parent) === undefined) return undefined;
  const links = linksOf(options.links ?? []);
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(links.length > 0 ? { links } : {}),
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Runs `fn` inside a span named `name` (active for everything `fn` awaits), ends it when `fn`
 * settles and marks it failed when `fn` throws. With `requireParent` and no parent, just runs `fn`.
 */
export async function withSpan<T>(name: string, fn: (span: Span | undefined) => Promise<T>, options: SpanOptions = {}): Promise<T> {
  const started = startSpan(name, options);
  if (!started) return fn(undefined);
  try {
    return await context.with(started.context, () => fn(started.span));
  } catch (error) {
    recordFailure(started.span, error);
    throw error;
  } finally {
    started.span.end();
  }
}

/**
 * Runs `fn` as one batch that merges many messages: its span links to every message's context (span
 * links) and is the child of the first one's, so a single message's trace runs straight through the
 * batch; what `fn` publishes carries the batch span's context.
 */
export function withBatchSpan<T>(name: string, members: TraceContext[], fn: () => Promise<T>, attributes: Attributes = {}): Promise<T> {
  const options: SpanOptions = { links: members, attributes: { 'messaging.batch.message_count': members.length, ...attributes } };
  if (members[0] !== undefined) options.parent = members[0];
  return withSpan(name, () => fn(), options);
}

function linksOf(members: TraceContext[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const member of members) {
    const spanContext = trace.getSpanContext(member);
    if (!spanContext || !isSpanContextValid(spanContext) || seen.has(spanContext.spanId)) continue;
    seen.add(spanContext.spanId);
    links.push({ context: spanContext });
  }
  return links;
}
