import { createRequire } from 'node:module';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TELEMETRY_DEFAULTS, type InstrumentationName, type TelemetrySettings } from './settings.ts';

/**
 * The OpenTelemetry SDK, loaded only when tracing is on (`start.ts` imports this module on demand, so
 * a service with tracing off never loads the SDK, the exporter or any instrumentation).
 */

export interface RunningSdk {
  provider: BasicTracerProvider;
  /** Unpatches what the instrumentations patched. */
  unload(): void;
}

export interface SdkOptions {
  settings: TelemetrySettings;
  instrumentations: readonly InstrumentationName[];
  /** An exporter given by the caller (tests: an in-memory one), exported span by span. */
  exporter?: SpanExporter;
}

/**
 * Registers a tracer provider (sampler from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, batching
 * from OTEL_BSP_*, both read by the SDK), the W3C propagator for HTTP headers, and the instrumentations
 * asked for. Registration goes through this package's copy of @opentelemetry/api, the one that
 * registered the context manager: the API refuses registrations from two different copies.
 */
export async function startSdk(options: SdkOptions): Promise<RunningSdk> {
  const { settings } = options;
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.namespace': TELEMETRY_DEFAULTS.serviceNamespace,
      ...settings.resourceAttributes,
      'service.name': settings.serviceName,
    }),
  );
  const provider = new BasicTracerProvider({ resource, spanProcessors: [await spanProcessor(options)] });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const unload = await loadInstrumentations(provider, options.instrumentations);
  return { provider, unload };
}

async function spanProcessor(options: SdkOptions): Promise<SpanProcessor> {
  if (options.exporter) return new SimpleSpanProcessor(options.exporter);
  if (options.settings.exporter === 'console') {
    const { ConsoleSpanExporter } = await import('@opentelemetry/sdk-trace-base');
    return new BatchSpanProcessor(new ConsoleSpanExporter());
  }
  // OTLP/HTTP (JSON). Headers, timeout and compression: OTEL_EXPORTER_OTLP_[TRACES_]HEADERS / _TIMEOUT / _COMPRESSION, read by the exporter.
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const url = options.settings.otlpTracesUrl;
  return new BatchSpanProcessor(new OTLPTraceExporter(url === undefined ? {} : { url }));
}

/**
 * Loads just the instrumentations named (never the auto-instrumentation bundle: start-up time and
 * image size matter on Cloud Run). They patch CommonJS modules as they are required; with ESM, a
 * service's imports (pg, fastify -> http) were evaluated before its main body called us, so each
 * patched module is required once more through the hook here, which patches the loaded module's
 * prototypes in place: every client and server already imported is then traced too.
 */
async function loadInstrumentations(provider: BasicTracerProvider, names: readonly InstrumentationName[]): Promise<() => void> {
  if (names.length === 0) return () => {};
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const instrumentations: Instrumentation[] = [];
  if (names.includes('http')) instrumentations.push(await httpInstrumentation());
  if (names.includes('pg')) instrumentations.push(await pgInstrumentation());
  const unload = registerInstrumentations({ tracerProvider: provider, instrumentations });
  const require = createRequire(import.meta.url);
  if (names.includes('http')) {
    require('node:http');
    require('node:https');
  }
  if (names.includes('pg')) requirePg(require);
  return unload;
}

async function httpInstrumentation(): Promise<Instrumentation> {
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const untraced = new Set(TELEMETRY_DEFAULTS.untracedPaths);
  return new HttpInstrumentation({
    ignoreIncomingRequestHook: (request) => untraced.has((request.url ?? '').split('?')[0] ?? ''),
    // An outgoing call outside any trace (a background poll) is not worth a trace of its own.
    requireParentforOutgoingSpans: true,
  });
}

async function pgInstrumentation(): Promise<Instrumentation> {
  const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
  // Queries outside a trace (the outbox relay's polling, readiness probes) would each start a trace.
  return new PgInstrumentation({ requireParentSpan: true });
}

/** Requires pg's client and pool modules (where the service resolves them) through the instrumentation's hook. */
function requirePg(require: NodeJS.Require): void {
  let pgMain: string;
  try {
    pgMain = require.resolve('pg');
  } catch {
    return; // a deployment without node-postgres: nothing to patch
  }
  require('pg/lib/client.js');
  createRequire(pgMain)('pg-pool');
  require(pgMain);
}
