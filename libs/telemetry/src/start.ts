import { propagation, trace } from '@opentelemetry/api';
import type { InMemorySpanExporter, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ensureContextPropagation } from './context.ts';
import { setTraceProject } from './log-fields.ts';
import type { RunningSdk } from './sdk.ts';
import { TELEMETRY_DEFAULTS, telemetrySettings, type InstrumentationName } from './settings.ts';

export interface StartTelemetryOptions {
  /** The service's name (`ingestor`); OTEL_SERVICE_NAME overrides it. */
  service: string;
  /** The environment (main.ts passes `process.env`): the OTEL_* variables and GOOGLE_CLOUD_PROJECT / PUBSUB_PROJECT. */
  env: Record<string, string | undefined>;
  /** Third-party modules to instrument; default TELEMETRY_DEFAULTS.instrumentations (http, pg). */
  instrumentations?: readonly InstrumentationName[];
  /** Export to this exporter, span by span, whatever the environment says (tests: `memorySpanExporter()`). */
  exporter?: SpanExporter;
}

/** Telemetry as started. */
export interface Telemetry {
  /** True when spans are recorded and exported; false: the no-op tracer (trace context still propagates). */
  readonly tracing: boolean;
  readonly serviceName: string;
  /** Flushes pending spans (at most TELEMETRY_DEFAULTS.shutdownTimeoutMs), unregisters the SDK. Never throws. */
  shutdown(): Promise<void>;
}

let running: Telemetry | undefined;

/**
 * Starts telemetry for the process: call it first in a service's main.ts, before the service connects
 * anywhere. Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set
 * (OTLP/HTTP), or OTEL_TRACES_EXPORTER=console; otherwise nothing beyond the API is loaded and the
 * tracer is the no-op one. Either way the active trace context follows async calls, so `traceparent`
 * flows from handled messages to published ones, and logs carry the trace fields. Throws
 * TelemetryConfigError naming a variable that is wrong. A second call returns the first telemetry
 * (several services in one process share it).
 */
export async function startTelemetry(options: StartTelemetryOptions): Promise<Telemetry> {
  if (running) return running;
  const settings = telemetrySettings(options.service, options.env);
  ensureContextPropagation();
  setTraceProject(settings.traceProject);
  let sdk: RunningSdk | undefined;
  if (options.exporter || settings.exporter !== 'none') {
    const { startSdk } = await import('./sdk.ts');
    const sdkOptions = { settings, instrumentations: options.instrumentations ?? TELEMETRY_DEFAULTS.instrumentations };
    sdk = await startSdk(options.exporter ? { ...sdkOptions, exporter: options.exporter } : sdkOptions);
  }
  const telemetry: Telemetry = {
    tracing: sdk !== undefined,
    serviceName: settings.serviceName,
    shutdown: async () => {
      if (running === telemetry) running = undefined;
      if (sdk) await stopSdk(sdk);
    },
  };
  running = telemetry;
  return telemetry;
}

/** Shuts down the telemetry `startTelemetry` started, if any (runService's shutdown path calls it). Never throws. */
export async function shutdownTelemetry(): Promise<void> {
  await running?.shutdown();
}

/** An exporter that keeps finished spans in memory, for tests (`startTelemetry({ exporter })`). */
export async function memorySpanExporter(): Promise<InMemorySpanExporter> {
  const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
  return new InMemorySpanExporter();
}

async function stopSdk(sdk: RunningSdk): Promise<void> {
  sdk.unload();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, TELEMETRY_DEFAULTS.shutdownTimeoutMs);
  });
  // An unreachable collector only costs the deadline: spans not exported by then are dropped.
  await Promise.race([sdk.provider.shutdown().catch(() => undefined), deadline]);
  clearTimeout(timer);
  trace.disable();
  propagation.disable();
}
