/**
 * What telemetry does, read once from the environment by `telemetrySettings` (pure: the caller passes
 * the environment, main.ts passes `process.env`). Tracing is OFF unless an OTLP endpoint (or the console
 * exporter) is configured: then only the API's no-op tracer runs, and trace context still flows through
 * the bus unchanged.
 */
import { ConfigError } from '@mobius/config';

/** Which instrumentations of third-party modules a service loads (never the whole auto-instrumentation bundle). */
export type InstrumentationName = 'http' | 'pg';

export interface TelemetrySettings {
  /** `service.name`: OTEL_SERVICE_NAME, else the service's own name. */
  serviceName: string;
  /** Where finished spans go: `none` (tracing off), `otlp` (OTLP/HTTP), `console` (stdout, for debugging). */
  exporter: 'none' | 'otlp' | 'console';
  /** The OTLP/HTTP traces URL, when `exporter` is `otlp` and an endpoint variable is set (else the exporter's default). */
  otlpTracesUrl: string | undefined;
  /** Extra resource attributes (OTEL_RESOURCE_ATTRIBUTES). */
  resourceAttributes: Record<string, string>;
  /** The Google Cloud project of `logging.googleapis.com/trace` (GOOGLE_CLOUD_PROJECT, else PUBSUB_PROJECT). */
  traceProject: string | undefined;
}

/** Every default of the telemetry setup, in one place. */
export const TELEMETRY_DEFAULTS = {
  /** Third-party modules instrumented when a service names none: the HTTP server/client and node-postgres. */
  instrumentations: ['http', 'pg'] as readonly InstrumentationName[],
  /**
   * How long `shutdown()` may spend flushing spans: the exporter retries for up to 10 s on its own, and
   * Cloud Run allows 10 s from SIGTERM for everything, so an unreachable collector must not hold the exit.
   */
  shutdownTimeoutMs: 2_000,
  /** Paths whose HTTP requests never start a span: probes and scrapes, many per minute and of no interest. */
  untracedPaths: ['/healthz', '/readyz', '/metrics'] as readonly string[],
  /** The `service.namespace` resource attribute: every Mobius service shares it. */
  serviceNamespace: 'mobius',
} as const;

/**
 * A telemetry variable that cannot work; `variable` names it. A ConfigError like every other, so a
 * service that cannot start for it says so in one plain line (runServiceMain), not a stack trace.
 */
export class TelemetryConfigError extends ConfigError {
  constructor(variable: string, message: string) {
    super('telemetry', variable, message);
  }
}

type Env = Record<string, string | undefined>;

const TRUE = /^(true|1|yes)$/i;

/**
 * The settings the environment selects. Honoured variables (the OpenTelemetry SDK reads a few more itself,
 * see README): OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER (`otlp` | `console` | `none`),
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is), OTEL_EXPORTER_OTLP_ENDPOINT (`/v1/traces` appended),
 * OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL (only the http protocols: this exporter posts JSON over HTTP),
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, GOOGLE_CLOUD_PROJECT / PUBSUB_PROJECT.
 * Throws TelemetryConfigError naming the variable that is wrong.
 */
export function telemetrySettings(service: string, env: Env): TelemetrySettings {
  const otlpTracesUrl = otlpUrl(env);
  return {
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? service,
    exporter: exporterOf(env, otlpTracesUrl),
    otlpTracesUrl,
    resourceAttributes: parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES),
    traceProject: nonEmpty(env.GOOGLE_CLOUD_PROJECT) ?? nonEmpty(env.PUBSUB_PROJECT),
  };
}

function exporterOf(env: Env, otlpTracesUrl: string | undefined): TelemetrySettings['exporter'] {
  if (TRUE.test(env.OTEL_SDK_DISABLED ?? '')) return 'none';
  const named = nonEmpty(env.OTEL_TRACES_EXPORTER)?.toLowerCase();
  for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = nonEmpty(env[variable]);
    if (protocol !== undefined && !protocol.startsWith('http/')) {
      throw new TelemetryConfigError(
        variable,
        `must be http/json or http/protobuf (this build exports OTLP over HTTP), got ${JSON.stringify(protocol)}`,
      );
    }
  }
  switch (named) {
    case undefined:
      // The one deviation from the SDK's defaults: no endpoint means no exporter, not localhost:4318.
      return otlpTracesUrl === undefined ? 'none' : 'otlp';
    case 'otlp':
    case 'console':
    case 'none':
      return named;
    default:
      throw new TelemetryConfigError('OTEL_TRACES_EXPORTER', `must be otlp, console or none, got ${JSON.stringify(env.OTEL_TRACES_EXPORTER)}`);
  }
}

function otlpUrl(env: Env): string | undefined {
  const traces = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (traces !== undefined) return checkedUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (base === undefined) return undefined;
  return checkedUrl('OTEL_EXPORTER_OTLP_ENDPOINT', `${base.replace(/\/+$/, '')}/v1/traces`);
}

function checkedUrl(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TelemetryConfigError(variable, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TelemetryConfigError(variable, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `key1=value1,key2=value2`, values percent-encoded (the OpenTelemetry resource SDK's format). */
function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new TelemetryConfigError('OTEL_RESOURCE_ATTRIBUTES', `must be key=value pairs separated by commas, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, at).trim();
    try {
      attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new TelemetryConfigError('OTEL_RESOURCE_ATTRIBUTES', `has a badly percent-encoded value for ${key}`);
    }
  }
  return attributes;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
